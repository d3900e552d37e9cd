"""The public shapes of ``/v1/topics`` and ``/v1/known-accounts``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.contracts import Platform

TopicName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
TopicQuery = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
LanguageCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=16)
]
Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class TopicKind(StrEnum):
    BRAND = "brand"
    KEYWORD_GROUP = "keyword_group"


class StakeholderType(StrEnum):
    """The stakeholder types of the enrichment library (``nlp.StakeholderType``)."""

    CUSTOMER = "customer"
    MEDIA = "media"
    ANALYST = "analyst"
    INVESTOR = "investor"
    EMPLOYEE = "employee"
    POLITICIAN = "politician"
    INFLUENCER = "influencer"
    UNKNOWN = "unknown"


class TopicIn(BaseModel):
    """A tracked brand or keyword group.

    ``query`` is a boolean query: words, ``"phrases"``, ``#hashtags``, ``@handles``, ``prefix*``,
    ``AND`` (or juxtaposition), ``OR``, ``NOT``/``-`` and parentheses; matching ignores case and
    accents. ``languages`` limits tagging to mentions in those languages (empty: all).
    """

    model_config = ConfigDict(extra="forbid")

    kind: TopicKind = TopicKind.KEYWORD_GROUP
    name: TopicName
    query: TopicQuery
    languages: list[LanguageCode] = Field(default_factory=list, max_length=50)


class TopicPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: TopicKind | None = None
    name: TopicName | None = None
    query: TopicQuery | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=50)


class TopicRead(BaseModel):
    id: str
    kind: TopicKind
    name: str
    query: str
    languages: list[str]
    created_at: datetime
    updated_at: datetime


class KnownAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handle: Handle
    platform: Platform | None = Field(default=None, description="Empty: on every platform")
    stakeholder: StakeholderType
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class KnownAccountsIn(BaseModel):
    accounts: list[KnownAccountIn] = Field(min_length=1, max_length=1000)


class KnownAccountRead(BaseModel):
    id: str
    handle: str
    platform: Platform | None
    stakeholder: StakeholderType
    note: str | None
    updated_at: datetime


class KnownAccountsOut(BaseModel):
    upserted: int
    items: list[KnownAccountRead]

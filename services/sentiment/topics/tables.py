"""Tracked topics and known accounts per tenant (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Topic(SQLModel, table=True):
    """A tracked brand or keyword group: a boolean query that tags matching mentions by name."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("tenant", "name", name="uq_topics_tenant_name"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128, index=True)
    kind: str = Field(max_length=16)  # "brand" | "keyword_group"
    name: str = Field(max_length=128)
    query: str = Field(sa_type=Text)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class KnownAccount(SQLModel, table=True):
    """An account whose stakeholder type the tenant knows; it overrides what the profile suggests.

    ``platform`` is ``""`` for an account known on every platform.
    """

    __tablename__ = "known_accounts"
    __table_args__ = (
        UniqueConstraint("tenant", "platform", "handle", name="uq_known_accounts_key"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128, index=True)
    platform: str = Field(default="", max_length=32)
    handle: str = Field(max_length=256)  # lower case, without "@"
    stakeholder: str = Field(max_length=32)
    note: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

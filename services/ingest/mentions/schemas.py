"""The public shapes of ``/v1/mentions`` (../shared/API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from services.common.contracts import Platform

MAX_TEXT = 100_000

Str256 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    handle: Annotated[str, StringConstraints(max_length=256)] | None = None
    name: Annotated[str, StringConstraints(max_length=1000)] | None = None
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False
    bio: Annotated[str, StringConstraints(max_length=5000)] | None = None
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class EngagementIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)


class MentionIn(BaseModel):
    """One mention in the normalized shape. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    platform: Platform
    external_id: Str256
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
    language: Annotated[str, StringConstraints(min_length=2, max_length=16)] | None = None
    created_at: AwareDatetime
    author: AuthorIn = Field(default_factory=AuthorIn)
    in_reply_to: Annotated[str, StringConstraints(max_length=256)] | None = None
    thread_id: Annotated[str, StringConstraints(max_length=256)] | None = None
    engagement: EngagementIn = Field(default_factory=EngagementIn)
    raw: dict[str, JsonValue] = Field(default_factory=dict)


class MentionBatchIn(BaseModel):
    """Documentation of the request body; items are validated one by one, so one bad item never
    rejects the others."""

    mentions: list[MentionIn] = Field(max_length=1000)


class ItemResult(BaseModel):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    id: str | None = None
    error: str | None = None


class BatchResult(BaseModel):
    results: list[ItemResult]
    accepted: int
    duplicates: int
    rejected: int


class MentionRead(BaseModel):
    id: str
    platform: Platform
    external_id: str
    url: str | None
    text: str
    language: str | None
    created_at: datetime
    author: AuthorIn
    in_reply_to: str | None
    thread_id: str | None
    engagement: EngagementIn
    raw: dict[str, JsonValue]
    ingested_at: datetime


class ReplayIn(BaseModel):
    since: AwareDatetime
    until: AwareDatetime
    platforms: list[Platform] | None = None


class ReplayOut(BaseModel):
    replay_id: str
    mentions: int
    batches: int
    enqueued_batches: int

"""Queue contract ``ingest → sentiment``: a batch of newly stored mentions, version 1.

Grows by addition only: a new optional field keeps the version; anything else is a version 2 that
consumers accept before producers send it. ``tests/contracts/golden/`` pins the wire form.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_BATCH = 1000


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    LINKEDIN = "linkedin"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    REDDIT = "reddit"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    THREADS = "threads"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    FOURSQUARE = "foursquare"
    GOOGLEPLUS = "googleplus"  # archives only: the network closed in 2019
    NEWS = "news"
    BLOG = "blog"
    FORUM = "forum"
    REVIEW = "review"
    OTHER = "other"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AuthorV1(_Frozen):
    handle: str | None = None
    name: str | None = None
    followers: int | None = None
    verified: bool = False
    bio: str | None = None
    url: str | None = None


class EngagementV1(_Frozen):
    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0


class MentionV1(_Frozen):
    id: str
    platform: Platform
    external_id: str
    url: str | None = None
    text: str
    language: str | None = None
    created_at: AwareDatetime
    author: AuthorV1 = Field(default_factory=AuthorV1)
    in_reply_to: str | None = None
    thread_id: str | None = None
    engagement: EngagementV1 = Field(default_factory=EngagementV1)
    ingested_at: AwareDatetime | None = None


class MentionBatchV1(_Frozen):
    """Newly stored mentions of one tenant. ``batch_id`` is also the arq job id."""

    version: Literal[1] = 1
    batch_id: str
    tenant: str
    reason: Literal["new", "replay"] = "new"
    mentions: list[MentionV1] = Field(max_length=MAX_BATCH)
    trace_id: str | None = None
    sent_at: datetime | None = None

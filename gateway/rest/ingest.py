from __future__ import annotations

from datetime import datetime

from gateway.rest.base import Rest


class AuthorRest(Rest):
    handle: str | None = None
    name: str | None = None
    followers: int | None = None
    verified: bool = False
    bio: str | None = None
    url: str | None = None


class EngagementRest(Rest):
    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0


class RawMention(Rest):
    """``GET /v1/mentions`` on ingest: the mention as it was sent."""

    id: str
    platform: str
    external_id: str
    url: str | None = None
    text: str
    language: str | None = None
    created_at: datetime
    author: AuthorRest = AuthorRest()
    in_reply_to: str | None = None
    thread_id: str | None = None
    engagement: EngagementRest = EngagementRest()
    ingested_at: datetime | None = None

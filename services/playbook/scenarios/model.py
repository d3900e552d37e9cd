"""A drill mention: the ingest shape of ``POST /v1/mentions`` plus ``offset_seconds``."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class DrillAuthor(BaseModel):
    model_config = ConfigDict(frozen=True)

    handle: str
    name: str
    followers: int = Field(ge=0)
    verified: bool = False
    bio: str | None = None
    url: str | None = None


class DrillEngagement(BaseModel):
    model_config = ConfigDict(frozen=True)

    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0


class DrillMention(BaseModel):
    """One line of a drill file. ``created_at`` is ``start + offset_seconds``; a drill run rebases
    it on the moment the drill starts."""

    model_config = ConfigDict(frozen=True)

    platform: str
    external_id: str
    url: str | None
    text: str
    language: str | None
    created_at: AwareDatetime
    author: DrillAuthor
    in_reply_to: str | None = None
    thread_id: str | None = None
    engagement: DrillEngagement = DrillEngagement()
    raw: dict[str, str] = Field(default_factory=dict)
    offset_seconds: int = Field(ge=0)

    def rebased(self, start: datetime) -> DrillMention:
        """The same mention as if the drill started at ``start`` (aware)."""
        from datetime import timedelta

        return self.model_copy(
            update={"created_at": start + timedelta(seconds=self.offset_seconds)}
        )


def to_jsonl(mentions: list[DrillMention]) -> str:
    return "".join(m.model_dump_json() + "\n" for m in mentions)


def from_jsonl(text: str) -> list[DrillMention]:
    return [DrillMention.model_validate_json(line) for line in text.splitlines() if line.strip()]

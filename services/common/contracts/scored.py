"""Queue contract ``sentiment → playbook``: a batch of scored mentions, version 1."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.common.contracts.mentions import MAX_BATCH, Platform


class ScoredMentionV1(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    platform: Platform
    created_at: AwareDatetime
    text: str
    url: str | None = None
    author_handle: str | None = None
    author_followers: int | None = None
    language: str
    sentiment: Literal["negative", "neutral", "positive"]
    sentiment_score: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    intents: list[str] = Field(default_factory=list)
    crisis_categories: list[str] = Field(default_factory=list)
    stakeholder: str = "unknown"
    reach: float = Field(default=0.0, ge=0.0)
    risk: float = Field(ge=0.0, le=1.0)
    topics: list[str] = Field(default_factory=list)
    model_version: str


class ScoredBatchV1(BaseModel):
    """Scored mentions of one tenant; ``batch_id`` is the arq job id on the playbook queue."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: Literal[1] = 1
    batch_id: str
    tenant: str
    mentions: list[ScoredMentionV1] = Field(max_length=MAX_BATCH)
    trace_id: str | None = None

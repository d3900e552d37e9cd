"""The public shapes of ``/v1/mentions`` on sentiment: mentions with their enrichment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from services.common.contracts import Platform


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class IntentName(StrEnum):
    COMPLAINT = "complaint"
    QUESTION = "question"
    PRAISE = "praise"
    CRISIS_SIGNAL = "crisis_signal"


class SentimentRead(BaseModel):
    label: Literal["negative", "neutral", "positive"]
    score: float = Field(ge=-1.0, le=1.0, description="p(positive) - p(negative)")
    confidence: float = Field(ge=0.0, le=1.0)


class AuthorRead(BaseModel):
    handle: str | None
    name: str | None
    followers: int | None


class ScoredMentionRead(BaseModel):
    """A mention with its latest enrichment (``model_version`` says which model scored it)."""

    id: str
    platform: Platform
    external_id: str | None
    created_at: datetime
    text: str
    url: str | None
    author: AuthorRead
    language: str
    sentiment: SentimentRead
    intents: list[str]
    crisis_categories: list[str]
    stakeholder: str
    reach: float = Field(description="Potential audience in [0, 1] (log scale, 1 = a million)")
    risk: float = Field(ge=0.0, le=1.0)
    risk_factors: dict[str, object]
    topics: list[str]
    model_version: str
    scored_at: datetime

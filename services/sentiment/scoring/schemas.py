"""The public shapes of ``POST /v1/score`` (../shared/API.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints


class ScoreIn(BaseModel):
    """Up to 1,000 texts; ``language`` (ISO 639-1) is a hint applied to every text."""

    texts: list[str] = Field(min_length=1, max_length=1000)
    language: Annotated[str, StringConstraints(min_length=2, max_length=16)] | None = None


class SentimentOut(BaseModel):
    label: Literal["negative", "neutral", "positive"]
    score: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)


class ScoreResultOut(BaseModel):
    language: str
    sentiment: SentimentOut
    intents: list[Literal["complaint", "question", "praise", "crisis_signal"]]
    risk: float = Field(ge=0.0, le=1.0)


class ScoreOut(BaseModel):
    results: list[ScoreResultOut]

"""Inputs and results of the enrichment library (frozen pydantic models).

``ScoreResult`` is exactly one result of ``POST /v1/score`` (docs: shared API.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.sentiment.nlp._construct import build
from services.sentiment.nlp.intents import CrisisCategory, Intent
from services.sentiment.nlp.risk import Engagement, RiskFactors
from services.sentiment.nlp.stakeholders import Author, StakeholderType


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Sentiment(BaseModel):
    """Label, score in [-1, 1] (p(positive) - p(negative)) and confidence (top probability)."""

    model_config = ConfigDict(frozen=True)

    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)


class ScoreResult(BaseModel):
    """One result of ``POST /v1/score`` and one line of ``uitkijk score``."""

    model_config = ConfigDict(frozen=True)

    language: str
    sentiment: Sentiment
    intents: tuple[Intent, ...]
    risk: float = Field(ge=0.0, le=1.0)


class EnrichInput(BaseModel):
    """One mention to enrich.  ``language`` is a hint that is respected when given.

    ``known_accounts`` (lower-case handle without ``@`` -> stakeholder type) is the tenant's
    list; pass it once to ``Enricher.enrich`` for a batch, or here to override it per mention.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    language: str | None = None
    author: Author | None = None
    engagement: Engagement | None = None
    platform: str | None = None
    known_accounts: Mapping[str, StakeholderType] | None = None


class Enrichment(BaseModel):
    """Everything the enricher determined about a mention, with the risk's factors."""

    model_config = ConfigDict(frozen=True)

    language: str
    sentiment: Sentiment
    intents: tuple[Intent, ...]
    crisis_categories: tuple[CrisisCategory, ...]
    stakeholder: StakeholderType
    stakeholder_reason: str
    reach: float = Field(ge=0.0, le=1.0)
    risk: float = Field(ge=0.0, le=1.0)
    risk_factors: RiskFactors
    model_version: str

    def to_score_result(self) -> ScoreResult:
        return build(
            ScoreResult,
            {
                "language": self.language,
                "sentiment": self.sentiment,
                "intents": self.intents,
                "risk": self.risk,
            },
        )

"""Pure, I/O-free enrichment of mentions: language, sentiment, intents, stakeholder, reach, risk.

Entry points: :func:`load_enricher` -> :class:`Enricher` (``enrich``, ``score_texts``), topic
queries (:mod:`.topics`), emerging terms (:mod:`.emerging`).  See docs/MODEL_CARD.md.
"""

from services.sentiment.nlp.enricher import Enricher, load_enricher
from services.sentiment.nlp.intents import CrisisCategory, Intent
from services.sentiment.nlp.models import (
    HashedLinearModel,
    ModelLoadError,
    OnnxSentimentModel,
    SentimentModel,
)
from services.sentiment.nlp.risk import Engagement, RiskFactors
from services.sentiment.nlp.schemas import (
    EnrichInput,
    Enrichment,
    ScoreResult,
    Sentiment,
    SentimentLabel,
)
from services.sentiment.nlp.stakeholders import Author, StakeholderType

__all__ = [
    "Author",
    "CrisisCategory",
    "Engagement",
    "EnrichInput",
    "Enricher",
    "Enrichment",
    "HashedLinearModel",
    "Intent",
    "ModelLoadError",
    "OnnxSentimentModel",
    "RiskFactors",
    "ScoreResult",
    "Sentiment",
    "SentimentLabel",
    "SentimentModel",
    "StakeholderType",
    "load_enricher",
]

"""Reading the read model: mentions with their enrichment, filtered and paged."""

from __future__ import annotations

from typing import Literal, cast

from services.common.contracts import Platform
from services.sentiment.mentions.schemas import AuthorRead, ScoredMentionRead, SentimentRead
from services.sentiment.mentions.tables import EnrichedMention


def to_read(m: EnrichedMention) -> ScoredMentionRead:
    return ScoredMentionRead.model_construct(
        id=m.id,
        platform=Platform(m.platform),
        external_id=m.external_id,
        created_at=m.created_at,
        text=m.text,
        url=m.url,
        author=AuthorRead.model_construct(
            handle=m.author_handle, name=m.author_name, followers=m.author_followers
        ),
        language=m.language,
        sentiment=SentimentRead.model_construct(
            label=cast(Literal["negative", "neutral", "positive"], m.sentiment),
            score=m.sentiment_score,
            confidence=m.confidence,
        ),
        intents=list(m.intents),
        crisis_categories=list(m.crisis_categories),
        stakeholder=m.stakeholder,
        reach=m.reach,
        risk=m.risk,
        risk_factors=dict(m.risk_factors),
        topics=list(m.topics),
        model_version=m.model_version,
        scored_at=m.scored_at,
    )

"""On-demand scoring: the texts of ``POST /v1/score`` and ``uitkijk score`` in their result shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.sentiment.nlp import Enricher


def score(
    enricher: Enricher, texts: Sequence[str], language: str | None, max_chars: int
) -> list[dict[str, Any]]:
    """One result per text, in order; each text is scored on its first ``max_chars`` characters."""
    clipped = [t if len(t) <= max_chars else t[:max_chars] for t in texts]
    results = enricher.score_texts(clipped, language)
    return [
        {
            "language": r.language,
            "sentiment": {
                "label": r.sentiment.label.value,
                "score": round(r.sentiment.score, 4),
                "confidence": round(r.sentiment.confidence, 4),
            },
            "intents": [i.value for i in r.intents],
            "risk": r.risk,
        }
        for r in results
    ]

"""A page of mentions is mapped from decoded JSON (the hot path) exactly as from validated models."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest

from gateway.rest.sentiment import EnrichedMention
from gateway.schema.mentions import Mention

ITEM: dict[str, Any] = {
    "id": "80ad7523526c48b59816b5bcb09ffe38",
    "platform": "x",
    "external_id": "9fc3e11b",
    "created_at": "2026-11-29T05:39:09.819679Z",
    "text": "Is de app nu weer bereikbaar?",
    "url": "https://x.com/a/status/199",
    "author": {"handle": "user12", "name": "Some One", "followers": 19900},
    "language": "nl",
    "sentiment": {"label": "negative", "score": -0.3848, "confidence": 0.4715},
    "intents": ["question", "crisis_signal"],
    "crisis_categories": ["outage"],
    "stakeholder": "customer",
    "reach": 0.7165,
    "risk": 0,
    "risk_factors": {"reach": 0.7165, "crisis": 1, "crisis_categories": ["outage"], "x": True},
    "topics": ["app"],
    "model_version": "hashlin-2026.11.29",
    "scored_at": "2026-11-29T06:35:51.203668+00:00",
}

MINIMAL = {"id": "m1", "platform": "nonsense", "created_at": "2026-11-29T05:39:09Z"}


@pytest.mark.parametrize("item", [ITEM, MINIMAL, {**ITEM, "sentiment": {"label": "odd"}}])
def test_items_and_models_give_the_same_mention(item: dict[str, Any]) -> None:
    from_json = Mention.from_item(orjson.loads(orjson.dumps(item)))
    from_model = Mention.from_rest(EnrichedMention.model_validate_json(orjson.dumps(item)))
    assert from_json == from_model
    assert from_json.created_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({k: v for k, v in ITEM.items() if k != "id"}, KeyError),
        ({**ITEM, "id": 7}, TypeError),
        ({**ITEM, "created_at": None}, TypeError),
        ({**ITEM, "created_at": "yesterday"}, ValueError),
        ({**ITEM, "reach": "far"}, ValueError),
    ],
)
def test_an_item_of_the_wrong_shape_raises(item: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Mention.from_item(item)


def test_an_event_gives_the_same_mention_as_its_model() -> None:
    from pathlib import Path

    from gateway.rest.sentiment import AuthorBrief, SentimentRest
    from services.common.contracts.events import MentionScoredEventV1

    golden = Path(__file__).parents[1] / "contracts/golden/mention_scored_event_v1.example.json"
    m = MentionScoredEventV1.model_validate_json(golden.read_bytes()).mention
    via_model = Mention.from_rest(
        EnrichedMention(
            id=m.id,
            platform=m.platform.value,
            created_at=m.created_at,
            text=m.text,
            url=m.url,
            author=AuthorBrief(handle=m.author_handle, followers=m.author_followers),
            language=m.language,
            sentiment=SentimentRest(
                label=m.sentiment, score=m.sentiment_score, confidence=m.confidence
            ),
            intents=list(m.intents),
            crisis_categories=list(m.crisis_categories),
            stakeholder=m.stakeholder,
            reach=m.reach,
            risk=m.risk,
            topics=list(m.topics),
            model_version=m.model_version,
        )
    )
    assert Mention.from_event(m) == via_model


def test_a_mapped_mention_sets_every_field_as_the_constructor_would() -> None:
    mention = Mention.from_item(ITEM)
    for obj in (mention, mention.sentiment, mention.author, mention.risk_factors):
        names = [f.name for f in dataclasses.fields(obj) if f.init]
        assert list(vars(obj)) == names, type(obj).__name__
        assert type(obj)(**vars(obj)) == obj

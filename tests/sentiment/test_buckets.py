"""The counter arithmetic (pure): a re-scored mention moves its counts, never doubles them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.sentiment.analytics.buckets import Facets, delta

pytestmark = pytest.mark.sqlite  # pure: no database, runs everywhere

AT = datetime(2026, 11, 28, 9, 15, 42, tzinfo=UTC)


def _facets(**overrides: object) -> Facets:
    values: dict[str, object] = {
        "created_at": AT,
        "platform": "x",
        "language": "nl",
        "sentiment": "negative",
        "intents": ("complaint",),
        "stakeholder": "customer",
        "topics": ("app",),
    }
    values.update(overrides)
    return Facets(**values)  # type: ignore[arg-type]


def test_the_same_scoring_again_changes_nothing() -> None:
    assert delta([_facets()], [_facets()]) == {}


def test_a_new_scoring_moves_exactly_the_changed_counts() -> None:
    change = delta([_facets()], [_facets(sentiment="neutral", topics=())])
    minute = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
    assert change[("minute", minute, "", "sentiment", "negative", "negative")] == -1
    assert change[("minute", minute, "", "sentiment", "neutral", "neutral")] == 1
    assert change[("minute", minute, "", "topic", "app", "negative")] == -1
    assert change[("minute", minute, "app", "platform", "x", "negative")] == -1
    assert not any(key[2] == "app" and n > 0 for key, n in change.items())
    assert sum(n for key, n in change.items() if key[3] == "sentiment" and key[2] == "") == 0


def test_a_first_scoring_counts_every_dimension_per_minute_and_hour() -> None:
    change = delta([], [_facets(intents=())])
    hour = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert change[("hour", hour, "", "intent", "none", "negative")] == 1
    assert {key[3] for key in change} == {
        "sentiment", "platform", "language", "intent", "stakeholder", "topic",
    }  # fmt: skip
    assert all(n == 1 for n in change.values())

"""Which aggregate counters one scored mention contributes to (pure, no I/O).

A re-scored mention subtracts its previous contributions and adds its new ones in the same
transaction, so the counters stay exact under replays and model upgrades.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final


class Granularity(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=1) if self is Granularity.MINUTE else timedelta(hours=1)

    def floor(self, at: datetime) -> datetime:
        if self is Granularity.MINUTE:
            return at.replace(second=0, microsecond=0)
        return at.replace(minute=0, second=0, microsecond=0)


class Dimension(StrEnum):
    SENTIMENT = "sentiment"
    PLATFORM = "platform"
    LANGUAGE = "language"
    INTENT = "intent"
    STAKEHOLDER = "stakeholder"
    TOPIC = "topic"


#: The ``value`` of the intent dimension for a mention without any intent.
NO_INTENT: Final = "none"
#: The ``topic`` of counters over every mention (not one topic's).
ALL_TOPICS: Final = ""

#: (granularity, bucket_start, topic, dimension, value, sentiment)
BucketKey = tuple[str, datetime, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Facets:
    """The fields of a scored mention that the counters split by."""

    created_at: datetime
    platform: str
    language: str
    sentiment: str
    intents: Sequence[str]
    stakeholder: str
    topics: Sequence[str]


def keys_of(facets: Facets) -> Iterable[BucketKey]:
    """The counters one mention adds 1 to (per minute and per hour, overall and per topic)."""
    s = facets.sentiment
    intents = facets.intents or (NO_INTENT,)
    for granularity in Granularity:
        start = granularity.floor(facets.created_at)
        g = granularity.value
        for topic in (ALL_TOPICS, *facets.topics):
            yield (g, start, topic, "sentiment", s, s)
            yield (g, start, topic, "platform", facets.platform, s)
            yield (g, start, topic, "language", facets.language, s)
            yield (g, start, topic, "stakeholder", facets.stakeholder, s)
            for intent in intents:
                yield (g, start, topic, "intent", intent, s)
        for topic in facets.topics:
            yield (g, start, ALL_TOPICS, "topic", topic, s)


def _by_minute(facets: Iterable[Facets]) -> Counter[Facets]:
    """Mentions that fall in one minute with the same facets add to the same counters: group
    them first (a batch of hundreds usually has a few dozen such groups)."""
    groups: Counter[Facets] = Counter()
    for f in facets:
        groups[
            Facets(
                created_at=f.created_at.replace(second=0, microsecond=0),
                platform=f.platform,
                language=f.language,
                sentiment=f.sentiment,
                intents=tuple(f.intents),
                stakeholder=f.stakeholder,
                topics=tuple(f.topics),
            )
        ] += 1
    return groups


def delta(before: Iterable[Facets], after: Iterable[Facets]) -> dict[BucketKey, int]:
    """Counter changes that turn the ``before`` contributions into the ``after`` ones."""
    change: Counter[BucketKey] = Counter()
    for facets, n in _by_minute(after).items():
        for key in keys_of(facets):
            change[key] += n
    for facets, n in _by_minute(before).items():
        for key in keys_of(facets):
            change[key] -= n
    return {key: n for key, n in change.items() if n}

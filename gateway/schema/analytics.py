"""Analytics from the sentiment service: trends, share of voice, emerging terms."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.ids import to_global_id
from gateway.rest.sentiment import (
    EmergingRest,
    EmergingTermRest,
    ExampleRest,
    ShareOfVoiceRest,
    TrendBucketRest,
    TrendsRest,
    VoiceShareRest,
)


@strawberry.enum
class Interval(Enum):
    MINUTE = "minute"
    HOUR = "hour"


@strawberry.enum(description="What a trend's counts are split by.")
class TrendSplit(Enum):
    SENTIMENT = "sentiment"
    PLATFORM = "platform"
    LANGUAGE = "language"
    INTENT = "intent"
    STAKEHOLDER = "stakeholder"
    TOPIC = "topic"


@strawberry.type
class TrendCount:
    key: str
    count: int


@strawberry.type(description="Mentions in one time bucket, split by one dimension.")
class TrendPoint:
    start: datetime
    total: int
    counts: list[TrendCount] = strawberry.field(description="Per value of the split.")

    @classmethod
    def from_rest(cls, b: TrendBucketRest, keys: list[str]) -> TrendPoint:
        return cls(
            start=b.start,
            total=b.total,
            counts=[TrendCount(key=k, count=b.counts.get(k, 0)) for k in keys],
        )


@strawberry.type(description="A dense series of buckets (empty ones included).")
class Trend:
    interval: Interval
    split: TrendSplit
    topic: str | None
    since: datetime
    until: datetime
    keys: list[str]
    points: list[TrendPoint]

    @classmethod
    def from_rest(cls, t: TrendsRest) -> Trend:
        return cls(
            interval=Interval(t.interval),
            split=TrendSplit(t.split),
            topic=t.topic,
            since=t.since,
            until=t.until,
            keys=list(t.keys),
            points=[TrendPoint.from_rest(b, t.keys) for b in t.buckets],
        )


@strawberry.type
class SentimentSplit:
    negative: int
    neutral: int
    positive: int


@strawberry.type(description="One topic's share of the mentions of the topics compared.")
class ShareOfVoice:
    topic: str
    mentions: int
    share: float
    sentiment: SentimentSplit
    net_sentiment: float = strawberry.field(description="(positive - negative) / mentions.")

    @classmethod
    def from_rest(cls, s: VoiceShareRest) -> ShareOfVoice:
        split = s.sentiment
        return cls(
            topic=s.topic,
            mentions=s.count,
            share=s.share,
            sentiment=SentimentSplit(
                negative=split.negative, neutral=split.neutral, positive=split.positive
            ),
            net_sentiment=s.net_sentiment,
        )

    @classmethod
    def many(cls, answer: ShareOfVoiceRest) -> list[ShareOfVoice]:
        return [cls.from_rest(s) for s in answer.items]


@strawberry.type
class EmergingExample:
    mention_id: strawberry.ID
    text: str
    created_at: datetime | None

    @classmethod
    def from_rest(cls, e: ExampleRest) -> EmergingExample:
        return cls(
            mention_id=strawberry.ID(to_global_id("Mention", e.id)),
            text=e.text,
            created_at=e.created_at,
        )


@strawberry.type(description="A term rising above its baseline (z-score of the log-odds ratio).")
class EmergingTerm:
    term: str
    count: int
    baseline_count: int
    score: float
    delta: float
    examples: list[EmergingExample]

    @classmethod
    def from_rest(cls, e: EmergingTermRest) -> EmergingTerm:
        return cls(
            term=e.term,
            count=e.count,
            baseline_count=e.baseline_count,
            score=e.score,
            delta=e.delta,
            examples=[EmergingExample.from_rest(x) for x in e.examples],
        )

    @classmethod
    def many(cls, answer: EmergingRest) -> list[EmergingTerm]:
        return [cls.from_rest(t) for t in answer.terms]

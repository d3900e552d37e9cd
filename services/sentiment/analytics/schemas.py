"""The public shapes of ``/v1/trends``, ``/v1/share-of-voice`` and ``/v1/topics/emerging``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.sentiment.analytics.buckets import Dimension, Granularity


class TrendBucket(BaseModel):
    start: datetime
    total: int = Field(description="Mentions in the bucket (of the topic, if one is given)")
    counts: dict[str, int] = Field(description="Per value of the split; absent values are 0")


class TrendsOut(BaseModel):
    """A dense series: every bucket of [since, until), empty ones included."""

    interval: Granularity
    split: Dimension
    topic: str | None
    since: datetime
    until: datetime
    keys: list[str] = Field(description="Every value of the split seen in the window")
    buckets: list[TrendBucket]


class SentimentSplit(BaseModel):
    negative: int = 0
    neutral: int = 0
    positive: int = 0


class VoiceShare(BaseModel):
    topic: str
    count: int
    share: float = Field(ge=0.0, le=1.0, description="count / sum of counts of the topics listed")
    sentiment: SentimentSplit
    net_sentiment: float = Field(ge=-1.0, le=1.0, description="(positive - negative) / count")


class ShareOfVoiceOut(BaseModel):
    since: datetime
    until: datetime
    interval: Granularity = Field(description="The buckets the window was counted in")
    total: int
    items: list[VoiceShare]


class Example(BaseModel):
    id: str
    text: str
    created_at: datetime


class EmergingTermOut(BaseModel):
    term: str
    count: int = Field(description="Mentions in the window that contain the term")
    baseline_count: int
    score: float = Field(description="z-score of the log-odds ratio (window vs baseline)")
    delta: float = Field(description="log-odds ratio")
    examples: list[Example]


class EmergingOut(BaseModel):
    since: datetime
    until: datetime
    baseline_since: datetime
    baseline_until: datetime
    mentions: int
    baseline_mentions: int
    terms: list[EmergingTermOut]

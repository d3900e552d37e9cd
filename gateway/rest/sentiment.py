from __future__ import annotations

from datetime import datetime

from pydantic import Field

from gateway.rest.base import Rest


class SentimentRest(Rest):
    label: str = "neutral"
    score: float = 0.0
    confidence: float = 0.0


class AuthorBrief(Rest):
    handle: str | None = None
    name: str | None = None
    followers: int | None = None


class EnrichedMention(Rest):
    """``GET /v1/mentions`` on sentiment: a mention with its enrichment (the read model).

    Parsed straight from the JSON bytes (no Python validators: this is the hot path).
    """

    id: str
    platform: str
    created_at: datetime
    text: str = ""
    url: str | None = None
    external_id: str | None = None
    author: AuthorBrief = AuthorBrief()
    language: str | None = None
    sentiment: SentimentRest = SentimentRest()
    intents: list[str] = Field(default_factory=list)
    crisis_categories: list[str] = Field(default_factory=list)
    stakeholder: str = "unknown"
    reach: float = 0.0
    risk: float = 0.0
    #: Numbers, and ``crisis_categories`` (a list): only the numbers are factors.
    risk_factors: dict[str, float | int | list[str] | str | None] = Field(default_factory=dict)
    topics: list[str] = Field(default_factory=list)
    model_version: str | None = None
    scored_at: datetime | None = None


class TrendBucketRest(Rest):
    start: datetime
    total: int = 0
    counts: dict[str, int] = Field(default_factory=dict)


class TrendsRest(Rest):
    interval: str
    split: str
    topic: str | None = None
    since: datetime
    until: datetime
    keys: list[str] = Field(default_factory=list)
    buckets: list[TrendBucketRest] = Field(default_factory=list)


class SentimentSplitRest(Rest):
    negative: int = 0
    neutral: int = 0
    positive: int = 0


class VoiceShareRest(Rest):
    topic: str
    count: int = 0
    share: float = 0.0
    sentiment: SentimentSplitRest = SentimentSplitRest()
    net_sentiment: float = 0.0


class ShareOfVoiceRest(Rest):
    since: datetime
    until: datetime
    total: int = 0
    items: list[VoiceShareRest] = Field(default_factory=list)


class ExampleRest(Rest):
    id: str
    text: str = ""
    created_at: datetime | None = None


class EmergingTermRest(Rest):
    term: str
    count: int = 0
    baseline_count: int = 0
    score: float = 0.0
    delta: float = 0.0
    examples: list[ExampleRest] = Field(default_factory=list)


class EmergingRest(Rest):
    since: datetime
    until: datetime
    mentions: int = 0
    baseline_mentions: int = 0
    terms: list[EmergingTermRest] = Field(default_factory=list)


class TopicRest(Rest):
    id: str
    name: str
    kind: str = "keyword_group"
    query: str = ""
    languages: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class KnownAccountRest(Rest):
    id: str
    handle: str
    platform: str | None = None
    stakeholder: str
    note: str | None = None
    updated_at: datetime | None = None


class KnownAccountsOut(Rest):
    upserted: int
    items: list[KnownAccountRest]

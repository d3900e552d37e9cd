"""Mentions with their enrichment (sentiment service), authors and engagement (ingest)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry

from gateway.context import Info
from gateway.ids import to_global_id
from gateway.rest.ingest import RawMention
from gateway.rest.sentiment import EnrichedMention
from gateway.schema.relay import Node
from services.common.contracts.mentions import Platform as PlatformValues
from services.common.contracts.scored import ScoredMentionV1

Platform = strawberry.enum(PlatformValues, name="Platform")


@strawberry.enum
class SentimentLabel(Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@strawberry.type
class Sentiment:
    label: SentimentLabel
    score: float = strawberry.field(description="p(positive) - p(negative), in [-1, 1].")
    confidence: float


@strawberry.type(description="The inputs of a mention's risk, each in [0, 1].")
class RiskFactors:
    negativity: float | None
    crisis: float | None
    complaint: float | None
    reach: float | None
    stakeholder_weight: float | None
    signal: float | None
    exposure: float | None

    @classmethod
    def from_map(cls, factors: Mapping[str, object]) -> RiskFactors:
        values = list(map(factors.get, _FACTORS))
        if set(map(type, values)) != _FLOAT_ONLY:
            values = [_factor(value) for value in values]
        return _made(cls, dict(zip(_FACTORS, values, strict=True)))


def _factor(value: object) -> float | None:
    if type(value) is float:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


_FACTORS = (
    "negativity", "crisis", "complaint", "reach", "stakeholder_weight", "signal", "exposure"
)  # fmt: skip
_FLOAT_ONLY = {float}
_EMPTY: Mapping[str, Any] = {}
_T = TypeVar("_T")


def _made(cls: type[_T], fields: dict[str, Any]) -> _T:
    """An instance of a strawberry type from all of its fields, without the dataclass
    ``__init__`` (which binds each field as a keyword: a fifth of mapping a page). Only for
    plain types (no ``__post_init__``, no defaults to fill); equal to ``cls(**fields)``."""
    obj = object.__new__(cls)
    obj.__dict__ = fields
    return obj


#: Enum members by value: a dict lookup, not ``Enum.__call__`` (a page makes a hundred).
_LABELS = {member.value: member for member in SentimentLabel}
_PLATFORMS = {member.value: member for member in PlatformValues}


def _missing(name: str) -> Any:
    raise TypeError(f"{name} is null")


def _datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise TypeError(f"{value!r} is not a date-time")


@strawberry.type
class Engagement:
    likes: int
    shares: int
    replies: int
    views: int


async def _raw(info: Info, mention_id: str) -> RawMention | None:
    raw: RawMention | None = await info.context.loaders.raw_mention.load(mention_id)
    return raw


@strawberry.type(
    description="Who wrote a mention. Verified, bio and url come from ingest (batched)."
)
class Author:
    handle: str | None
    name: str | None
    followers: int | None
    mention_id: strawberry.Private[str]

    @strawberry.field
    async def verified(self, info: Info) -> bool:
        raw = await _raw(info, self.mention_id)
        return raw.author.verified if raw else False

    @strawberry.field
    async def bio(self, info: Info) -> str | None:
        raw = await _raw(info, self.mention_id)
        return raw.author.bio if raw else None

    @strawberry.field
    async def url(self, info: Info) -> str | None:
        raw = await _raw(info, self.mention_id)
        return raw.author.url if raw else None


@strawberry.type(description="A mention with its enrichment.")
class Mention(Node):
    platform: Platform  # type: ignore[valid-type]
    text: str
    url: str | None
    created_at: datetime
    language: str | None
    sentiment: Sentiment
    intents: list[str]
    crisis_categories: list[str]
    stakeholder: str = strawberry.field(
        description="customer, media, analyst, investor, employee, politician or unknown."
    )
    reach: float
    risk: float = strawberry.field(description="In [0, 1].")
    risk_factors: RiskFactors
    topics: list[str]
    model_version: str | None
    scored_at: datetime | None
    author: Author
    external_id: str | None = strawberry.field(description="The platform's own id of the post.")
    raw_id: strawberry.Private[str]

    @strawberry.field
    async def engagement(self, info: Info) -> Engagement | None:
        raw = await _raw(info, self.raw_id)
        if raw is None:
            return None
        e = raw.engagement
        return Engagement(likes=e.likes, shares=e.shares, replies=e.replies, views=e.views)

    @strawberry.field
    async def in_reply_to(self, info: Info) -> str | None:
        raw = await _raw(info, self.raw_id)
        return raw.in_reply_to if raw else None

    @strawberry.field
    async def thread_id(self, info: Info) -> str | None:
        raw = await _raw(info, self.raw_id)
        return raw.thread_id if raw else None

    @strawberry.field
    async def ingested_at(self, info: Info) -> datetime | None:
        raw = await _raw(info, self.raw_id)
        return raw.ingested_at if raw else None

    @classmethod
    def from_rest(cls, m: EnrichedMention) -> Mention:
        return cls.from_item(m.model_dump())

    @classmethod
    def from_item(cls, m: Mapping[str, Any]) -> Mention:
        """One item of ``GET /v1/mentions`` on sentiment, as JSON decodes it (the hot path: a
        page is read with orjson, not validated into models first). A missing required member
        raises ``KeyError``, a value of the wrong kind ``TypeError`` or ``ValueError``."""
        raw_id = m["id"]
        if type(raw_id) is not str:
            raise TypeError(f"mention id {raw_id!r} is not a string")
        sentiment = m.get("sentiment") or _EMPTY
        author = m.get("author") or _EMPTY
        followers = author.get("followers")
        # Every field of each type, in declaration order (a test compares with the constructor).
        return _made(
            cls,
            {
                "id": to_global_id("Mention", raw_id),
                "platform": _PLATFORMS.get(m["platform"], PlatformValues.OTHER),
                "text": m.get("text", ""),
                "url": m.get("url"),
                "created_at": _datetime(m["created_at"]) or _missing("created_at"),
                "language": m.get("language"),
                "sentiment": _made(
                    Sentiment,
                    {
                        "label": _LABELS.get(str(sentiment.get("label")), SentimentLabel.NEUTRAL),
                        "score": float(sentiment.get("score", 0.0)),
                        "confidence": float(sentiment.get("confidence", 0.0)),
                    },
                ),
                "intents": list(m.get("intents", ())),
                "crisis_categories": list(m.get("crisis_categories", ())),
                "stakeholder": m.get("stakeholder", "unknown"),
                "reach": float(m.get("reach", 0.0)),
                "risk": float(m.get("risk", 0.0)),
                "risk_factors": RiskFactors.from_map(m.get("risk_factors") or _EMPTY),
                "topics": list(m.get("topics", ())),
                "model_version": m.get("model_version"),
                "scored_at": _datetime(m.get("scored_at")),
                "author": _made(
                    Author,
                    {
                        "handle": author.get("handle"),
                        "name": author.get("name"),
                        "followers": None if followers is None else int(followers),
                        "mention_id": raw_id,
                    },
                ),
                "external_id": m.get("external_id"),
                "raw_id": raw_id,
            },
        )

    @classmethod
    def from_event(cls, m: ScoredMentionV1) -> Mention:
        """A mention from a ``mention.scored`` event (the queue contract's flat shape)."""
        return cls.from_item(
            {
                "id": m.id,
                "platform": m.platform.value,
                "created_at": m.created_at,
                "text": m.text,
                "url": m.url,
                "author": {"handle": m.author_handle, "followers": m.author_followers},
                "language": m.language,
                "sentiment": {
                    "label": m.sentiment,
                    "score": m.sentiment_score,
                    "confidence": m.confidence,
                },
                "intents": m.intents,
                "crisis_categories": m.crisis_categories,
                "stakeholder": m.stakeholder,
                "reach": m.reach,
                "risk": m.risk,
                "topics": m.topics,
                "model_version": m.model_version,
            }
        )


@strawberry.input(description="Mirrors `GET /v1/mentions` on sentiment: lists accept any value.")
class MentionFilter:
    platforms: list[Platform] | None = None  # type: ignore[valid-type]
    sentiments: list[SentimentLabel] | None = None
    negative_only: bool = strawberry.field(default=False, description="Same as [NEGATIVE].")
    languages: list[str] | None = None
    intents: list[str] | None = None
    stakeholders: list[str] | None = None
    topics: list[str] | None = strawberry.field(default=None, description="Topic names.")
    min_risk: float | None = None
    since: datetime | None = strawberry.field(default=None, description="createdAt >= since")
    until: datetime | None = strawberry.field(default=None, description="createdAt < until")
    author: str | None = strawberry.field(default=None, description="Handle, with or without @.")
    q: str | None = strawberry.field(default=None, description="Text contains.")


def mention_params(f: MentionFilter | None) -> dict[str, str | float | list[str] | None]:
    if f is None:
        return {}
    sentiments = [SentimentLabel.NEGATIVE] if f.negative_only else f.sentiments
    return {
        "platform": [PlatformValues(p).value for p in f.platforms] if f.platforms else None,
        "sentiment": [s.value for s in sentiments] if sentiments else None,
        "language": f.languages,
        "intent": f.intents,
        "stakeholder": f.stakeholders,
        "topic": f.topics,
        "min_risk": f.min_risk,
        "since": f.since.isoformat() if f.since else None,
        "until": f.until.isoformat() if f.until else None,
        "author": f.author,
        "q": f.q,
    }

"""Inputs and outputs of the detectors: pure data, no I/O.

The service maps its scored mentions (``ScoredMentionV1`` of the shared contracts fits
:class:`MentionLike` as is) and gets back :class:`Signal` objects to fold into incidents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class SignalKind(StrEnum):
    """What kind of evidence a signal is; also the ``detector`` a playbook trigger names."""

    VOLUME_SPIKE = "volume_spike"
    NEGATIVE_SPIKE = "negative_spike"
    NEGATIVE_SHARE = "negative_share"
    RISK_SPIKE = "risk_spike"
    CRISIS_SIGNAL = "crisis_signal"
    KEYWORD = "keyword"
    STAKEHOLDER = "stakeholder"
    FOLLOWERS = "followers"
    RISK = "risk"


#: Kinds that mean "something is going wrong" rather than "something is going on".
CRISIS_KINDS: frozenset[SignalKind] = frozenset(
    {
        SignalKind.NEGATIVE_SPIKE,
        SignalKind.NEGATIVE_SHARE,
        SignalKind.RISK_SPIKE,
        SignalKind.CRISIS_SIGNAL,
        SignalKind.KEYWORD,
        SignalKind.STAKEHOLDER,
        SignalKind.FOLLOWERS,
        SignalKind.RISK,
    }
)


class MentionLike(Protocol):
    """The attributes the detectors read from a scored mention (``ScoredMentionV1`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def risk(self) -> float: ...
    @property
    def stakeholder(self) -> str: ...
    @property
    def author_followers(self) -> int | None: ...
    @property
    def intents(self) -> Sequence[str]: ...
    @property
    def crisis_categories(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class ScoredMention:
    """A minimal concrete :class:`MentionLike` for tests, drills and benches."""

    id: str
    created_at: datetime
    text: str = ""
    language: str = "nl"
    sentiment: str = "neutral"
    risk: float = 0.0
    stakeholder: str = "unknown"
    author_followers: int | None = None
    intents: tuple[str, ...] = ()
    crisis_categories: tuple[str, ...] = ()


#: The intent the sentiment service gives a mention that names a crisis (a leak, an outage, a
#: recall, fraud, a lawsuit, a boycott, a safety issue); its categories come with it.
CRISIS_INTENT = "crisis_signal"

#: The crisis categories the sentiment service gives (``services.sentiment.nlp.intents``); the
#: detectors keep a crisis-signal series per category (``categories``).
CRISIS_CATEGORIES: tuple[str, ...] = (
    "data_leak",
    "outage",
    "recall",
    "fraud",
    "lawsuit",
    "boycott",
    "safety",
)


@dataclass(frozen=True, slots=True)
class MinuteCounts:
    """Counts of one topic in one bucket (a minute in the service).

    ``start`` is the aware start of the bucket; ``risk`` is the sum of per-mention risk;
    ``crisis`` counts the mentions with the crisis-signal intent (None: not known, that detector
    then neither learns nor fires for the bucket); ``crisis_categories`` counts them per crisis
    category (a mention counts in each of its categories; None: not known).
    """

    start: datetime
    total: int
    negative: int = 0
    risk: float = 0.0
    crisis: int | None = None
    crisis_categories: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("MinuteCounts.start must be timezone-aware")
        if self.negative > self.total or self.total < 0 or self.negative < 0:
            raise ValueError("need 0 <= negative <= total")
        if self.crisis is not None and not 0 <= self.crisis <= self.total:
            raise ValueError("need 0 <= crisis <= total")


class Evidence(BaseModel):
    """Why a signal fired, in numbers and in words. Optional fields depend on the kind."""

    model_config = ConfigDict(frozen=True)

    why: str
    observed: float
    expected: float | None = None
    statistic: float | None = Field(
        default=None, description="-log10 of the tail probability, where one applies"
    )
    p_value: float | None = None
    window_seconds: int | None = None
    observed_share: float | None = None
    baseline_share: float | None = None
    keywords: tuple[str, ...] = ()
    stakeholder_types: tuple[str, ...] = ()
    max_followers: int | None = None
    max_risk: float | None = None
    mention_ids: tuple[str, ...] = ()


class Signal(BaseModel):
    """One detector firing for one tenant and topic at one moment."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    topic: str
    kind: SignalKind
    detector: str = Field(description="rule name: the kind for spikes, the rule name for triggers")
    at: AwareDatetime
    score: float = Field(ge=0.0, le=1.0)
    evidence: Evidence

    @property
    def is_crisis(self) -> bool:
        return self.kind in CRISIS_KINDS


def utc_from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)

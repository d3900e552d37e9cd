"""Small typed factories for the playbook logic tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from services.playbook.detection import Evidence, ScoredMention, Signal, SignalKind

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, 00:00 UTC
FIRST_BUCKET = int(START.timestamp() // 60)
F = npt.NDArray[np.float64]


def seasonal_series(weeks: int, peak: float, share: float, seed: int = 1) -> tuple[F, F]:
    """Per-minute (total, negative) counts with a daily cycle and quieter weekends."""
    rng = np.random.default_rng(seed)
    minutes = weeks * 7 * 1440
    t = np.arange(minutes)
    hour = (t % 1440) / 60.0
    daily = 0.05 + 0.95 * np.exp(-0.5 * ((hour - 14.0) / 4.0) ** 2)
    weekend = np.where((t // 1440) % 7 >= 5, 0.7, 1.0)
    total = rng.poisson(peak * daily * weekend).astype(np.float64)
    negative = rng.binomial(total.astype(np.int64), share).astype(np.float64)
    return total, negative


def minute_index(day: int, hour: int, minute: int = 0) -> int:
    return day * 1440 + hour * 60 + minute


def mention(
    i: int,
    at: datetime,
    text: str = "",
    *,
    sentiment: str = "neutral",
    language: str = "nl",
    stakeholder: str = "customer",
    followers: int | None = 100,
    risk: float = 0.1,
) -> ScoredMention:
    return ScoredMention(
        id=f"m{i}",
        created_at=at,
        text=text,
        language=language,
        sentiment=sentiment,
        risk=risk,
        stakeholder=stakeholder,
        author_followers=followers,
    )


def signal(
    kind: SignalKind,
    *,
    detector: str | None = None,
    at: datetime = START,
    score: float = 0.7,
    observed: float = 1.0,
    keywords: tuple[str, ...] = (),
    stakeholder_types: tuple[str, ...] = (),
    window_seconds: int | None = None,
    max_followers: int | None = None,
    max_risk: float | None = None,
    topic: str = "duinzorg",
) -> Signal:
    return Signal(
        tenant="t1",
        topic=topic,
        kind=kind,
        detector=detector or kind.value,
        at=at,
        score=score,
        evidence=Evidence(
            why="test",
            observed=observed,
            keywords=keywords,
            stakeholder_types=stakeholder_types,
            window_seconds=window_seconds,
            max_followers=max_followers,
            max_risk=max_risk,
        ),
    )


def at_minute(minute: int, seconds: int = 0) -> datetime:
    return START + timedelta(minutes=minute, seconds=seconds)

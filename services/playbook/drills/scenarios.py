"""Scenarios for drills and the arithmetic of playing them back: no I/O.

A scenario is a list of mentions with ``offset_seconds`` from its start. Played at ``speed`` from
``started_at``, the mention at offset ``t`` is due at ``started_at + t / speed`` (wall clock) and
carries ``created_at = started_at + t`` (the scenario's own clock), so the detectors see the
per-minute volumes of the real thing rather than a compressed burst.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from services.playbook.scenarios.generator import generate_scenario, load_datalek_nl
from services.playbook.scenarios.model import DrillMention

Curve = Sequence[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class Shipped:
    load: Callable[[], list[DrillMention]]
    #: Scenario seconds at which the crisis starts (time to detect is counted from here).
    onset_seconds: float
    description: str


SHIPPED: dict[str, Shipped] = {
    "datalek_nl": Shipped(
        load=load_datalek_nl,
        # 09:35 in the file: the first journalist asks about leaked customer data.
        onset_seconds=5700,
        description=(
            "Dutch health insurer: 90 quiet minutes, a journalist asks about leaked customer "
            "data, a wave of complaints and questions over the next hour (about 3.5 hours)."
        ),
    ),
}


def curve_onset(curve: Curve, factor: float = 1.5) -> float | None:
    """Where a volume curve starts to climb: the start of the first segment whose rate ends above
    ``factor`` times the rate it began with. ``None`` for a flat or falling curve."""
    for (t0, r0), (_t1, r1) in pairwise(sorted(curve)):
        if r1 > r0 and r1 > factor * r0:
            return float(t0)
    return None


def generated(
    topic: str,
    language: Literal["nl", "en"],
    volume_curve: Curve,
    *,
    negative_share: float,
    seed: int,
    brand: str,
) -> list[DrillMention]:
    return generate_scenario(
        topic,
        language,
        list(volume_curve),
        negative_share=negative_share,
        seed=seed,
        brand=brand,
    )


def ordered(mentions: Sequence[DrillMention]) -> list[DrillMention]:
    return sorted(mentions, key=lambda m: (m.offset_seconds, m.external_id))


def duration(offsets: Sequence[float]) -> float:
    return float(offsets[-1]) if offsets else 0.0


def scenario_clock(started_at: datetime, now: datetime, speed: float) -> float:
    """Scenario seconds played by ``now``."""
    return max(0.0, (now - started_at).total_seconds() * speed)


def due_until(offsets: Sequence[float], clock: float) -> int:
    """How many mentions (a prefix of the sorted ``offsets``) are due at scenario time ``clock``."""
    return bisect.bisect_right(offsets, clock)


def due_at(started_at: datetime, offset_seconds: float, speed: float) -> datetime:
    """The wall-clock moment a mention at ``offset_seconds`` is sent."""
    return started_at + timedelta(seconds=offset_seconds / speed)


def wall_to_scenario(started_at: datetime, at: datetime, speed: float) -> float:
    return (at - started_at).total_seconds() * speed

"""The arithmetic of playing a scenario back, on a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.playbook.drills import scenarios
from services.playbook.drills.senders import queue_batch, rebase
from services.playbook.scenarios.generator import load_datalek_nl

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def test_the_scenario_clock_runs_at_the_drill_speed() -> None:
    assert scenarios.scenario_clock(T0, T0 + timedelta(seconds=90), speed=60) == 5400
    assert scenarios.scenario_clock(T0, T0 - timedelta(seconds=5), speed=60) == 0
    assert scenarios.due_at(T0, 5700, speed=60) == T0 + timedelta(seconds=95)
    assert scenarios.wall_to_scenario(T0, T0 + timedelta(seconds=95), speed=60) == 5700


def test_mentions_become_due_in_offset_order() -> None:
    offsets = [0.0, 10.0, 10.0, 60.0, 3600.0]
    assert scenarios.due_until(offsets, -1) == 0
    assert scenarios.due_until(offsets, 0) == 1
    assert scenarios.due_until(offsets, 10) == 3
    assert scenarios.due_until(offsets, 59.9) == 3
    assert scenarios.due_until(offsets, 10_000) == 5
    assert scenarios.duration(offsets) == 3600


@pytest.mark.parametrize(
    ("curve", "onset"),
    [
        ([(0, 2.0), (1800, 2.0), (2400, 20.0), (4000, 5.0)], 1800),
        ([(0, 0.0), (600, 0.0), (900, 4.0)], 600),
        ([(0, 5.0), (600, 6.0), (1200, 30.0)], 600),
        ([(0, 10.0), (600, 5.0)], None),
        ([(0, 3.0), (3600, 3.0)], None),
    ],
)
def test_a_generated_scenario_starts_its_crisis_where_the_curve_climbs(
    curve: list[tuple[int, float]], onset: float | None
) -> None:
    assert scenarios.curve_onset(curve) == onset


def test_the_shipped_dutch_data_leak_scenario() -> None:
    mentions = scenarios.ordered(load_datalek_nl())
    offsets = [m.offset_seconds for m in mentions]
    assert offsets == sorted(offsets) and len(mentions) > 200
    shipped = scenarios.SHIPPED["datalek_nl"]
    # The onset is the journalist's first question; nothing before it is about a data leak.
    first_alarm = min(m.offset_seconds for m in mentions if "datalek" in m.text.lower())
    assert shipped.onset_seconds == first_alarm == 5700
    assert all(m.language in ("nl", "en") for m in mentions)


def test_a_mention_is_dated_on_the_scenario_clock_and_fits_the_queue_contract() -> None:
    mention = load_datalek_nl()[0].model_dump(mode="json")
    wire = rebase(mention, T0)
    assert "offset_seconds" not in wire
    assert wire["created_at"] == (T0 + timedelta(seconds=mention["offset_seconds"])).isoformat()
    batch = queue_batch("acme~drill-1", "drill-1-0-1", [wire], T0)
    assert batch.tenant == "acme~drill-1" and batch.batch_id == "drill-1-0-1"
    again = queue_batch("acme~drill-1", "drill-1-0-1", [wire], T0)
    assert batch.mentions[0].id == again.mentions[0].id
    assert batch.mentions[0].created_at == T0 + timedelta(seconds=mention["offset_seconds"])

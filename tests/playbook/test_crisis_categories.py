"""The per-category crisis-signal series through the worker: a topic that hears of outages every
day learns them as background, and a handful of data-leak mentions in one minute opens the
data-leak playbook before any keyword or volume rule could."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from services.playbook.counts import repository as counts
from services.playbook.detection import DetectorConfig, TopicDetector
from services.playbook.detection.engine import STATE_VERSION
from services.playbook.signals.tables import SignalRow
from tests.playbook.conftest import Harness, batch, scored

WARM_MINUTES = 15 * 1440


def warm_state(now: datetime, *, version: int = STATE_VERSION) -> str:
    """The topic's detector state after two weeks of ten mentions a minute, a quarter negative,
    a tenth of those naming a crisis: nine in ten an outage, the rest fraud."""
    rng = np.random.default_rng(41)
    total = rng.poisson(10.0, WARM_MINUTES).astype(np.float64)
    negative = rng.binomial(total.astype(np.int64), 0.25)
    crisis = rng.binomial(negative, 0.1)
    outage = rng.binomial(crisis, 0.9)
    first = int(now.timestamp() // 60) - WARM_MINUTES
    det = TopicDetector(DetectorConfig(), "t", "*")
    det.score_counts(
        first,
        total,
        negative.astype(np.float64),
        crisis=crisis.astype(np.float64),
        categories={
            "outage": outage.astype(np.float64),
            "fraud": (crisis - outage).astype(np.float64),
        },
    )
    state = json.loads(det.dump_state())
    if version == 2:  # as a worker before the per-category series stored it
        state["version"] = 2
        del state["categories"]
    return json.dumps(state)


async def store_state(pb: Harness, tenant: str, state: str) -> None:
    async with pb.evaluator.sessions() as session, session.begin():
        now = pb.clock.now()
        await counts.lock_states(session, tenant, ["*"], now)
        await counts.save_states(session, tenant, {"*": (state, None)}, now)


def minute_of(at: datetime, *, crisis: dict[int, str]) -> list[dict[str, Any]]:
    """Ten mentions in the minute from ``at``: six neutral, four negative; negative ``i`` names
    the crisis category ``crisis[i]`` (text without any keyword the triggers know)."""
    out = [
        scored("Hoe zet ik dit aan?", at=at + timedelta(seconds=5 * i), sentiment="neutral")
        for i in range(6)
    ]
    for i in range(4):
        m = scored("Wat is hier aan de hand?", at=at + timedelta(seconds=30 + 5 * i), risk=0.3)
        if i in crisis:
            m["intents"] = ["complaint", "crisis_signal"]
            m["crisis_categories"] = [crisis[i]]
        out.append(m)
    return out


async def crisis_rows(pb: Harness, tenant: str) -> list[SignalRow]:
    async with pb.evaluator.sessions() as session:
        rows = (
            (await session.execute(select(SignalRow).where(SignalRow.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    return [r for r in rows if r.kind == "crisis_signal"]


async def test_data_leak_mentions_in_an_outage_topic_open_the_datalek_playbook(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    start = pb.clock.now()
    await store_state(pb, tenant, warm_state(start))
    leak = dict.fromkeys(range(4), "data_leak")
    first = await pb.evaluate(batch(tenant, minute_of(start, crisis=leak)))
    assert first.opened == []  # the minute is still open
    pb.clock.advance(minutes=2)
    closing = await pb.evaluate(
        batch(tenant, minute_of(start + timedelta(minutes=1), crisis={0: "outage"}))
    )
    assert len(closing.opened) == 1

    (row,) = await crisis_rows(pb, tenant)
    assert row.topic == "*" and row.incident_id == closing.opened[0]
    evidence = row.evidence
    assert "of category data_leak" in str(evidence["why"])
    assert evidence["keywords"] == ["data_leak"] and evidence["observed"] == 4
    assert evidence["window_seconds"] == 60
    incident = (
        await pb.client.get(f"/v1/incidents/{row.incident_id}", headers=pb.auth(tenant))
    ).json()
    assert incident["playbook_id"] == "datalek"

    async with pb.evaluator.sessions() as session:
        stored = await counts.lock_states(session, tenant, ["*"], pb.clock.now())
    state = json.loads(stored["*"] or "{}")
    assert state["version"] == STATE_VERSION == 3
    assert state["categories"]["last_bucket"] == int(start.timestamp() // 60)


async def test_outage_mentions_at_their_usual_rate_open_nothing(pb: Harness, tenant: str) -> None:
    await pb.load_library(tenant)
    start = pb.clock.now()
    await store_state(pb, tenant, warm_state(start))
    for m in range(6):
        at = start + timedelta(minutes=m)
        named = {0: "outage"} if m in (1, 4) else {}
        pb.clock.advance(minutes=1)
        outcome = await pb.evaluate(batch(tenant, minute_of(at, crisis=named)))
        assert outcome.opened == []
    assert await crisis_rows(pb, tenant) == []


async def test_a_stored_version_2_state_is_read_and_written_back_as_version_3(
    pb: Harness, tenant: str
) -> None:
    start = pb.clock.now()
    await store_state(pb, tenant, warm_state(start, version=2))
    pb.clock.advance(minutes=2)
    await pb.evaluate(batch(tenant, minute_of(start, crisis={0: "data_leak"})))
    async with pb.evaluator.sessions() as session:
        stored = await counts.lock_states(session, tenant, ["*"], pb.clock.now())
    state = json.loads(stored["*"] or "{}")
    assert state["version"] == 3
    assert state["crisis"]["last_bucket"] == int(start.timestamp() // 60)
    # the category series starts learning at the restore: closed, not yet scored
    assert state["categories"]["last_bucket"] == int(start.timestamp() // 60)
    assert state["categories"]["hours"] == 0

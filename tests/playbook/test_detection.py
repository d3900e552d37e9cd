"""From scored batches to signals and incidents: one incident per crisis, never a flood."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.playbook.counts.tables import MinuteCount, MinuteCrisisCategory
from services.playbook.effects import DEADLINE_JOB
from services.playbook.signals.tables import SignalRow
from tests.playbook.conftest import (
    Harness,
    batch,
    datalek_burst,
    quiet,
    run_worker,
    scored,
    steps_of,
    timeline,
)


async def test_a_datalek_burst_through_the_worker_opens_one_incident_with_its_steps(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    sent: set[str] = set()
    for _ in range(3):
        mentions = datalek_burst(pb.clock, 4)
        sent |= {m["id"] for m in mentions}
        payload = batch(tenant, mentions).model_dump(mode="json")
        await pb.queue.enqueue_job("evaluate_batch", payload, _job_id=payload["batch_id"])
        pb.clock.advance(seconds=20)
    worker = await run_worker(pb, 3)
    assert worker.jobs_complete == 3 and worker.jobs_failed == 0

    listed = (await pb.client.get("/v1/incidents", headers=pb.auth(tenant))).json()["items"]
    assert len(listed) == 1
    incident = listed[0]
    assert incident["playbook_id"] == "datalek" and incident["playbook_version"] == 1
    assert incident["state"] == "open" and incident["language"] == "nl"
    assert "datalek" in incident["summary"]
    assert set(incident["evidence_mention_ids"]) <= sent and incident["evidence_mention_ids"]

    steps = await steps_of(pb, tenant, incident["id"])
    assert list(steps) == [
        "triage",
        "legal_assessment",
        "social_freeze",
        "holding_statement",
        "webcare_queue",
        "regulator_and_customers",
        "evaluation",
    ]
    triage = steps["triage"]
    assert triage["status"] == "active" and triage["owner"] == "webcare"
    opened = incident["opened_at"]
    assert triage["due_at"] is not None
    # incident-relative deadlines are known at once; step-start ones wait for their group
    assert steps["legal_assessment"]["status"] == "pending" and steps["legal_assessment"]["due_at"]
    assert steps["holding_statement"]["due_at"] is None
    assert steps["holding_statement"]["approvals"] == ["legal", "management"]

    # each known deadline is a deferred arq job, keyed by step and due time
    jobs = await pb.queue.zrange(pb.queue_name, 0, -1, withscores=True)
    deadline_jobs = {k.decode(): s for k, s in jobs if k.decode().startswith("deadline:")}
    due_ms = int(_parse(triage["due_at"]).timestamp() * 1000)
    assert _parse(triage["due_at"]) == _parse(opened) + timedelta(minutes=15)
    key = f"deadline:{triage['id']}:{due_ms // 1000}"
    assert key in deadline_jobs and int(deadline_jobs[key]) == due_ms
    job = await pb.queue.get(f"arq:job:{key}")
    assert job is not None and DEADLINE_JOB.encode() in job

    signals = (
        await pb.client.get(
            "/v1/signals", params={"incident_ids": incident["id"]}, headers=pb.auth(tenant)
        )
    ).json()["items"]
    keyword = [s for s in signals if s["kind"] == "keyword"]
    assert keyword and keyword[0]["detector"] == "data_breach"
    assert set(keyword[0]["mention_ids"]) <= sent and len(keyword[0]["mention_ids"]) >= 2
    assert "datalek" in keyword[0]["detail"]


def _parse(value: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(value)


async def test_repeated_signals_join_the_open_incident_without_a_flood(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    first = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    assert len(first.opened) == 1
    incident_id = first.opened[0]
    events_after_open = len(await timeline(pb, tenant, incident_id))
    for _ in range(8):
        pb.clock.advance(seconds=30)
        outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 3, seconds_ago=20)))
        assert outcome.opened == [] and outcome.joined == [incident_id]
    listed = (await pb.client.get("/v1/incidents", headers=pb.auth(tenant))).json()["items"]
    assert [i["id"] for i in listed] == [incident_id]
    async with pb.evaluator.sessions() as session:
        rows = (
            (await session.execute(select(SignalRow).where(SignalRow.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    # one row per detector rule and incident, folded: counts grow, rows do not
    fingerprints = [r.fingerprint for r in rows]
    assert len(fingerprints) == len(set(fingerprints))
    keyword = next(r for r in rows if r.detector == "data_breach")
    assert keyword.count == 9 and keyword.incident_id == incident_id
    events = await timeline(pb, tenant, incident_id)
    # the only new event: ten mentions within the hour make it sev1 (the playbook's rule)
    assert [e["kind"] for e in events[events_after_open:]] == ["severity"]
    assert "sev2 → sev1" in events[-1]["summary"]


async def test_a_batch_that_runs_twice_changes_nothing_the_second_time(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    scored_batch = batch(tenant, [*datalek_burst(pb.clock, 4), *quiet(pb.clock, 3)])
    first = await pb.evaluate(scored_batch)
    second = await pb.evaluate(scored_batch)
    assert first.status == "evaluated" and len(first.opened) == 1
    assert second.status == "duplicate" and second.opened == []
    async with pb.evaluator.sessions() as session:
        counts = (
            (await session.execute(select(MinuteCount).where(MinuteCount.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    assert sum(c.total for c in counts if c.topic == "*") == 7
    assert sum(c.negative for c in counts if c.topic == "*") == 4
    listed = (await pb.client.get("/v1/incidents", headers=pb.auth(tenant))).json()["items"]
    assert len(listed) == 1


def _offset(minute: datetime, now: datetime) -> int:
    """Minutes from ``now``'s minute (not the minute of the hour: a test may start at :59)."""
    start = now.replace(second=0, microsecond=0)
    return int((minute.astimezone(start.tzinfo) - start).total_seconds() // 60)


async def test_counts_are_kept_per_topic_and_minute(pb: Harness, tenant: str) -> None:
    now = pb.clock.now().replace(second=30)
    mentions = [
        scored("storing", at=now, risk=0.5, topics=["app"]),
        scored("storing", at=now + timedelta(seconds=5), risk=0.25, topics=["app", "bank"]),
        scored("prima", at=now + timedelta(minutes=1), sentiment="positive", risk=0.0),
    ]
    await pb.evaluate(batch(tenant, mentions))
    await pb.evaluate(batch(tenant, [scored("storing", at=now, risk=0.25, topics=["app"])]))
    async with pb.evaluator.sessions() as session:
        rows = (
            (await session.execute(select(MinuteCount).where(MinuteCount.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    table = {
        (r.topic, _offset(r.minute, now)): (r.total, r.negative, round(r.risk, 3)) for r in rows
    }
    minute = 0
    assert table[("*", minute)] == (3, 3, 1.0)
    assert table[("*", minute + 1)] == (1, 0, 0.0)
    assert table[("app", minute)] == (3, 3, 1.0)
    assert table[("bank", minute)] == (1, 1, 0.25)


def crisis(text: str, *categories: str, **kwargs: Any) -> dict[str, Any]:
    """A scored mention the sentiment service gave the crisis-signal intent."""
    return {
        **scored(text, **kwargs),
        "intents": ["complaint", "crisis_signal"],
        "crisis_categories": list(categories),
    }


async def test_crisis_signal_counts_of_two_batches_add_up_per_topic_minute_and_category(
    pb: Harness, tenant: str
) -> None:
    now = pb.clock.now().replace(second=10)
    first = [
        crisis("datalek", "leak", at=now, topics=["app"]),
        crisis("datalek en storing", "leak", "outage", at=now, topics=["app", "bank"]),
        scored("storing", at=now, topics=["app"]),  # a complaint, not a crisis signal
        crisis("fraude", "fraud", at=now + timedelta(minutes=1)),
    ]
    second = [
        crisis("weer een datalek", "leak", at=now + timedelta(seconds=20), topics=["app"]),
        crisis("zonder categorie", at=now + timedelta(seconds=30), topics=["bank"]),
    ]
    await pb.evaluate(batch(tenant, first))
    await pb.evaluate(batch(tenant, second))
    async with pb.evaluator.sessions() as session:
        rows = (
            (await session.execute(select(MinuteCount).where(MinuteCount.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
        categories = (
            (
                await session.execute(
                    select(MinuteCrisisCategory).where(MinuteCrisisCategory.tenant == tenant)  # type: ignore[arg-type]
                )
            )
            .scalars()
            .all()
        )
    minute = 0
    table = {(r.topic, _offset(r.minute, now)): (r.total, r.crisis_signal) for r in rows}
    assert table[("*", minute)] == (5, 4)
    assert table[("*", minute + 1)] == (1, 1)
    assert table[("app", minute)] == (4, 3)
    assert table[("bank", minute)] == (2, 2)
    named = {(c.topic, _offset(c.minute, now), c.category): c.mentions for c in categories}
    assert named == {
        ("*", minute, "leak"): 3,
        ("*", minute, "outage"): 1,
        ("*", minute + 1, "fraud"): 1,
        ("app", minute, "leak"): 3,
        ("app", minute, "outage"): 1,
        ("bank", minute, "leak"): 1,
        ("bank", minute, "outage"): 1,
    }


async def test_without_playbooks_signals_are_kept_but_open_nothing(
    pb: Harness, tenant: str
) -> None:
    outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    assert outcome.signals >= 1 and outcome.opened == []
    signals = (await pb.client.get("/v1/signals", headers=pb.auth(tenant))).json()["items"]
    assert signals and all(s["incident_id"] is None for s in signals)
    one = await pb.client.get(f"/v1/signals/{signals[0]['id']}", headers=pb.auth(tenant))
    assert one.status_code == 200 and one.json()["evidence"]["why"]


async def test_quiet_topics_have_their_minutes_closed_by_the_idle_sweep(
    pb: Harness, tenant: str
) -> None:
    from services.playbook.counts.tables import DetectorStateRow
    from services.playbook.evaluation.service import advance_idle

    now = pb.clock.now()
    await pb.evaluate(
        batch(tenant, [scored("storing", at=now - timedelta(seconds=5), topics=["app"])])
    )

    async def rows() -> dict[str, DetectorStateRow]:
        async with pb.evaluator.sessions() as session:
            found = (
                (
                    await session.execute(
                        select(DetectorStateRow).where(DetectorStateRow.tenant == tenant)  # type: ignore[arg-type]
                    )
                )
                .scalars()
                .all()
            )
        return {r.topic: r for r in found}

    before = await rows()
    assert set(before) == {"*", "app"}
    assert all(r.open_until is not None and r.open_until > now for r in before.values())
    await advance_idle(pb.evaluator)  # too early: the minute is not over yet
    assert all(r.open_until is not None for r in (await rows()).values())
    pb.clock.advance(minutes=3)
    await advance_idle(pb.evaluator)
    after = await rows()
    assert all(r.open_until is None for r in after.values())
    assert all(r.batches == 2 for r in after.values())


async def test_a_snoozed_signal_opens_no_incident_until_the_snooze_ends(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    first = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    incident_id = first.opened[0]
    headers = pb.auth(tenant)
    await pb.client.post(f"/v1/incidents/{incident_id}/resolve", json=None, headers=headers)
    signals = (
        await pb.client.get("/v1/signals", params={"incident_ids": incident_id}, headers=headers)
    ).json()["items"]
    keyword = next(s for s in signals if s["detector"] == "data_breach")
    until = (pb.clock.now() + timedelta(hours=1)).isoformat()
    snoozed = await pb.client.post(
        f"/v1/signals/{keyword['id']}/snooze", json={"until": until}, headers=headers
    )
    assert snoozed.status_code == 200 and snoozed.json()["snoozed_until"] is not None

    pb.clock.advance(minutes=5)
    quiet_outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    assert quiet_outcome.opened == [] and quiet_outcome.joined == []
    again = (await pb.client.get(f"/v1/signals/{keyword['id']}", headers=headers)).json()
    assert again["count"] == 2  # still counted where it was snoozed

    lifted = await pb.client.post(
        f"/v1/signals/{keyword['id']}/snooze", json={"until": None}, headers=headers
    )
    assert lifted.json()["snoozed_until"] is None
    pb.clock.advance(minutes=5)
    loud = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    assert len(loud.opened) == 1 and loud.opened[0] != incident_id


async def test_concurrent_batches_of_one_tenant_open_a_single_incident(
    pb: Harness, tenant: str
) -> None:
    # PostgreSQL: the tenant's "*" detector state is row-locked per batch; SQLite: one writer.
    await pb.load_library(tenant)
    batches = [
        batch(
            tenant,
            [
                *datalek_burst(pb.clock, 3),
                crisis("datalek", "leak", at=pb.clock.now() - timedelta(seconds=5)),
            ],
        )
        for _ in range(6)
    ]
    outcomes = await asyncio.gather(*(pb.evaluate(b) for b in batches))
    assert sum(len(o.opened) for o in outcomes) == 1
    listed = (await pb.client.get("/v1/incidents", headers=pb.auth(tenant))).json()["items"]
    assert len(listed) == 1
    async with pb.evaluator.sessions() as session:
        counts = (
            (await session.execute(select(MinuteCount).where(MinuteCount.tenant == tenant)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
        leaks = (
            await session.execute(
                select(MinuteCrisisCategory.mentions).where(  # type: ignore[call-overload]
                    MinuteCrisisCategory.tenant == tenant, MinuteCrisisCategory.category == "leak"
                )
            )
        ).scalar_one()
    assert sum(c.total for c in counts if c.topic == "*") == 24  # no lost update
    assert sum(c.crisis_signal for c in counts if c.topic == "*") == 6 and leaks == 6


async def test_processed_batch_ids_are_forgotten_after_their_retention(
    pb: Harness, tenant: str
) -> None:
    from services.playbook.evaluation.service import prune_processed

    scored_batch = batch(tenant, quiet(pb.clock, 2))
    await pb.evaluate(scored_batch)
    assert (await pb.evaluate(scored_batch)).status == "duplicate"
    pb.clock.advance(hours=pb.settings.processed_batch_retention_hours + 1)
    assert await prune_processed(pb.evaluator) >= 1
    assert (await pb.evaluate(scored_batch)).status == "evaluated"

"""Step deadlines: deferred jobs that escalate with controlled time, cancelled by completion,
rescheduled by the sweep when Redis lost them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from arq import Retry
from sqlalchemy import select

from services.playbook.evaluation.jobs import step_deadline, sweep_deadlines
from services.playbook.notifications.tables import WebhookDelivery
from tests.playbook.conftest import Harness, open_datalek, run_worker, steps_of, timeline


async def test_a_missed_deadline_escalates_notifies_and_raises_severity(
    pb: Harness, tenant: str
) -> None:
    hook = await pb.client.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["step.escalated"]},
        headers=pb.auth(tenant),
    )
    assert hook.status_code == 201, hook.text
    incident = await open_datalek(pb, tenant)
    assert incident["severity"] == "sev2"
    triage = (await steps_of(pb, tenant, incident["id"]))["triage"]

    pb.clock.advance(minutes=15, seconds=1)
    result = await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": triage["id"]})
    assert result == {"step_id": triage["id"], "result": "escalated"}

    after = (await steps_of(pb, tenant, incident["id"]))["triage"]
    assert after["status"] == "overdue" and after["escalated"] is True
    events = await timeline(pb, tenant, incident["id"])
    escalation = next(e for e in events if e["kind"] == "escalation")
    assert "corporate_communications" in escalation["summary"]
    assert escalation["data"]["escalate_to"] == "corporate_communications"
    severity = next(e for e in events if e["kind"] == "severity")
    assert severity["data"] == {"from": "sev2", "to": "sev1", "reason": severity["data"]["reason"]}
    got = (await pb.client.get(f"/v1/incidents/{incident['id']}", headers=pb.auth(tenant))).json()
    assert got["severity"] == "sev1"
    async with pb.evaluator.sessions() as session:
        deliveries = (
            (
                await session.execute(
                    select(WebhookDelivery).where(WebhookDelivery.tenant == tenant)  # type: ignore[arg-type]
                )
            )
            .scalars()
            .all()
        )
    assert [d.event_type for d in deliveries] == ["step.escalated"]
    assert deliveries[0].payload["escalate_to"] == "corporate_communications"
    assert deliveries[0].payload["step_id"] == triage["id"]

    # firing again (at least once delivery) changes nothing
    again = await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": triage["id"]})
    assert again["result"] == "finished"
    assert len(await timeline(pb, tenant, incident["id"])) == len(events)


async def test_a_deadline_job_that_fires_early_defers_itself(pb: Harness, tenant: str) -> None:
    incident = await open_datalek(pb, tenant)
    triage = (await steps_of(pb, tenant, incident["id"]))["triage"]
    pb.clock.advance(minutes=10)
    with pytest.raises(Retry) as raised:
        await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": triage["id"]})
    assert raised.value.defer_score == 5 * 60 * 1000
    assert (await steps_of(pb, tenant, incident["id"]))["triage"]["status"] == "active"


async def test_completing_a_step_cancels_its_escalation_and_starts_the_next_group(
    pb: Harness, tenant: str
) -> None:
    incident = await open_datalek(pb, tenant)
    triage = (await steps_of(pb, tenant, incident["id"]))["triage"]
    due = int(datetime.fromisoformat(triage["due_at"]).timestamp())
    job_id = f"deadline:{triage['id']}:{due}"
    assert await pb.queue.zscore(pb.queue_name, job_id) is not None

    pb.clock.advance(minutes=5)
    done = await pb.client.post(f"/v1/steps/{triage['id']}/complete", headers=pb.auth(tenant))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["completed_by"]
    assert await pb.queue.zscore(pb.queue_name, job_id) is None  # taken off the queue

    # even a job that fired anyway finds the step done: no escalation
    pb.clock.advance(minutes=20)
    late = await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": triage["id"]})
    assert late["result"] == "finished"
    assert not [e for e in await timeline(pb, tenant, incident["id"]) if e["kind"] == "escalation"]

    steps = await steps_of(pb, tenant, incident["id"])
    for key in ("legal_assessment", "social_freeze", "holding_statement"):
        assert steps[key]["status"] == "active"
        assert steps[key]["started_at"] is not None
    started = datetime.fromisoformat(steps["social_freeze"]["started_at"])
    assert datetime.fromisoformat(steps["social_freeze"]["due_at"]) == started + timedelta(
        minutes=30
    )
    assert steps["webcare_queue"]["status"] == "pending"
    again = await pb.client.post(f"/v1/steps/{triage['id']}/complete", headers=pb.auth(tenant))
    assert again.status_code == 409
    assert again.json()["type"].endswith("/invalid-transition")


async def test_the_sweep_reschedules_a_lost_deadline_and_the_worker_escalates_it(
    pb: Harness, tenant: str
) -> None:
    incident = await open_datalek(pb, tenant)
    triage = (await steps_of(pb, tenant, incident["id"]))["triage"]
    due = int(datetime.fromisoformat(triage["due_at"]).timestamp())
    job_id = f"deadline:{triage['id']}:{due}"
    await pb.queue.zrem(pb.queue_name, job_id)  # Redis lost it (a restart without AOF)
    await pb.queue.delete(f"arq:job:{job_id}")

    pb.clock.advance(minutes=16)
    scheduled = await sweep_deadlines(pb.evaluator)
    assert scheduled >= 1
    score = await pb.queue.zscore(pb.queue_name, job_id)
    assert score is not None
    assert await sweep_deadlines(pb.evaluator) == 0  # arq refuses the same job id twice
    # the sweep serves every tenant of the (shared) test database: keep only ours on the queue
    others = [k for k in await pb.queue.zrange(pb.queue_name, 0, -1) if k.decode() != job_id]
    if others:
        await pb.queue.zrem(pb.queue_name, *others)

    worker = await run_worker(pb, 1)
    assert worker.jobs_complete == 1
    assert (await steps_of(pb, tenant, incident["id"]))["triage"]["status"] == "overdue"


async def test_resolving_an_incident_cancels_its_open_deadlines(pb: Harness, tenant: str) -> None:
    incident = await open_datalek(pb, tenant)
    steps = await steps_of(pb, tenant, incident["id"])
    resolved = await pb.client.post(
        f"/v1/incidents/{incident['id']}/resolve", headers=pb.auth(tenant)
    )
    assert resolved.status_code == 200, resolved.text
    jobs = [k.decode() for k in await pb.queue.zrange(pb.queue_name, 0, -1)]
    assert not [j for j in jobs if any(s["id"] in j for s in steps.values())]
    pb.clock.advance(hours=3)
    result = await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": steps["triage"]["id"]})
    assert result["result"] == "resolved"

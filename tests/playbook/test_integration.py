"""How the core works with the notifications and drills packages, and the worker's health."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from services.playbook.evaluation.jobs import step_deadline
from services.playbook.worker import check_health, record_ready_depth
from tests.playbook.conftest import (
    Harness,
    HarnessFactory,
    batch,
    datalek_burst,
    open_datalek,
    run_worker,
    steps_of,
)


async def test_the_social_freeze_follows_incident_severity(pb: Harness, tenant: str) -> None:
    headers = pb.auth(tenant)
    incident = await open_datalek(pb, tenant)  # sev2; by default only sev1 freezes
    assert (await pb.client.get("/v1/social-freeze", headers=headers)).json()["active"] is False

    triage = (await steps_of(pb, tenant, incident["id"]))["triage"]
    pb.clock.advance(minutes=16)
    await step_deadline(pb.ctx(), {"tenant": tenant, "step_id": triage["id"]})  # raises to sev1
    frozen = (await pb.client.get("/v1/social-freeze", headers=headers)).json()
    assert frozen["active"] is True and frozen["incident_ids"] == [incident["id"]]

    await pb.client.post(f"/v1/incidents/{incident['id']}/resolve", headers=headers)
    assert (await pb.client.get("/v1/social-freeze", headers=headers)).json()["active"] is False


async def test_a_drill_sandbox_gets_the_tenants_playbooks_and_measures_detection(
    pb: Harness, tenant: str
) -> None:
    await pb.load_library(tenant)
    await pb.client.post(
        "/v1/playbooks/terugroepactie/active", json={"active": False}, headers=pb.auth(tenant)
    )
    started = await pb.client.post(
        "/v1/drills", json={"scenario": "datalek_nl", "speed": 60}, headers=pb.auth(tenant)
    )
    assert started.status_code == 201, started.text
    drill = started.json()
    sandbox = drill["sandbox_tenant"]
    playbooks = (await pb.client.get("/v1/playbooks", headers=pb.auth(sandbox))).json()["items"]
    assert "datalek" in {p["id"] for p in playbooks}
    assert "terugroepactie" not in {p["id"] for p in playbooks}  # only the active ones

    outcome = await pb.evaluate(batch(sandbox, datalek_burst(pb.clock, 4)))
    assert len(outcome.opened) == 1
    incident = (
        await pb.client.get(f"/v1/incidents/{outcome.opened[0]}", headers=pb.auth(sandbox))
    ).json()
    assert incident["is_drill"] is True
    assert (await pb.client.get("/v1/incidents", headers=pb.auth(tenant))).json()["items"] == []
    report = (await pb.client.get(f"/v1/drills/{drill['id']}", headers=pb.auth(tenant))).json()
    kinds = {e["kind"] for e in report["events"]}
    assert {"signal", "incident_opened"} <= kinds
    assert report["metrics"]["detected"] is True


async def test_the_worker_keeps_a_health_key_and_the_ready_gauge(pb: Harness, tenant: str) -> None:
    assert await check_health(pb.settings) == 1
    payload = batch(tenant, datalek_burst(pb.clock, 2)).model_dump(mode="json")
    await pb.queue.enqueue_job("evaluate_batch", payload, _job_id=payload["batch_id"])
    later = datetime.now(UTC) + timedelta(hours=1)
    deferred = f"deadline:{tenant}:later"
    await pb.queue.enqueue_job(
        "step_deadline", {"step_id": "x"}, _job_id=deferred, _defer_until=later
    )
    await asyncio.sleep(0.01)  # arq rounds its scores to the nearest millisecond
    assert await record_ready_depth(pb.queue, pb.settings) == 1  # the deferred one is not ready
    depth = REGISTRY.get_sample_value("uitkijk_queue_ready_jobs", {"queue": "playbook"})
    assert depth == 1
    await pb.queue.zrem(pb.queue_name, deferred)
    await pb.queue.delete(f"arq:job:{deferred}")
    worker = await run_worker(pb, 1)
    assert worker.jobs_complete == 1
    assert await check_health(pb.settings) == 1  # a stopped worker removes its key


async def test_the_app_serves_health_and_the_sibling_routers(pb: Harness, tenant: str) -> None:
    assert (await pb.client.get("/healthz")).status_code == 200
    ready = await pb.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    paths = set(pb.app.openapi()["paths"])
    assert {
        "/v1/webhooks",
        "/v1/social-freeze",
        "/v1/drills",
        "/v1/incidents",
        "/v1/timeline",
    } <= paths
    scenarios = await pb.client.get("/v1/drills/scenarios", headers=pb.auth(tenant))
    assert scenarios.status_code == 200
    again = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 2)))
    assert again.opened == []  # no playbooks loaded for this tenant


async def test_the_api_runs_the_delivery_and_drill_loops_and_stops_them(
    playbook_factory: HarnessFactory, tenant: str
) -> None:
    pb: Harness = await playbook_factory(
        run_delivery=True, run_drills=True, drills={"delivery": "queue", "tick_seconds": 0.05}
    )
    tasks = [t for t in asyncio.all_tasks() if "_forever" in repr(t.get_coro())]
    assert len(tasks) == 2 and not any(t.done() for t in tasks)
    hook = await pb.client.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["incident.opened"]},
        headers=pb.auth(tenant),
    )
    assert hook.status_code == 201
    pb.clock.set(datetime.now(UTC))  # the delivery loop reads the wall clock
    await open_datalek(pb, tenant)
    deliveries = f"/v1/webhooks/{hook.json()['id']}/deliveries"
    for _ in range(40):  # the loop polls every second at most; nothing listens on port 9
        items = (await pb.client.get(deliveries, headers=pb.auth(tenant))).json()["items"]
        if items and items[0]["attempts"] >= 1:
            break
        await asyncio.sleep(0.1)
    assert items[0]["event_type"] == "incident.opened" and items[0]["attempts"] >= 1
    assert items[0]["log"][0]["ok"] is False

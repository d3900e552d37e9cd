"""A drill end to end, in the playbook app: the scenario enters as ``MentionBatchV1`` jobs, the
real sentiment worker scores it as the sandbox tenant, the real playbook worker detects and opens
an incident from the playbooks copied into the sandbox, a participant completes a step with a
sandbox token, and the drill reports time to detect and time to that step."""

from __future__ import annotations

import importlib
import uuid
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from arq.worker import Worker
from fastapi import FastAPI

from services.common.contracts import ScoredBatchV1
from services.common.migrate import upgrade_async
from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool, queue_name
from services.playbook.app import create_app
from services.playbook.clock import FakeClock
from services.playbook.drills.runner import run_drill_tick
from services.playbook.drills.senders import QueueSender
from services.playbook.drills.settings import DrillSettings
from services.playbook.scenarios.generator import load_datalek_nl
from services.playbook.settings import PlaybookSettings
from services.sentiment.settings import SentimentSettings
from tests.conftest import TokenFactory


@dataclass
class App:
    app: FastAPI
    client: httpx.AsyncClient
    settings: PlaybookSettings
    clock: FakeClock


@pytest.fixture
async def playbook_app(postgres_url: str, redis_url: str, drills_schema: str) -> AsyncIterator[App]:
    clock = FakeClock()
    settings = PlaybookSettings(
        database_url=postgres_url,
        database_schema=drills_schema,
        redis_url=redis_url,
        queue_prefix=f"test-e2e-{uuid.uuid4().hex[:8]}",
        run_delivery=False,
        run_drills=False,
        publish_events=False,
        rate_limit_per_second=0,
        drills=DrillSettings(delivery="queue"),
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://playbook") as client:
            yield App(app, client, settings, clock)
    pool = await create_queue_pool(redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    try:
        for key in await pool.keys(f"{settings.queue_prefix}:*"):
            await pool.delete(key)
    finally:
        await pool.aclose()


@pytest.mark.slow
async def test_a_drill_runs_through_the_real_workers_and_measures_the_team(
    playbook_app: App,
    tenant: str,
    make_token: TokenFactory,
    postgres_url: str,
    redis_url: str,
) -> None:
    client, settings, clock = playbook_app.client, playbook_app.settings, playbook_app.clock
    prefix = settings.queue_prefix
    await upgrade_async("sentiment", postgres_url, "sentiment")
    lead = {"Authorization": f"Bearer {make_token(tenant, 'drills:write', 'incidents:read')}"}
    drill = (await client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=lead)).json()
    sandbox = drill["sandbox_tenant"]
    assert datetime.fromisoformat(drill["started_at"]) == clock.now()

    # 105 s at 60x: up to ten scenario minutes after the journalist's question.
    clock.advance(seconds=105)
    sender = QueueSender.connect(redis_url, prefix)
    try:
        sent = await run_drill_tick(
            playbook_app.app.state.sessions,
            settings.drills,
            sender,
            now=clock.now(),
            only=[drill["id"]],
        )
    finally:
        await sender.aclose()
    assert sent == sum(1 for m in load_datalek_nl() if m.offset_seconds <= 6300)

    await drain(
        load_worker("sentiment")(
            SentimentSettings(
                database_url=postgres_url,
                redis_url=redis_url,
                queue_prefix=prefix,
                publish_events=False,
            ),
            burst=True,
        )
    )
    pool = await create_queue_pool(redis_url, prefix, PLAYBOOK_QUEUE)
    try:
        jobs = await pool.queued_jobs(queue_name=queue_name(prefix, PLAYBOOK_QUEUE))
    finally:
        await pool.aclose()
    batches = [ScoredBatchV1.model_validate(j.args[0]) for j in jobs]
    assert {b.tenant for b in batches} == {sandbox}
    assert sum(len(b.mentions) for b in batches) == sent

    evaluator = load_worker("playbook")(settings, burst=True, clock=clock)
    # The steps' deadline jobs stay deferred on the queue: stop after the scored batches.
    evaluator.max_burst_jobs = len(jobs)
    await drain(evaluator)

    got = (await client.get(f"/v1/drills/{drill['id']}", headers=lead)).json()
    metrics = got["metrics"]
    assert metrics["detected"] is True, got["events"]
    # Detected from the journalist's question itself, on the scenario clock.
    assert 0 <= metrics["time_to_detect_seconds"] <= 60
    assert metrics["time_to_incident_seconds"] == pytest.approx(600, abs=1)

    # The team acts in the sandbox, with tokens for it.
    reader = (await client.post(f"/v1/drills/{drill['id']}/token", headers=lead)).json()
    as_team = {"Authorization": f"Bearer {reader['token']}"}
    [incident] = (await client.get("/v1/incidents", headers=as_team)).json()["items"]
    steps = (await client.get(f"/v1/incidents/{incident['id']}/steps", headers=as_team)).json()
    step = next(s for s in steps if s["status"] == "in_progress" or s["started_at"])
    owner = make_token(tenant, "incidents:read", "incidents:write", department=step["owner"])
    issued = await client.post(
        f"/v1/drills/{drill['id']}/token", headers={"Authorization": f"Bearer {owner}"}
    )
    as_owner = {"Authorization": f"Bearer {issued.json()['token']}"}
    clock.advance(seconds=5)
    done = await client.post(f"/v1/steps/{step['id']}/complete", headers=as_owner, json={})
    assert done.status_code == 200, done.text

    got = (await client.get(f"/v1/drills/{drill['id']}", headers=lead)).json()
    [timing] = got["metrics"]["steps"]
    assert timing["ref_id"] == step["id"] and timing["seconds_from_incident"] == 5
    assert timing["scenario_seconds_from_onset"] == pytest.approx((105 + 5) * 60 - 5700, abs=1)
    # Nothing of the drill reached the real tenant.
    real = {"Authorization": f"Bearer {make_token(tenant, 'incidents:read')}"}
    assert (await client.get("/v1/incidents", headers=real)).json()["items"] == []


def load_worker(service: str) -> Callable[..., Worker]:
    """A service's ``create_worker`` (the tests never import another service at module level)."""
    create: Callable[..., Worker] = importlib.import_module(
        f"services.{service}.worker"
    ).create_worker
    return create


async def drain(worker: Worker) -> None:
    try:
        await worker.async_run()
    finally:
        # arq 0.28 closes its pool with redis' deprecated ``close()``; the warning is arq's.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()

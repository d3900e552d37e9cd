"""A drill through the real workers: the scenario enters as ``MentionBatchV1`` jobs, the sentiment
worker scores it as the sandbox tenant, the playbook worker detects and opens an incident from the
sandbox's playbooks, and the drill reports its time to detect."""

from __future__ import annotations

import contextlib
import uuid
import warnings
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import pytest
from arq.worker import Worker

from services.common.contracts import ScoredBatchV1
from services.common.migrate import upgrade_async
from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool, queue_name
from services.playbook.clock import FakeClock
from services.playbook.drills.runner import run_drill_tick
from services.playbook.drills.senders import QueueSender
from services.playbook.drills.settings import DrillSettings
from services.playbook.scenarios.generator import load_datalek_nl
from services.playbook.settings import PlaybookSettings
from services.sentiment.settings import SentimentSettings
from services.sentiment.worker import create_worker as create_sentiment_worker
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness

MakeDrills = Callable[..., Coroutine[Any, Any, Harness]]


@pytest.mark.slow
async def test_a_drill_runs_through_the_real_workers_and_measures_time_to_detect(
    make_drills: MakeDrills,
    tenant: str,
    make_token: TokenFactory,
    postgres_url: str,
    redis_url: str,
) -> None:
    prefix = f"test-e2e-{uuid.uuid4().hex[:8]}"
    await upgrade_async("sentiment", postgres_url, "sentiment")
    h = await make_drills(delivery="queue")
    headers = {"Authorization": f"Bearer {make_token(tenant, 'drills:write', 'incidents:read')}"}
    drill = (
        await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
    ).json()
    sandbox = drill["sandbox_tenant"]
    started = datetime.fromisoformat(drill["started_at"])
    # Up to ten scenario minutes after the journalist's question.
    until = started + timedelta(seconds=(5700 + 600) / 60)
    sender = QueueSender.connect(redis_url, prefix)
    try:
        sent = await run_drill_tick(
            h.sessions, DrillSettings(delivery="queue"), sender, now=until, only=[drill["id"]]
        )
    finally:
        await sender.aclose()
    assert sent == sum(1 for m in load_datalek_nl() if m.offset_seconds <= 6300)

    worker = create_sentiment_worker(
        SentimentSettings(
            database_url=postgres_url,
            redis_url=redis_url,
            queue_prefix=prefix,
            publish_events=False,
            log_json=True,
        ),
        burst=True,
    )
    await drain(worker)

    pool = await create_queue_pool(redis_url, prefix, PLAYBOOK_QUEUE)
    try:
        jobs = await pool.queued_jobs(queue_name=queue_name(prefix, PLAYBOOK_QUEUE))
        batches = [ScoredBatchV1.model_validate(j.args[0]) for j in jobs]
        assert {j.function for j in jobs} == {"evaluate_batch"}
        assert {b.tenant for b in batches} == {sandbox}
        scored = [m for b in batches for m in b.mentions]
        assert len(scored) == sent
        journalist = [m for m in scored if m.author_handle == "lisa_onderzoekt"]
        assert journalist and journalist[0].created_at == started + timedelta(seconds=5700)
        assert any(m.sentiment == "negative" for m in scored)

        evaluator = playbook_worker()(
            PlaybookSettings(
                database_url=postgres_url,
                database_schema=h.settings.database_schema,
                redis_url=redis_url,
                queue_prefix=prefix,
                publish_events=False,
            ),
            burst=True,
            # The worker's clock at the moment the last batch was sent, as in a live drill.
            clock=FakeClock(until),
        )
        # The steps' deadline jobs stay deferred on the queue: stop after the scored batches.
        evaluator.max_burst_jobs = len(jobs)
        await drain(evaluator)
        got = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
        metrics = got["metrics"]
        kinds = [e["kind"] for e in got["events"]]
        assert metrics["detected"] is True, got["events"]
        assert "signal" in kinds and "incident_opened" in kinds
        # Detected from the journalist's question itself (a stakeholder or keyword trigger),
        # measured on the scenario clock from the onset.
        assert 0 <= metrics["time_to_detect_seconds"] <= 60
        assert metrics["time_to_first_signal_seconds"] == metrics["time_to_detect_seconds"]
        assert metrics["time_to_incident_seconds"] == pytest.approx(600, abs=1)
        for key in await pool.keys(f"{prefix}:*"):
            await pool.delete(key)
    finally:
        await pool.aclose()


def playbook_worker() -> Callable[..., Worker]:
    """The playbook worker's ``create_worker``. Both workers register a gauge named
    ``uitkijk_queue_ready_jobs`` (one process each in production); in this one test process the
    sentiment worker's is unregistered first."""
    from prometheus_client import REGISTRY

    from services.sentiment import worker as sentiment_worker

    with contextlib.suppress(KeyError):
        REGISTRY.unregister(sentiment_worker.READY_JOBS)
    from services.playbook.worker import create_worker

    return create_worker


async def drain(worker: Worker) -> None:
    try:
        await worker.async_run()
    finally:
        # arq 0.28 closes its pool with redis' deprecated ``close()``; the warning is arq's.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()

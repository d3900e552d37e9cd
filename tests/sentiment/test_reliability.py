"""Retries, failed jobs and their replay, the playbook outbox, the health key and the depth gauge."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from arq import Retry
from prometheus_client import REGISTRY

from services.common.db import create_engine, session_factory
from services.common.embedded_redis import free_port, start_embedded_redis
from services.common.outbox import SentLog
from services.common.queue import PLAYBOOK_QUEUE, SENTIMENT_QUEUE, create_queue_pool
from services.sentiment.nlp import load_enricher
from services.sentiment.pipeline import service
from services.sentiment.pipeline.jobs import score_batch
from services.sentiment.pipeline.service import Pipeline
from services.sentiment.settings import SentimentSettings
from services.sentiment.topics.service import ProfileCache
from services.sentiment.worker import check_health
from tests.conftest import TokenFactory
from tests.sentiment.conftest import Sentiment
from tests.sentiment.factories import auth, batch, close_worker, enqueue, mention, run_worker


async def _pipeline(settings: SentimentSettings, *, redis_url: str | None = None) -> Pipeline:
    from redis.asyncio import Redis

    engine = create_engine(settings.database_url, schema=settings.database_schema, pool_size=2)
    sessions = session_factory(engine)
    url = redis_url or settings.redis_url
    return Pipeline(
        sessions=sessions,
        enricher=load_enricher(),
        profiles=ProfileCache(sessions, 10),
        playbook=await create_queue_pool(url, settings.queue_prefix, PLAYBOOK_QUEUE, 0.5),
        redis=Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5),
        prefix=settings.queue_prefix,
        sent_log=SentLog(),
        enqueue_timeout=0.5,
    )


async def _close(pipeline: Pipeline) -> None:
    await pipeline.playbook.aclose()
    await pipeline.redis.aclose()
    engine = pipeline.sessions.kw["bind"]
    await engine.dispose()


@pytest.mark.parametrize("backend", ["postgres"])
async def test_an_unreachable_database_is_retried_with_backoff(
    settings: SentimentSettings, tenant: str
) -> None:
    port = free_port()  # nothing listens here
    broken = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{port}/nowhere"}
    )
    pipeline = await _pipeline(broken)
    ctx: dict[str, Any] = {"settings": broken, "pipeline": pipeline, "job_id": "j", "job_try": 2}
    try:
        with pytest.raises(Retry) as raised:
            await score_batch(ctx, batch(tenant, [mention()]))
        assert raised.value.defer_score == int(broken.retry_backoff_seconds * 2 * 1000)
    finally:
        await _close(pipeline)


async def test_a_malformed_batch_is_kept_as_a_failed_job_and_can_be_replayed(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    settings = sentiment.settings
    headers = auth(make_token(tenant, "admin"))
    bad = batch(tenant, [mention(created_at="not a date")])
    await enqueue(settings, bad)
    await run_worker(settings)
    failed = await sentiment.client.get("/v1/failed-jobs", headers=headers)
    assert failed.status_code == 200, failed.text
    (item,) = failed.json()["items"]
    assert item["job_id"] == bad["batch_id"] and item["mentions"] == 1
    assert "created_at" in item["error"] and item["replayed_at"] is None
    other = await sentiment.client.get(
        "/v1/failed-jobs", headers=auth(make_token(tenant + "-x", "admin"))
    )
    assert other.json()["items"] == []
    not_admin = await sentiment.client.get(
        "/v1/failed-jobs", headers=auth(make_token(tenant, "mentions:read"))
    )
    assert not_admin.status_code == 403

    replay = await sentiment.client.post("/v1/failed-jobs/replay", json={}, headers=headers)
    assert replay.json()["replayed"] == [item["id"]]
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, SENTIMENT_QUEUE)
    try:
        jobs = await pool.queued_jobs()
    finally:
        await pool.aclose()
    assert [j.job_id for j in jobs] == [f"{bad['batch_id']}:replay:{item['id']}"]
    again = await sentiment.client.post("/v1/failed-jobs/replay", json={}, headers=headers)
    assert again.json()["replayed"] == []


@pytest.mark.parametrize("backend", ["postgres"])
async def test_playbook_queue_down_keeps_the_batch_in_the_outbox_until_it_is_back(
    settings: SentimentSettings, tenant: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = start_embedded_redis(tmp_path / "redis", port=port)
    pipeline = await _pipeline(settings, redis_url=url)
    try:
        server.stop()
        payload = batch(tenant, [mention(), mention("Goede service vandaag")])
        from services.common.contracts import MentionBatchV1

        outcome = await service.process(pipeline, MentionBatchV1.model_validate(payload))
        assert outcome.mentions == 2 and outcome.new == 2 and not outcome.sent_to_playbook
        assert await service.sweep_outbox(pipeline, grace=timedelta(0)) == 0
        pending = REGISTRY.get_sample_value("uitkijk_sentiment_outbox_pending_batches")
        assert pending is not None and pending >= 1

        server = start_embedded_redis(tmp_path / "redis", port=port)
        assert await service.sweep_outbox(pipeline, grace=timedelta(0)) == 1
        jobs = await pipeline.playbook.queued_jobs()
        assert [j.job_id for j in jobs] == [outcome.playbook_job_id]
        assert len(jobs[0].args[0]["mentions"]) == 2
        assert await service.sweep_outbox(pipeline, grace=timedelta(0)) == 0
    finally:
        await _close(pipeline)
        server.stop()


async def test_health_key_and_queue_depth_gauge(settings: SentimentSettings, tenant: str) -> None:
    from services.sentiment.worker import create_worker

    assert await check_health(settings) == 1
    await enqueue(settings, batch(tenant, [mention()]))
    worker = create_worker(settings, burst=True)
    try:
        await worker.async_run()
        assert await check_health(settings) == 0
        assert worker.jobs_complete == 1
        depth = REGISTRY.get_sample_value("uitkijk_queue_ready_jobs", {"queue": "sentiment"})
        assert depth is not None and depth >= 0
    finally:
        await close_worker(worker)
    assert await check_health(settings) == 1  # a stopped worker removes its key


@pytest.mark.parametrize("backend", ["postgres"])
async def test_the_cli_worker_reads_its_settings_from_the_environment(
    settings: SentimentSettings, tenant: str
) -> None:
    """``uitkijk worker sentiment --burst`` as a deployment runs it: settings from the env."""
    payload = batch(tenant, [mention(), mention("Heel blij met de service")])
    await enqueue(settings, payload)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_SCHEMA": settings.database_schema or "",
        "REDIS_URL": settings.redis_url,
        "QUEUE_PREFIX": settings.queue_prefix,
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uitkijk", "worker", "sentiment", "--burst", "--metrics-port", "0",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    try:
        jobs = await pool.queued_jobs()
    finally:
        await pool.aclose()
    assert [len(j.args[0]["mentions"]) for j in jobs] == [2]

"""The sentiment worker (arq): ``uitkijk worker sentiment`` runs :func:`create_worker`.

Everything is opened in ``on_startup`` (database engine, Redis pools, the enricher, loaded once)
and closed in ``on_shutdown``. A housekeeping task publishes the ready-queue gauge
``uitkijk_queue_ready_jobs{queue="sentiment"}`` (scale on it), sweeps the playbook outbox and
deletes the outbox rows of batches that were sent. Each pod refreshes its own health key,
``{prefix}:health:sentiment:{POD_NAME or hostname}``, read by ``uitkijk worker sentiment --check``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from datetime import timedelta
from typing import Any

import structlog
from arq import func
from arq.worker import Worker
from redis.asyncio import Redis

import services.common.queue as queue_metrics
from services.common.app import tune_gc
from services.common.db import create_engine, session_factory
from services.common.migrate import upgrade_async
from services.common.observability import configure_logging
from services.common.outbox import SentLog
from services.common.queue import (
    PLAYBOOK_QUEUE,
    SENTIMENT_QUEUE,
    check_worker_health,
    create_queue_pool,
    deserialize,
    queue_name,
    ready_depth,
    redis_settings,
    serialize,
    worker_health_key,
)
from services.sentiment.nlp import load_enricher
from services.sentiment.pipeline import service
from services.sentiment.pipeline.jobs import SCORE_JOB, score_batch
from services.sentiment.pipeline.service import Pipeline
from services.sentiment.settings import SentimentSettings
from services.sentiment.topics.service import ProfileCache

log = structlog.get_logger("uitkijk.sentiment.worker")

READY_JOBS = queue_metrics.READY_JOBS


def health_key(settings: SentimentSettings) -> str:
    return worker_health_key(settings.queue_prefix, "sentiment")


async def _housekeeping(ctx: dict[str, Any]) -> None:
    settings: SentimentSettings = ctx["settings"]
    pipeline: Pipeline = ctx["pipeline"]
    queue = queue_name(settings.queue_prefix, SENTIMENT_QUEUE)
    grace = timedelta(seconds=settings.sweeper_grace_seconds)
    while True:
        try:
            READY_JOBS.labels(queue=SENTIMENT_QUEUE).set(
                await ready_depth(pipeline.playbook, queue)
            )
        except Exception as exc:  # the next round tries again
            log.warning("queue depth unavailable", error=repr(exc))
        try:
            while await service.sweep_outbox(pipeline, grace=grace):
                pass
        except Exception as exc:
            log.warning("outbox sweep failed", error=repr(exc))
        await asyncio.sleep(settings.housekeeping_interval_seconds)


async def _startup(ctx: dict[str, Any]) -> None:
    settings: SentimentSettings = ctx["settings"]
    if settings.auto_migrate:
        await upgrade_async("sentiment", settings.database_url, settings.database_schema)
    engine = create_engine(
        settings.database_url, schema=settings.database_schema, pool_size=settings.db_pool_size
    )
    sessions = session_factory(engine)
    enricher = await asyncio.to_thread(
        load_enricher, settings.model_dir, settings.sentiment_model_path
    )
    playbook = await create_queue_pool(
        settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE, settings.redis_timeout_seconds
    )
    events = Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
    )
    ctx["engine"] = engine
    ctx["pipeline"] = Pipeline(
        sessions=sessions,
        enricher=enricher,
        profiles=ProfileCache(sessions, settings.topic_cache_seconds),
        playbook=playbook,
        redis=events,
        prefix=settings.queue_prefix,
        sent_log=SentLog(),
        publish_events=settings.publish_events,
        enqueue_timeout=settings.redis_timeout_seconds,
        max_chars=settings.max_score_chars,
    )
    ctx["housekeeping"] = asyncio.create_task(_housekeeping(ctx))
    # A 500-mention batch allocates tens of thousands of short-lived objects: fewer collections,
    # and none over what start-up made (the models, the pools), as in the APIs.
    tune_gc()
    gc.collect()
    gc.freeze()
    log.info("sentiment worker started", model_version=enricher.model_version)


async def _shutdown(ctx: dict[str, Any]) -> None:
    task: asyncio.Task[None] | None = ctx.pop("housekeeping", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    pipeline: Pipeline | None = ctx.pop("pipeline", None)
    if pipeline is not None:
        with contextlib.suppress(Exception):
            await service.forget_sent(pipeline.sessions, pipeline.sent_log)
        await pipeline.playbook.aclose()
        await pipeline.redis.aclose()
    engine = ctx.pop("engine", None)
    if engine is not None:
        await engine.dispose()


def create_worker(settings: SentimentSettings | None = None, *, burst: bool = False) -> Worker:
    """An arq worker on ``{prefix}:queue:sentiment`` (JSON jobs, never pickle)."""
    settings = settings or SentimentSettings()
    configure_logging(settings.log_level, settings.log_json)
    return Worker(
        functions=[func(score_batch, name=SCORE_JOB, max_tries=settings.worker_max_tries)],
        queue_name=queue_name(settings.queue_prefix, SENTIMENT_QUEUE),
        redis_settings=redis_settings(settings.redis_url, settings.redis_timeout_seconds),
        job_serializer=serialize,
        job_deserializer=deserialize,
        on_startup=_startup,
        on_shutdown=_shutdown,
        burst=burst,
        handle_signals=not burst,
        max_jobs=settings.worker_max_jobs,
        poll_delay=settings.worker_poll_delay_seconds,
        max_tries=settings.worker_max_tries,
        job_timeout=300,
        keep_result=3600,
        health_check_interval=settings.health_check_interval_seconds,
        health_check_key=health_key(settings),
        ctx={"settings": settings},
    )


async def check_health(settings: SentimentSettings | None = None) -> int:
    """0 when this pod's health key is fresh (the worker polled within its interval), else 1."""
    settings = settings or SentimentSettings()
    return await check_worker_health(
        settings.redis_url, health_key(settings), settings.redis_timeout_seconds, log=log
    )

"""The playbook worker (arq): ``uitkijk worker playbook`` runs :func:`create_worker`.

Jobs: ``evaluate_batch`` (scored batches from sentiment) and ``step_deadline`` (deferred, one per
step deadline). A housekeeping task publishes ``uitkijk_queue_ready_jobs{queue="playbook"}`` and
sweeps deadlines that have no job. Each pod refreshes its own health key,
``{prefix}:health:playbook:{POD_NAME or hostname}``, read by ``uitkijk worker playbook --check``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from arq import func
from arq.worker import Worker
from redis.asyncio import Redis

from services.common.db import create_engine, session_factory
from services.common.migrate import upgrade_async
from services.common.observability import configure_logging
from services.common.queue import (
    PLAYBOOK_QUEUE,
    READY_JOBS,
    LazyQueue,
    check_worker_health,
    deserialize,
    queue_name,
    ready_depth,
    redis_settings,
    serialize,
    worker_health_key,
)
from services.playbook.clock import Clock, SystemClock
from services.playbook.effects import DEADLINE_JOB, Dispatcher
from services.playbook.evaluation.jobs import (
    EVALUATE_JOB,
    evaluate_batch,
    step_deadline,
    sweep_deadlines,
)
from services.playbook.evaluation.service import Evaluator, advance_idle, prune_processed
from services.playbook.settings import PlaybookSettings

log = structlog.get_logger("uitkijk.playbook.worker")


def health_key(settings: PlaybookSettings) -> str:
    return worker_health_key(settings.queue_prefix, "playbook")


async def record_ready_depth(redis: Any, settings: PlaybookSettings) -> int:
    """Set ``uitkijk_queue_ready_jobs{queue="playbook"}``: jobs ready now, deferred deadlines
    excluded (what autoscaling should follow)."""
    depth = await ready_depth(redis, queue_name(settings.queue_prefix, PLAYBOOK_QUEUE))
    READY_JOBS.labels(queue=PLAYBOOK_QUEUE).set(depth)
    return depth


async def _housekeeping(ctx: dict[str, Any]) -> None:
    settings: PlaybookSettings = ctx["settings"]
    evaluator: Evaluator = ctx["evaluator"]
    while True:
        try:
            await record_ready_depth(ctx["redis"], settings)
        except Exception as exc:  # the next round tries again
            log.warning("queue depth unavailable", error=repr(exc))
        try:
            await sweep_deadlines(evaluator)
        except Exception as exc:
            log.warning("deadline sweep failed", error=repr(exc))
        try:
            await advance_idle(evaluator)
        except Exception as exc:
            log.warning("idle detector sweep failed", error=repr(exc))
        try:
            await prune_processed(evaluator)
        except Exception as exc:
            log.warning("pruning processed batches failed", error=repr(exc))
        await asyncio.sleep(settings.housekeeping_interval_seconds)


async def open_evaluator(settings: PlaybookSettings, clock: Clock) -> tuple[Evaluator, Any]:
    """Engine, sessions, Redis and the dispatcher; returns the evaluator and a closer."""
    if settings.auto_migrate:
        await upgrade_async("playbook", settings.database_url, settings.database_schema)
    engine = create_engine(
        settings.database_url, schema=settings.database_schema, pool_size=settings.db_pool_size
    )
    events = Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
    )
    queue = LazyQueue(
        settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE, settings.redis_timeout_seconds
    )
    dispatcher = Dispatcher(
        events,
        queue,
        settings.queue_prefix,
        publish_events=settings.publish_events,
        timeout=settings.redis_timeout_seconds,
    )
    evaluator = Evaluator(session_factory(engine), settings, clock, dispatcher)

    async def close() -> None:
        await queue.close()
        await events.aclose()
        await engine.dispose()

    return evaluator, close


async def _startup(ctx: dict[str, Any]) -> None:
    evaluator, close = await open_evaluator(ctx["settings"], ctx["clock"])
    ctx["evaluator"] = evaluator
    ctx["close"] = close
    if ctx["settings"].run_housekeeping:
        ctx["housekeeping"] = asyncio.create_task(_housekeeping(ctx))
    log.info("playbook worker started")


async def _shutdown(ctx: dict[str, Any]) -> None:
    task: asyncio.Task[None] | None = ctx.pop("housekeeping", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    close = ctx.pop("close", None)
    if close is not None:
        await close()


def create_worker(
    settings: PlaybookSettings | None = None, *, burst: bool = False, clock: Clock | None = None
) -> Worker:
    """An arq worker on ``{prefix}:queue:playbook`` (JSON jobs, never pickle)."""
    settings = settings or PlaybookSettings()
    configure_logging(settings.log_level, settings.log_json)
    return Worker(
        functions=[
            func(evaluate_batch, name=EVALUATE_JOB, max_tries=settings.worker_max_tries),
            # keep_result=0: once it ran, the sweep may schedule the same id again if needed.
            func(step_deadline, name=DEADLINE_JOB, max_tries=1000, keep_result=0),
        ],
        queue_name=queue_name(settings.queue_prefix, PLAYBOOK_QUEUE),
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
        allow_abort_jobs=True,
        health_check_interval=settings.health_check_interval_seconds,
        health_check_key=health_key(settings),
        ctx={"settings": settings, "clock": clock or SystemClock()},
    )


async def check_health(settings: PlaybookSettings | None = None) -> int:
    """0 when this pod's health key is fresh (the worker polled within its interval), else 1."""
    settings = settings or PlaybookSettings()
    return await check_worker_health(
        settings.redis_url, health_key(settings), settings.redis_timeout_seconds, log=log
    )

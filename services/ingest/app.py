"""The ingest service: ``create_app(settings)`` wires everything at start-up, nothing at import."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from redis.asyncio import Redis

from services.common.app import build_app
from services.common.db import create_engine, session_factory
from services.common.health import database_check, redis_check
from services.common.migrate import upgrade_async
from services.common.outbox import SentLog
from services.common.queue import SENTIMENT_QUEUE, LazyQueue
from services.ingest.imports.router import router as imports_router
from services.ingest.mentions import service
from services.ingest.mentions.router import router as mentions_router
from services.ingest.mentions.schemas import MentionBatchIn
from services.ingest.settings import IngestSettings

log = structlog.get_logger("uitkijk.ingest")


async def _sweep_forever(app: FastAPI, settings: IngestSettings) -> None:
    grace = timedelta(seconds=settings.sweeper_grace_seconds)
    rounds = 0
    while True:
        try:
            while await service.sweep_once(
                app.state.queue, app.state.sessions, grace=grace, sent_log=app.state.sent_log
            ):
                pass
            if rounds % 720 == 0:  # about hourly: forget expired Idempotency-Keys
                await service.purge_idempotency_keys(
                    app.state.sessions, timedelta(hours=settings.idempotency_ttl_hours)
                )
        except Exception as exc:  # keep sweeping; the next round retries
            log.warning("sweeper round failed", error=repr(exc))
        rounds += 1
        await asyncio.sleep(settings.sweeper_interval_seconds)


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade_async("ingest", settings.database_url, settings.database_schema)
        engine = create_engine(
            settings.database_url, schema=settings.database_schema, pool_size=settings.db_pool_size
        )
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_seconds,
            socket_connect_timeout=settings.redis_timeout_seconds,
        )
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.queue = LazyQueue(
            settings.redis_url,
            settings.queue_prefix,
            SENTIMENT_QUEUE,
            settings.redis_timeout_seconds,
        )
        app.state.sent_log = SentLog()
        app.state.readiness_checks = {
            "database": database_check(engine),
            "redis": redis_check(redis),
        }
        sweeper = (
            asyncio.create_task(_sweep_forever(app, settings)) if settings.run_sweeper else None
        )
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            with contextlib.suppress(Exception):
                await service.forget_sent(app.state.sessions, app.state.sent_log)
            await app.state.queue.close()
            await redis.aclose()
            await engine.dispose()

    app = build_app(
        settings,
        title="Uitkijk ingest",
        description=(
            "Accepts mentions from integrations (normalized batches, native platform payloads, "
            "bulk files), stores each exactly once per tenant, and hands new ones to scoring."
        ),
        lifespan=lifespan,
        routers=[mentions_router, imports_router],
        streaming_paths=("/v1/imports",),
    )
    _document_batch_body(app)
    return app


def _document_batch_body(app: FastAPI) -> None:
    """The batch body is parsed item by item, so FastAPI cannot see its model: add it here."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        model = MentionBatchIn.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(model.pop("$defs", {}))
        components["MentionBatchIn"] = model
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

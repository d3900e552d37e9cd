"""The sentiment service: ``create_app(settings)`` wires everything at start-up, nothing at import.

The enricher (models) is loaded once in the lifespan and shared by every request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from redis.asyncio import Redis

from services.common.app import build_app
from services.common.db import create_engine, session_factory
from services.common.health import database_check, redis_check
from services.common.migrate import upgrade_async
from services.common.queue import SENTIMENT_QUEUE, LazyQueue
from services.sentiment.analytics.router import router as analytics_router
from services.sentiment.mentions.router import router as mentions_router
from services.sentiment.nlp import load_enricher
from services.sentiment.pipeline.router import router as operations_router
from services.sentiment.scoring.router import router as scoring_router
from services.sentiment.scoring.schemas import ScoreIn
from services.sentiment.settings import SentimentSettings
from services.sentiment.topics.router import router as topics_router

log = structlog.get_logger("uitkijk.sentiment")


def create_app(settings: SentimentSettings | None = None) -> FastAPI:
    settings = settings or SentimentSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade_async("sentiment", settings.database_url, settings.database_schema)
        app.state.enricher = await asyncio.to_thread(
            load_enricher, settings.model_dir, settings.sentiment_model_path
        )
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
        app.state.readiness_checks = {
            "database": database_check(engine),
            "redis": redis_check(redis),
        }
        log.info("sentiment API ready", model_version=app.state.enricher.model_version)
        try:
            yield
        finally:
            await app.state.queue.close()
            await redis.aclose()
            await engine.dispose()

    app = build_app(
        settings,
        title="Uitkijk sentiment",
        description=(
            "Enriches mentions (language, sentiment, intents, stakeholder, reach, risk, topics), "
            "keeps them and their per-minute and per-hour counts, scores texts on demand and "
            "serves trends, share of voice and emerging topics."
        ),
        lifespan=lifespan,
        # /v1/topics/emerging before /v1/topics/{topic_id}
        routers=[
            scoring_router,
            mentions_router,
            analytics_router,
            topics_router,
            operations_router,
        ],
    )
    _document_bodies(app, {"ScoreIn": ScoreIn})
    return app


def _document_bodies(app: FastAPI, models: dict[str, type[BaseModel]]) -> None:
    """Bodies parsed by hand (for their own problem types) are added to the OpenAPI here."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in models.items():
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[name] = body
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

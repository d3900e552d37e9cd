from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common.embedded_redis import EmbeddedRedis
from services.common.migrate import upgrade_async
from services.sentiment.app import create_app
from services.sentiment.settings import SentimentSettings


@pytest.fixture(scope="session")
async def sentiment_databases(postgres_url: str, scratch_dir: Path) -> dict[str, str]:
    sqlite_url = f"sqlite+aiosqlite:///{scratch_dir / 'sentiment.db'}"
    await upgrade_async("sentiment", postgres_url, "sentiment")
    await upgrade_async("sentiment", sqlite_url, None)
    return {"postgres": postgres_url, "sqlite": sqlite_url}


@pytest.fixture(params=["postgres", pytest.param("sqlite", marks=pytest.mark.sqlite)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_redis(backend: str, redis_url: str, request: pytest.FixtureRequest) -> str:
    """The system Redis with PostgreSQL; the embedded Redis with SQLite (the laptop default)."""
    if backend == "sqlite":
        server: EmbeddedRedis = request.getfixturevalue("embedded_redis")
        return server.url
    return redis_url


@pytest.fixture
def settings(
    backend: str, sentiment_databases: dict[str, str], backend_redis: str, queue_prefix: str
) -> SentimentSettings:
    """Settings on the test's backend, with a queue prefix of this test alone."""
    return SentimentSettings(
        database_url=sentiment_databases[backend],
        database_schema="sentiment" if backend == "postgres" else None,
        redis_url=backend_redis,
        queue_prefix=f"{queue_prefix}-{uuid.uuid4().hex[:8]}",
        rate_limit_per_second=0,
        retry_backoff_seconds=0.05,
        housekeeping_interval_seconds=0.2,
        sweeper_grace_seconds=0,
    )


@dataclass
class Sentiment:
    app: FastAPI
    client: httpx.AsyncClient
    settings: SentimentSettings


SentimentFactory = Callable[..., Any]


@pytest.fixture
async def sentiment_factory(settings: SentimentSettings) -> AsyncIterator[SentimentFactory]:
    opened: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> Sentiment:
        app_settings = settings.model_copy(update=overrides)
        app = create_app(app_settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sentiment"
        )
        opened.append((lifespan, client))
        return Sentiment(app=app, client=client, settings=app_settings)

    yield make
    for lifespan, client in reversed(opened):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def sentiment(sentiment_factory: SentimentFactory) -> Sentiment:
    result: Sentiment = await sentiment_factory()
    return result

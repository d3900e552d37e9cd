from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common.embedded_redis import EmbeddedRedis
from services.common.migrate import upgrade_async
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


@dataclass
class Ingest:
    app: FastAPI
    client: httpx.AsyncClient
    settings: IngestSettings
    backend: str


@pytest.fixture(scope="session")
async def ingest_databases(postgres_url: str, scratch_dir: Path) -> dict[str, str]:
    sqlite_url = f"sqlite+aiosqlite:///{scratch_dir / 'ingest.db'}"
    await upgrade_async("ingest", postgres_url, "ingest")
    await upgrade_async("ingest", sqlite_url, None)
    return {"postgres": postgres_url, "sqlite": sqlite_url}


def ingest_settings(
    backend: str, databases: dict[str, str], redis: str, prefix: str, **overrides: Any
) -> IngestSettings:
    values: dict[str, Any] = {
        "database_url": databases[backend],
        "database_schema": "ingest" if backend == "postgres" else None,
        "redis_url": redis,
        "queue_prefix": prefix,
        "run_sweeper": False,
        "log_json": True,
        "rate_limit_per_second": 0,
    }
    values.update(overrides)
    return IngestSettings(**values)


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


IngestFactory = Callable[..., Any]


@pytest.fixture
async def ingest_factory(
    backend: str,
    ingest_databases: dict[str, str],
    backend_redis: str,
    queue_prefix: str,
) -> AsyncIterator[IngestFactory]:
    """Builds ingest apps (with their lifespan running) on the test's backend."""
    opened: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> Ingest:
        settings = ingest_settings(
            backend, ingest_databases, backend_redis, queue_prefix, **overrides
        )
        app = create_app(settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")
        opened.append((lifespan, client))
        return Ingest(app=app, client=client, settings=settings, backend=backend)

    yield make
    for lifespan, client in reversed(opened):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def ingest(ingest_factory: IngestFactory) -> Ingest:
    result: Ingest = await ingest_factory()
    return result

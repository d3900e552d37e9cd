"""Shared fixtures: real PostgreSQL and Redis (and SQLite with the embedded Redis where marked).

Isolation: one fresh PostgreSQL database and one Redis key prefix per test session, and a fresh
tenant per test, so tests never see each other's rows or jobs even when several runs share the
servers.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from arq.connections import ArqRedis

from services.common.auth import SCOPES, mint_token
from services.common.embedded_redis import EmbeddedRedis, start_embedded_redis
from services.common.queue import create_queue_pool
from services.common.settings import TokenSettings

POSTGRES_ADMIN = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SESSION_ID = uuid.uuid4().hex[:10]


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own for this test session, dropped at the end."""
    name = f"uitkijk_test_{SESSION_ID}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    host = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{host}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="uitkijk-test-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def embedded_redis(scratch_dir: Path) -> Iterator[EmbeddedRedis]:
    server = start_embedded_redis(scratch_dir / "redis")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture(scope="session")
def queue_prefix() -> str:
    return f"test-{SESSION_ID}"


@pytest.fixture
def tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def token_settings() -> TokenSettings:
    return TokenSettings()


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def make_token(token_settings: TokenSettings) -> TokenFactory:
    def make(tenant: str, *scopes: str, department: str | None = None) -> str:
        return mint_token(
            token_settings,
            tenant=tenant,
            scopes=list(scopes or SCOPES),
            ttl_seconds=3600,
            subject=f"test:{tenant}",
            department=department,
        )

    return make


@pytest.fixture
async def queue_reader(redis_url: str, queue_prefix: str) -> AsyncIterator[Callable[[str], object]]:
    """Opens an arq pool on a named queue of this session, to look at what was enqueued."""
    pools: list[ArqRedis] = []

    async def open_queue(queue: str, url: str = redis_url) -> ArqRedis:
        pool = await create_queue_pool(url, queue_prefix, queue)
        pools.append(pool)
        return pool

    yield open_queue
    for pool in pools:
        await pool.aclose()

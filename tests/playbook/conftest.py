"""The playbook service on real PostgreSQL and Redis (and SQLite + embedded Redis where marked),
with a clock the tests move: deadlines are tested by advancing it, never by sleeping."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from fastapi import FastAPI

from services.common.auth import SCOPES, mint_token
from services.common.contracts import ScoredBatchV1
from services.common.embedded_redis import EmbeddedRedis
from services.common.migrate import upgrade_async
from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool
from services.common.settings import TokenSettings
from services.playbook.app import create_app
from services.playbook.clock import FakeClock
from services.playbook.evaluation import service as evaluation
from services.playbook.evaluation.service import Evaluator, Outcome
from services.playbook.playbook_store import service as playbook_store
from services.playbook.settings import PlaybookSettings
from services.playbook.worker import create_worker, open_evaluator

#: Near the wall clock (arq defers jobs on it), on a whole minute, so tests read easily.
START = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)


@pytest.fixture(scope="session")
async def playbook_databases(postgres_url: str, scratch_dir: Path) -> dict[str, str]:
    sqlite_url = f"sqlite+aiosqlite:///{scratch_dir / 'playbook.db'}"
    await upgrade_async("playbook", postgres_url, "playbook")
    await upgrade_async("playbook", sqlite_url, None)
    return {"postgres": postgres_url, "sqlite": sqlite_url}


@pytest.fixture(params=["postgres", pytest.param("sqlite", marks=pytest.mark.sqlite)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_redis(backend: str, redis_url: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        server: EmbeddedRedis = request.getfixturevalue("embedded_redis")
        return server.url
    return redis_url


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    settings: PlaybookSettings
    clock: FakeClock
    evaluator: Evaluator
    queue: ArqRedis
    backend: str
    tokens: TokenSettings = field(default_factory=TokenSettings)

    def auth(self, tenant: str, *scopes: str, department: str | None = None) -> dict[str, str]:
        token = mint_token(
            self.tokens,
            tenant=tenant,
            scopes=list(scopes or SCOPES),
            ttl_seconds=3600,
            subject=f"user:{department or 'all'}@{tenant}",
            department=department,
        )
        return {"Authorization": f"Bearer {token}"}

    async def evaluate(self, batch: ScoredBatchV1) -> Outcome:
        return await evaluation.evaluate(self.evaluator, batch)

    async def load_library(self, tenant: str) -> None:
        async with self.evaluator.sessions() as session:
            await playbook_store.load_library_into(session, tenant, now=self.clock.now())
            await session.commit()

    @property
    def queue_name(self) -> str:
        return f"{self.settings.queue_prefix}:queue:{PLAYBOOK_QUEUE}"

    def ctx(self) -> dict[str, Any]:
        """What the worker's functions find in arq's ``ctx`` (for calling them directly)."""
        return {"evaluator": self.evaluator, "settings": self.settings, "job_try": 1}


HarnessFactory = Callable[..., Any]


@pytest.fixture
async def playbook_factory(
    backend: str, playbook_databases: dict[str, str], backend_redis: str, queue_prefix: str
) -> AsyncIterator[HarnessFactory]:
    opened: list[Any] = []

    async def make(**overrides: Any) -> Harness:
        values: dict[str, Any] = {
            "database_url": playbook_databases[backend],
            "database_schema": "playbook" if backend == "postgres" else None,
            "redis_url": backend_redis,
            # a queue of its own per harness: deferred deadline jobs stay out of other tests
            "queue_prefix": f"{queue_prefix}-{uuid.uuid4().hex[:8]}",
            "rate_limit_per_second": 0,
            "run_delivery": False,
            "run_drills": False,
            # the sweeps look at every tenant of the shared test database: tests call them directly
            "run_housekeeping": False,
            "allow_private_webhook_targets": True,
        }
        values.update(overrides)
        settings = PlaybookSettings(**values)
        clock = FakeClock(START)
        app = create_app(settings, clock=clock)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://playbook"
        )
        evaluator, close = await open_evaluator(settings, clock)
        queue = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
        opened.append((lifespan, client, close, queue))
        return Harness(app, client, settings, clock, evaluator, queue, backend)

    yield make
    for lifespan, client, close, queue in reversed(opened):
        # the deferred deadline jobs of this harness's queue: leave nothing in the shared Redis
        name = queue.default_queue_name
        job_ids = [k.decode() for k in await queue.zrange(name, 0, -1)]
        if job_ids:
            await queue.delete(*(f"arq:job:{j}" for j in job_ids), name)
        await queue.aclose()
        await close()
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def pb(playbook_factory: HarnessFactory) -> Harness:
    harness: Harness = await playbook_factory()
    return harness


def scored(
    text: str,
    *,
    at: datetime,
    sentiment: str = "negative",
    risk: float = 0.5,
    topics: Sequence[str] = (),
    stakeholder: str = "unknown",
    followers: int | None = 150,
    language: str = "nl",
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "platform": "x",
        "created_at": at.isoformat(),
        "text": text,
        "url": None,
        "author_handle": "someone",
        "author_followers": followers,
        "language": language,
        "sentiment": sentiment,
        "sentiment_score": -0.7 if sentiment == "negative" else 0.1,
        "confidence": 0.9,
        "intents": ["complaint"] if sentiment == "negative" else [],
        "crisis_categories": [],
        "stakeholder": stakeholder,
        "reach": 100.0,
        "risk": risk,
        "topics": list(topics),
        "model_version": "test-1",
    }


def batch(
    tenant: str, mentions: Sequence[dict[str, Any]], batch_id: str | None = None
) -> ScoredBatchV1:
    return ScoredBatchV1.model_validate(
        {"batch_id": batch_id or uuid.uuid4().hex, "tenant": tenant, "mentions": list(mentions)}
    )


def datalek_burst(clock: FakeClock, n: int = 4, *, seconds_ago: int = 120) -> list[dict[str, Any]]:
    """Negative Dutch mentions about a data leak, spread over the last ``seconds_ago`` seconds."""
    now = clock.now()
    return [
        scored(
            f"Mijn gegevens staan online, groot datalek bij de bank! #{i}",
            at=now - timedelta(seconds=seconds_ago - i * (seconds_ago // max(n, 1))),
            risk=0.6,
        )
        for i in range(n)
    ]


def quiet(clock: FakeClock, n: int = 5) -> list[dict[str, Any]]:
    now = clock.now()
    return [
        scored(
            "Fijne service vandaag, dank!",
            at=now - timedelta(seconds=30),
            sentiment="positive",
            risk=0.0,
        )
        for _ in range(n)
    ]


async def run_worker(pb: Harness, jobs: int) -> Any:
    """A burst worker that stops after ``jobs`` jobs (deferred deadlines would keep it waiting)."""
    worker = create_worker(pb.settings, burst=True, clock=pb.clock)
    worker.max_burst_jobs = jobs
    try:
        await asyncio.wait_for(worker.async_run(), timeout=60)
    finally:
        # arq 0.28 closes its pool with redis' deprecated ``close()``; the warning is arq's.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()
    return worker


async def open_datalek(pb: Harness, tenant: str, n: int = 4) -> dict[str, Any]:
    """Load the shipped playbooks and evaluate a data-leak burst; returns the incident."""
    await pb.load_library(tenant)
    outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, n)))
    assert len(outcome.opened) == 1, outcome
    response = await pb.client.get(f"/v1/incidents/{outcome.opened[0]}", headers=pb.auth(tenant))
    assert response.status_code == 200, response.text
    incident: dict[str, Any] = response.json()
    return incident


async def steps_of(pb: Harness, tenant: str, incident_id: str) -> dict[str, dict[str, Any]]:
    response = await pb.client.get(f"/v1/incidents/{incident_id}/steps", headers=pb.auth(tenant))
    assert response.status_code == 200, response.text
    return {s["key"]: s for s in response.json()}


async def timeline(pb: Harness, tenant: str, incident_id: str) -> list[dict[str, Any]]:
    response = await pb.client.get(
        f"/v1/incidents/{incident_id}/timeline", params={"limit": 500}, headers=pb.auth(tenant)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items

"""p50 latency of a page of 50 scored mentions: through the gateway vs straight from sentiment.

    .venv/bin/python bench/gateway.py [--requests 300] [--mentions 200]

Seeds a fresh PostgreSQL database through the real sentiment worker (burst), then starts the
sentiment API and the gateway as uvicorn processes on free localhost ports (`uitkijk serve` with
settings from the environment, as deployed) and times, interleaved and sequentially from one
client, `GET /v1/mentions?limit=50` on sentiment against the GraphQL query for the same page with
the same fields on the gateway (and, for reference, the fields a list screen shows). Prints p50/p90
and the ratio (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from services.common.auth import mint_token
from services.common.embedded_redis import free_port
from services.common.migrate import upgrade_async
from services.common.queue import SENTIMENT_QUEUE, create_queue_pool, enqueue_batch
from services.common.settings import TokenSettings
from services.sentiment.settings import SentimentSettings
from services.sentiment.worker import create_worker

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-gateway-secret-0123456789abcdef0123456789"

QUERY = """query Page($first: Int!) {
  mentions(first: $first) {
    edges { cursor node {
      id platform externalId createdAt text url language
      author { handle name followers }
      sentiment { label score confidence }
      intents crisisCategories stakeholder reach risk riskFactors { negativity crisis complaint reach stakeholderWeight signal exposure } topics
      modelVersion scoredAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""

#: What a mention list screen shows: fewer fields than the REST body carries.
LIST_QUERY = """query Page($first: Int!) {
  mentions(first: $first) {
    edges { node { id platform createdAt text sentiment { label } risk author { handle } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

TEXTS = [
    "Alweer storing bij de app, niemand die reageert #storing",
    "Mijn gegevens zijn gelekt, dit is een datalek!",
    "Top service vandaag, dank jullie wel",
    "Is de app nu weer bereikbaar? Ik kan niet inloggen",
]


def batch(tenant: str, n: int) -> dict[str, object]:
    start = datetime.now(UTC) - timedelta(hours=1)
    mentions = [
        {
            "id": uuid.uuid4().hex,
            "platform": "x",
            "external_id": uuid.uuid4().hex,
            "url": f"https://x.com/a/status/{i}",
            "text": TEXTS[i % len(TEXTS)] + f" {i}",
            "created_at": (start + timedelta(seconds=i)).isoformat(),
            "author": {"handle": f"user{i % 17}", "name": "Some One", "followers": 100 * i},
            "engagement": {"likes": i % 7, "shares": 0, "replies": 0, "views": 10 * i},
        }
        for i in range(n)
    ]
    return {"version": 1, "batch_id": uuid.uuid4().hex, "tenant": tenant, "mentions": mentions}


async def seed(settings: SentimentSettings, tenant: str, n: int) -> None:
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, SENTIMENT_QUEUE)
    try:
        payload = batch(tenant, n)
        await enqueue_batch(pool, "score_batch", payload, job_id=str(payload["batch_id"]))
    finally:
        await pool.aclose()
    worker = create_worker(settings, burst=True)
    try:
        await worker.async_run()
    finally:
        with warnings.catch_warnings():  # arq 0.28 closes its pool with a deprecated call
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()


def start(service: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uitkijk",
            "serve",
            service,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"{url} never became ready")


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(args: argparse.Namespace) -> None:
    name = f"uitkijk_bench_gw_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    prefix = f"bench-gw-{uuid.uuid4().hex[:6]}"
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await upgrade_async("sentiment", url, "sentiment")
        settings = SentimentSettings(
            database_url=url, database_schema="sentiment", redis_url=REDIS, queue_prefix=prefix,
            publish_events=False, log_level="WARNING",
        )  # fmt: skip
        await seed(settings, tenant, args.mentions)
        common = {
            "REDIS_URL": REDIS, "QUEUE_PREFIX": prefix, "JWT_SECRET": SECRET,
            "LOG_LEVEL": "WARNING", "RATE_LIMIT_PER_SECOND": "0",
        }  # fmt: skip
        sentiment_port, gateway_port = free_port(), free_port()
        procs.append(
            start(
                "sentiment",
                sentiment_port,
                {**common, "DATABASE_URL": url, "DATABASE_SCHEMA": "sentiment"},
            )
        )
        procs.append(
            start(
                "gateway",
                gateway_port,
                {**common, "SENTIMENT_URL": f"http://127.0.0.1:{sentiment_port}"},
            )
        )
        token = mint_token(
            TokenSettings(secret=SECRET), tenant=tenant, scopes=["mentions:read"], ttl_seconds=3600
        )  # type: ignore[arg-type]
        headers = {"Authorization": f"Bearer {token}"}
        rest_url = f"http://127.0.0.1:{sentiment_port}/v1/mentions"
        gql_url = f"http://127.0.0.1:{gateway_port}/graphql"
        body = {"query": QUERY, "variables": {"first": 50}}
        async with httpx.AsyncClient(timeout=10) as client:
            await wait_ready(client, f"http://127.0.0.1:{sentiment_port}/readyz")
            await wait_ready(client, f"http://127.0.0.1:{gateway_port}/healthz")
            check = (await client.post(gql_url, json=body, headers=headers)).json()
            assert "errors" not in check, check
            assert len(check["data"]["mentions"]["edges"]) == 50
            rest: list[float] = []
            gql: list[float] = []
            listing: list[float] = []
            floor: list[float] = []
            list_body = {"query": LIST_QUERY, "variables": {"first": 50}}
            viewer_body = {"query": "{ viewer { tenant } }"}
            for i in range(args.warmup + args.requests):
                started = time.perf_counter()
                r = await client.get(rest_url, params={"limit": 50}, headers=headers)
                rest_ms = (time.perf_counter() - started) * 1000
                assert r.status_code == 200 and len(r.json()["items"]) == 50
                started = time.perf_counter()
                g = await client.post(gql_url, json=body, headers=headers)
                gql_ms = (time.perf_counter() - started) * 1000
                assert g.status_code == 200
                started = time.perf_counter()
                s = await client.post(gql_url, json=list_body, headers=headers)
                list_ms = (time.perf_counter() - started) * 1000
                assert s.status_code == 200
                started = time.perf_counter()
                v = await client.post(gql_url, json=viewer_body, headers=headers)
                floor_ms = (time.perf_counter() - started) * 1000
                assert v.status_code == 200
                if i >= args.warmup:
                    floor.append(floor_ms)
                    rest.append(rest_ms)
                    gql.append(gql_ms)
                    listing.append(list_ms)
        rest_p50, gql_p50 = statistics.median(rest), statistics.median(gql)
        print(
            f"page of 50 scored mentions, {args.requests} requests each (after {args.warmup} warm-up)"
        )
        print(
            f"  REST sentiment GET /v1/mentions?limit=50   p50 {rest_p50:7.2f} ms   p90 {pct(rest, 90):7.2f} ms"
        )
        print(
            f"  GraphQL gateway mentions(first: 50)        p50 {gql_p50:7.2f} ms   p90 {pct(gql, 90):7.2f} ms"
        )
        list_p50 = statistics.median(listing)
        print(
            f"  GraphQL gateway, list-screen fields        p50 {list_p50:7.2f} ms   "
            f"p90 {pct(listing, 90):7.2f} ms   (ratio {list_p50 / rest_p50:.2f})"
        )
        print(
            f"  GraphQL gateway, {{ viewer }} (no REST call) p50 {statistics.median(floor):7.2f} ms"
            "   (the gateway's own floor per request)"
        )
        ratio = gql_p50 / rest_p50
        print(
            f"  ratio gateway/REST (p50): {ratio:.2f}  (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--mentions", type=int, default=200)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()

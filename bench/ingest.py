"""Sustained ingest through the HTTP API into PostgreSQL, beside a bare asyncpg bulk upsert.

    .venv/bin/python bench/ingest.py [--mentions 200000] [--clients 8] [--batch 500] [--workers 2]

Starts `uitkijk serve ingest` (uvicorn) on a free port against a fresh PostgreSQL database and the
local Redis, pushes pre-serialised batches of new mentions from several concurrent clients, and
counts mentions that were stored AND enqueued (the outbox must be empty at the end, the queue must
hold every mention). Then upserts the same number of rows with bare asyncpg
(`INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING`) into a twin table, on one connection and on as
many connections as there were clients. Prints mentions/s and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import orjson

from services.common.auth import mint_token
from services.common.embedded_redis import free_port
from services.common.migrate import upgrade
from services.common.queue import create_queue_pool
from services.common.settings import TokenSettings

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def make_mentions(n: int, start: int) -> list[dict[str, object]]:
    base = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    out = []
    for i in range(start, start + n):
        out.append(
            {
                "platform": "x",
                "external_id": f"bench-{i}",
                "url": f"https://x.com/user{i % 977}/status/{i}",
                "text": f"Alweer storing bij de app, niemand die reageert #storing {i}",
                "created_at": (base + timedelta(milliseconds=i)).isoformat(),
                "author": {"handle": f"user{i % 977}", "name": "Some One", "followers": i % 5000,
                           "verified": False, "bio": "Klant"},
                "engagement": {"likes": i % 7, "shares": i % 3, "replies": 0, "views": i % 1000},
            }
        )  # fmt: skip
    return out


async def run_api(args: argparse.Namespace, db_url: str, prefix: str) -> tuple[float, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DATABASE_SCHEMA": "ingest",
        "REDIS_URL": REDIS,
        "QUEUE_PREFIX": prefix,
        "RATE_LIMIT_PER_SECOND": "0",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": str(max(4, args.clients)),
    }
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
        [sys.executable, "-m", "uitkijk", "serve", "ingest", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers)],
        env=env,
    )  # fmt: skip
    token = mint_token(TokenSettings(), tenant="bench", scopes=["mentions:write"])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    batches = args.mentions // args.batch
    bodies = [
        orjson.dumps({"mentions": make_mentions(args.batch, k * args.batch)})
        for k in range(batches)
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
            for _ in range(200):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            # Warm-up: one batch outside the measurement (not counted below).
            warm = orjson.dumps({"mentions": make_mentions(args.batch, 10**9)})
            assert (await client.post("/v1/mentions", content=warm)).status_code == 202
            queue: asyncio.Queue[bytes] = asyncio.Queue()
            for body in bodies:
                queue.put_nowait(body)
            accepted = 0

            async def client_loop() -> None:
                nonlocal accepted
                while not queue.empty():
                    body = queue.get_nowait()
                    response = await client.post("/v1/mentions", content=body)
                    assert response.status_code == 202, response.text
                    accepted += response.json()["accepted"]

            started = time.perf_counter()
            await asyncio.gather(*(client_loop() for _ in range(args.clients)))
            elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    pool = await create_queue_pool(REDIS, prefix, "sentiment")
    jobs = await pool.queued_jobs()
    queued = sum(len(j.args[0]["mentions"]) for j in jobs) - args.batch
    await pool.delete(f"{prefix}:queue:sentiment")
    for job in jobs:
        await pool.delete(f"arq:job:{job.job_id}")
    await pool.aclose()
    conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    pending = await conn.fetchval("SELECT count(*) FROM ingest.outbox")
    stored = await conn.fetchval("SELECT count(*) FROM ingest.mentions") - args.batch
    await conn.close()
    assert accepted == stored == queued == batches * args.batch, (accepted, stored, queued)
    assert pending == 0, f"{pending} batches left in the outbox"
    return elapsed, stored


def bare_rows(mentions: list[dict[str, object]], tag: str) -> list[list[object]]:
    """The same full rows ingest stores (all 22 columns, raw as jsonb), as unnest arrays."""
    from services.ingest.mentions.repository import MENTION_COLUMNS
    from services.ingest.mentions.schemas import MentionIn
    from services.ingest.mentions.service import _row

    now = datetime.now(UTC)
    rows = [_row(uuid.uuid4().hex, tag, MentionIn.model_validate(m), now) for m in mentions]
    return [
        [orjson.dumps(r[c]).decode() if c == "raw" else r[c] for r in rows] for c in MENTION_COLUMNS
    ]


def bare_sql() -> str:
    from services.ingest.mentions.repository import _PG_CASTS, MENTION_COLUMNS

    columns = ", ".join(MENTION_COLUMNS)
    arrays = ", ".join(
        f"${i}::{_PG_CASTS.get(c, 'text[]')}" for i, c in enumerate(MENTION_COLUMNS, start=1)
    )
    selected = ", ".join("u.raw::jsonb" if c == "raw" else f"u.{c}" for c in MENTION_COLUMNS)
    return (
        f"INSERT INTO bare.mentions ({columns}) SELECT {selected} FROM unnest({arrays}) "
        f"AS u({columns}) ON CONFLICT DO NOTHING"
    )


async def run_bare(args: argparse.Namespace, db_url: str, connections: int, tag: str) -> float:
    dsn = db_url.replace("+asyncpg", "")
    batches = [
        bare_rows(make_mentions(args.batch, k * args.batch), tag)
        for k in range(args.mentions // args.batch)
    ]
    sql = bare_sql()
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    queue: asyncio.Queue[list[list[object]]] = asyncio.Queue()
    for b in batches:
        queue.put_nowait(b)

    async def loop() -> None:
        async with pool.acquire() as conn:
            while not queue.empty():
                await conn.execute(sql, *queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    name = f"uitkijk_bench_{uuid.uuid4().hex[:8]}"
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    db_url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, "ingest", db_url, "ingest")
        conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
        await conn.execute(
            "CREATE SCHEMA bare; CREATE TABLE bare.mentions (LIKE ingest.mentions INCLUDING ALL)"
        )
        await conn.close()
        api_s, stored = await run_api(args, db_url, prefix)
        bare1_s = await run_bare(args, db_url, 1, "bare-1")
        bare_n_s = await run_bare(args, db_url, args.clients, "bare-n")
    finally:
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    api = stored / api_s
    bare1 = stored / bare1_s
    bare_n = stored / bare_n_s
    print(f"mentions: {stored}  batch: {args.batch}  clients: {args.clients}  "
          f"uvicorn workers: {args.workers}  cores: {os.cpu_count()}")  # fmt: skip
    print(f"HTTP API, stored + enqueued : {api:>9,.0f} mentions/s  ({api_s:.1f} s)")
    print(
        f"bare asyncpg upsert, 1 conn : {bare1:>9,.0f} rows/s      ratio API/bare = {api / bare1:.2f}"
    )
    print(
        f"bare asyncpg upsert, {args.clients} conns: {bare_n:>9,.0f} rows/s      ratio API/bare = {api / bare_n:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())

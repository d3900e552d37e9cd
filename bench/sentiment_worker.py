"""The sentiment worker end to end on PostgreSQL: dequeue, enrich, tag, store, count, send on.

    .venv/bin/python bench/sentiment_worker.py [--batches 100] [--batch 500] [--processes 1]
                                               [--max-jobs 4] [--topics 3]

Creates a fresh PostgreSQL database (migrated), a few topics and known accounts, pre-enqueues
``--batches`` ``MentionBatchV1`` jobs of ``--batch`` mentions on a fresh queue prefix of the local
Redis, then drains the queue with ``--processes`` burst workers (``1``: in this process through
``create_worker(settings, burst=True)``; more: ``uitkijk worker sentiment --burst`` subprocesses).
Texts: half English tweets (the TweetEval validation texts, if present), half Dutch posts.
Checks that every mention is in the read model and the counters, that the playbook queue holds one
job per batch and that the outbox is empty; prints mentions/s (wall clock from the first job
taken to the last job done, from arq's job results; the wall clock with start-up is printed too).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from arq.jobs import Job

from services.common.db import new_id
from services.common.migrate import upgrade
from services.common.queue import (
    PLAYBOOK_QUEUE,
    SENTIMENT_QUEUE,
    create_queue_pool,
    deserialize,
    enqueue_batch,
    queue_name,
)
from services.sentiment.settings import SentimentSettings
from services.sentiment.worker import create_worker

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TWEETS = Path("/work/shared/data/tweeteval_sentiment/val_text.txt")
DUTCH = [
    "Alweer storing bij de app van {b}, niemand die reageert #storing",
    "Top service van {b} vandaag, binnen vijf minuten geholpen!",
    "Weet iemand of de winkels van {b} morgen open zijn?",
    "Datalek bij {b}? Mijn gegevens liggen op straat, schandalig",
    "Ik wacht nu al drie weken op mijn terugbetaling van {b}, echt belachelijk",
    "Nieuwe tarieven van {b} zijn weer duurder, ik stap over",
    "Bedankt {b} voor het snelle antwoord op mijn vraag",
    "Kan iemand van {b} mij helpen met inloggen? Lukt al de hele dag niet",
]
BRANDS = ["acme", "globex", "initech", "umbrella"]


def texts(n: int, rng: random.Random) -> list[str]:
    english = (
        [t.strip() for t in TWEETS.read_text().splitlines() if t.strip()] if TWEETS.exists() else []
    )
    out = []
    for i in range(n):
        if english and i % 2:
            out.append(rng.choice(english))
        else:
            out.append(rng.choice(DUTCH).format(b=rng.choice(BRANDS)) + f" #{i % 97}")
    return out


def batches(tenant: str, count: int, size: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    pool = texts(count * size, rng)
    base = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    out = []
    for b in range(count):
        mentions = []
        for j in range(size):
            i = b * size + j
            mentions.append(
                {
                    "id": new_id(base + timedelta(milliseconds=i)),
                    "platform": ("x", "mastodon", "reddit", "news")[i % 4],
                    "external_id": f"bench-{i}",
                    "url": f"https://x.com/user{i % 977}/status/{i}",
                    "text": pool[i],
                    "language": None,
                    "created_at": (base + timedelta(milliseconds=40 * i)).isoformat(),
                    "author": {"handle": f"user{i % 977}", "name": "Some One",
                               "followers": (i * 37) % 90_000, "verified": False,
                               "bio": ("Journalist", "Klant", None, "Belegger")[i % 4], "url": None},
                    "engagement": {"likes": i % 7, "shares": i % 3, "replies": 0, "views": i % 1000},
                    "ingested_at": base.isoformat(),
                }
            )  # fmt: skip
        out.append({"version": 1, "batch_id": new_id(), "tenant": tenant, "reason": "new",
                    "mentions": mentions, "trace_id": None})  # fmt: skip
    return out


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def prepare(db_url: str, tenant: str, topics: int) -> None:
    connection = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        now = datetime.now(UTC)
        queries = ['acme OR "acme app"', "globex OR initech", "storing* OR datalek OR #storing"]
        for k in range(topics):
            await connection.execute(
                "INSERT INTO sentiment.topics (id, tenant, kind, name, query, languages, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '[]', $6, $6)",
                new_id(), tenant, "brand" if k < 2 else "keyword_group", f"topic{k}",
                queries[k % len(queries)], now,
            )  # fmt: skip
        for h in range(0, 977, 50):
            await connection.execute(
                "INSERT INTO sentiment.known_accounts (id, tenant, platform, handle, stakeholder, "
                "updated_at) VALUES ($1, $2, '', $3, 'analyst', $4)",
                new_id(), tenant, f"user{h}", now,
            )  # fmt: skip
    finally:
        await connection.close()


async def processing_window(settings: SentimentSettings, job_ids: list[str]) -> float:
    """Seconds from the first job's start to the last job's finish (arq's job results)."""
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, SENTIMENT_QUEUE)
    try:
        infos = [
            await Job(job_id, pool, _deserializer=deserialize).result_info() for job_id in job_ids
        ]
        if any(info is None for info in infos):
            raise SystemExit("a job left no result")
        start = min(i.start_time for i in infos if i is not None)
        finish = max(i.finish_time for i in infos if i is not None)
        await pool.delete(*(f"arq:result:{job_id}" for job_id in job_ids))
    finally:
        await pool.aclose()
    return (finish - start).total_seconds()


async def verify(
    db_url: str, settings: SentimentSettings, tenant: str, expected: int, jobs: int
) -> None:
    connection = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        stored = await connection.fetchval(
            "SELECT count(*) FROM sentiment.enriched_mentions WHERE tenant = $1", tenant
        )
        counted = await connection.fetchval(
            "SELECT coalesce(sum(count), 0) FROM sentiment.mention_buckets WHERE tenant = $1 "
            "AND granularity = 'hour' AND topic = '' AND dimension = 'sentiment'",
            tenant,
        )
        outbox = await connection.fetchval("SELECT count(*) FROM sentiment.playbook_outbox")
        failed = await connection.fetchval("SELECT count(*) FROM sentiment.failed_jobs")
    finally:
        await connection.close()
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    try:
        playbook = await pool.zcard(queue_name(settings.queue_prefix, PLAYBOOK_QUEUE))
    finally:
        await pool.aclose()
    print(f"read model {stored:,} / counters {int(counted):,} / playbook jobs {playbook} / "
          f"outbox left {outbox} / failed jobs {failed}")  # fmt: skip
    ok = stored == expected and counted == expected and playbook == jobs and failed == 0
    # The outbox rows of sent batches are deleted by housekeeping in bulk; a burst run may end
    # before its last round, which leaves rows that the next sweep deletes (no resend: same job id).
    if not ok:
        raise SystemExit("verification failed")


async def drain_in_process(settings: SentimentSettings, batch_size: int) -> float:
    worker = create_worker(settings, burst=True)
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        await worker.async_run()
    finally:
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()
    print(f"jobs complete {worker.jobs_complete}, retried {worker.jobs_retried}, "
          f"failed {worker.jobs_failed}")  # fmt: skip
    if worker.jobs_complete:
        per_batch = cpu / worker.jobs_complete
        print(f"worker CPU {per_batch * 1000:.1f} ms per batch (start-up included); the worker "
              f"alone on a free core would reach about {batch_size / per_batch:,.0f} mentions/s")  # fmt: skip
    return elapsed


def drain_processes(settings: SentimentSettings, processes: int) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_SCHEMA": settings.database_schema or "",
        "REDIS_URL": settings.redis_url,
        "QUEUE_PREFIX": settings.queue_prefix,
        "WORKER_MAX_JOBS": str(settings.worker_max_jobs),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uitkijk", "worker", "sentiment", "--burst",
               "--metrics-port", "0"]  # fmt: skip
    started = time.perf_counter()
    procs = [subprocess.Popen(command, env=env) for _ in range(processes)]
    codes = [p.wait() for p in procs]
    if any(codes):
        raise SystemExit(f"a worker exited with {codes}")
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--max-jobs", type=int, default=4)
    parser.add_argument("--topics", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    suffix = uuid.uuid4().hex[:8]
    name = f"uitkijk_bench_sentiment_{suffix}"
    await admin(f'CREATE DATABASE "{name}"')
    db_url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    tenant = f"bench-{suffix}"
    settings = SentimentSettings(
        database_url=db_url,
        database_schema="sentiment",
        redis_url=REDIS,
        queue_prefix=f"bench-sentiment-{suffix}",
        worker_max_jobs=args.max_jobs,
        log_level="WARNING",
        publish_events=True,
    )
    try:
        await asyncio.to_thread(upgrade, "sentiment", db_url, "sentiment")
        await prepare(db_url, tenant, args.topics)
        jobs = batches(tenant, args.batches, args.batch)
        pool = await create_queue_pool(REDIS, settings.queue_prefix, SENTIMENT_QUEUE)
        try:
            for payload in jobs:
                await enqueue_batch(pool, "score_batch", payload, job_id=payload["batch_id"])
        finally:
            await pool.aclose()
        total = args.batches * args.batch
        print(f"{args.batches} batches of {args.batch} mentions enqueued; draining with "
              f"{args.processes} worker process(es), max_jobs {args.max_jobs}, "
              f"{args.topics} topics")  # fmt: skip
        if args.processes == 1:
            elapsed = await drain_in_process(settings, args.batch)
        else:
            elapsed = await asyncio.to_thread(drain_processes, settings, args.processes)
        await verify(db_url, settings, tenant, total, args.batches)
        window = await processing_window(settings, [p["batch_id"] for p in jobs])
        print(f"wall clock with start-up: {elapsed:.2f} s ({total / elapsed:,.0f} mentions/s)")
        print(f"{total:,} mentions processed in {window:.2f} s: {total / window:,.0f} mentions/s")
    finally:
        pool = await create_queue_pool(REDIS, settings.queue_prefix, SENTIMENT_QUEUE)
        try:
            keys = [k async for k in pool.scan_iter(match=f"{settings.queue_prefix}:*")]
            if keys:
                await pool.delete(*keys)
        finally:
            await pool.aclose()
        if not args.keep:
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())

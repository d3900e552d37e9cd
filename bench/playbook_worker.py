"""The playbook worker: scored-batch evaluation rate, and batch-to-incident latency under load.

    .venv/bin/python bench/playbook_worker.py [--batches 40] [--batch-size 500] [--tenants 4]
                                              [--rate 1000] [--seconds 20]

Runs against a fresh PostgreSQL database (dropped at the end) and the local Redis, with the real
worker (``create_worker``) in this process.

1. Throughput: ``--batches`` scored batches of ``--batch-size`` mentions (a realistic mix: mostly
   neutral, a fifth negative, topics, a few journalists, some crisis keywords) for ``--tenants``
   tenants with the shipped playbooks are enqueued, then one worker drains them. Prints
   mentions/s (target: at least 10,000).
2. Latency: a producer offers ``--rate`` mentions/s (batches of 100 every 0.1 s) for
   ``--seconds``; every batch belongs to a new tenant and carries a data-leak burst, so every
   batch opens an incident. Prints p50/p95/p99 from enqueue to the committed incident
   (target: p99 at most 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import statistics
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from arq.worker import Function

from services.common.migrate import upgrade_async
from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool
from services.playbook.evaluation import jobs
from services.playbook.settings import PlaybookSettings
from services.playbook.worker import create_worker

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

TEXTS = [
    ("De app werkt weer prima, dank!", "positive"),
    ("Wanneer komt de nieuwe pas binnen?", "neutral"),
    ("Alweer storing bij de app, niemand die reageert", "negative"),
    ("Klantenservice was snel en vriendelijk", "positive"),
    ("Hoe zet ik automatisch sparen aan?", "neutral"),
    ("Belachelijk lange wachttijd aan de telefoon", "negative"),
    ("Mooie campagne op tv gezien", "positive"),
    ("Rente op sparen is weer omlaag", "neutral"),
]


def mention(at: datetime, text: str, sentiment: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "platform": "x",
        "created_at": at.isoformat(),
        "text": text,
        "author_handle": f"user{random.randint(1, 5000)}",
        "author_followers": random.randint(10, 5000),
        "language": "nl",
        "sentiment": sentiment,
        "sentiment_score": -0.6 if sentiment == "negative" else 0.2,
        "confidence": 0.8,
        "intents": [],
        "crisis_categories": [],
        "stakeholder": "unknown",
        "reach": 120.0,
        "risk": round(
            random.uniform(0.3, 0.7) if sentiment == "negative" else random.uniform(0, 0.2), 3
        ),
        "topics": random.sample(["app", "sparen", "service", "campagne"], k=random.randint(0, 2)),
        "model_version": "bench",
        **extra,
    }


def mixed_batch(tenant: str, size: int, now: datetime) -> dict[str, Any]:
    mentions = []
    for i in range(size):
        text, sentiment = random.choice(TEXTS)
        at = now - timedelta(seconds=random.uniform(0, 50))
        extra: dict[str, Any] = {}
        if i % 97 == 0:
            text, sentiment = "Is dit een datalek bij de bank? Mijn gegevens online", "negative"
        if i % 211 == 0:
            extra = {"stakeholder": "journalist", "author_followers": 25_000}
        mentions.append(mention(at, f"{text} #{i}", sentiment, **extra))
    return {"version": 1, "batch_id": uuid.uuid4().hex, "tenant": tenant, "mentions": mentions}


def crisis_batch(tenant: str, size: int, now: datetime) -> dict[str, Any]:
    batch = mixed_batch(tenant, size - 3, now)
    for i in range(3):
        batch["mentions"].append(
            mention(now - timedelta(seconds=5 + i), f"Groot datalek bij de bank! {i}", "negative")
        )
    return batch


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def close_quietly(worker: Any) -> Any:
    async def close() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()

    return close()


async def throughput(settings: PlaybookSettings, args: argparse.Namespace) -> float:
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    tenants = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(args.tenants)]
    now = datetime.now(UTC)
    payloads = [
        mixed_batch(tenants[i % len(tenants)], args.batch_size, now) for i in range(args.batches)
    ]
    # one warm-up batch per tenant (first detector state, playbooks into the cache)
    for tenant in tenants:
        warm = mixed_batch(tenant, 50, now)
        await pool.enqueue_job(jobs.EVALUATE_JOB, warm, _job_id=warm["batch_id"])
    worker = create_worker(settings, burst=True)
    worker.max_burst_jobs = len(tenants)
    await worker.async_run()
    await close_quietly(worker)
    for payload in payloads:
        await pool.enqueue_job(jobs.EVALUATE_JOB, payload, _job_id=payload["batch_id"])
    worker = create_worker(settings, burst=True)
    worker.max_burst_jobs = len(payloads)
    started = time.perf_counter()
    await worker.async_run()
    elapsed = time.perf_counter() - started
    failed = worker.jobs_failed
    await close_quietly(worker)
    await pool.aclose()
    mentions = args.batches * args.batch_size
    rate = float(mentions / elapsed)
    print(
        f"throughput: {mentions} mentions in {args.batches} batches of {args.batch_size} "
        f"({args.tenants} tenants) in {elapsed:.2f} s = {rate:,.0f} mentions/s "
        f"({failed} failed jobs; target >= 10,000/s)"
    )
    return rate


async def latency(settings: PlaybookSettings, args: argparse.Namespace) -> list[float]:
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    batch_size = 100
    interval = batch_size / args.rate
    total = int(args.seconds * args.rate / batch_size)
    enqueued: dict[str, float] = {}
    done: dict[str, float] = {}
    opened: dict[str, int] = {}
    finished = asyncio.Event()

    async def timed(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        result = await jobs.evaluate_batch(ctx, payload)
        if payload["batch_id"] in enqueued:  # returns after the commit: the incident exists
            done[payload["batch_id"]] = time.perf_counter()
            opened[payload["batch_id"]] = len(result.get("opened", []))
            if len(done) >= total:
                finished.set()
        return result

    worker = create_worker(settings)
    function = worker.functions[jobs.EVALUATE_JOB]
    assert isinstance(function, Function)
    worker.functions[jobs.EVALUATE_JOB] = dataclasses.replace(function, coroutine=timed)
    runner = asyncio.create_task(worker.async_run())
    start = time.perf_counter()
    for i in range(total):
        await asyncio.sleep(max(0.0, start + i * interval - time.perf_counter()))
        payload = crisis_batch(f"lat-{uuid.uuid4().hex[:10]}", batch_size, datetime.now(UTC))
        enqueued[payload["batch_id"]] = time.perf_counter()
        await pool.enqueue_job(jobs.EVALUATE_JOB, payload, _job_id=payload["batch_id"])
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(finished.wait(), timeout=30)
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await runner
    await close_quietly(worker)
    await pool.aclose()
    latencies = sorted(done[b] - enqueued[b] for b in done)
    without = sum(1 for b in done if opened[b] < 1)
    if latencies:
        q = statistics.quantiles(latencies, n=100)
        print(
            f"latency at {args.rate:,.0f} mentions/s offered for {args.seconds:g} s: "
            f"{len(latencies)}/{total} batches of {batch_size}, each opening an incident "
            f"({without} did not); enqueue → committed incident p50 {q[49] * 1000:.0f} ms, "
            f"p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms (target p99 <= 1,000 ms)"
        )
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    name = f"uitkijk_bench_playbook_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        await upgrade_async("playbook", url, "playbook")
        settings = PlaybookSettings(
            database_url=url,
            database_schema="playbook",
            redis_url=REDIS,
            queue_prefix=f"bench-{uuid.uuid4().hex[:8]}",
            library_fallback=True,  # every tenant runs the five shipped playbooks
            log_level="WARNING",
            publish_events=True,
        )
        await throughput(settings, args)
        await latency(settings, args)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())

"""Small typed factories for sentiment tests: queue batches, and running the worker on them."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime
from typing import Any

from services.common.db import new_id
from services.common.queue import SENTIMENT_QUEUE, create_queue_pool, enqueue_batch
from services.sentiment.settings import SentimentSettings
from services.sentiment.worker import create_worker


def mention(
    text: str = "Alweer storing bij de app, niemand die reageert #storing", **overrides: Any
) -> dict[str, Any]:
    created = overrides.pop("created_at", datetime(2026, 11, 28, 9, 15, tzinfo=UTC))
    author = {
        "handle": "someone",
        "name": "Some One",
        "followers": 1200,
        "verified": False,
        "bio": None,
        "url": None,
    }
    author.update(overrides.pop("author", {}))
    body: dict[str, Any] = {
        "id": new_id(),
        "platform": "x",
        "external_id": uuid.uuid4().hex,
        "url": "https://x.com/someone/status/1",
        "text": text,
        "language": None,
        "created_at": created.isoformat() if isinstance(created, datetime) else created,
        "author": author,
        "in_reply_to": None,
        "thread_id": None,
        "engagement": {"likes": 3, "shares": 1, "replies": 0, "views": 250},
        "ingested_at": datetime.now(UTC).isoformat(),
    }
    body.update(overrides)
    return body


def batch(tenant: str, mentions: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": 1,
        "batch_id": new_id(),
        "tenant": tenant,
        "reason": "new",
        "mentions": mentions,
        "trace_id": None,
    }
    body.update(overrides)
    return body


async def enqueue(
    settings: SentimentSettings, *payloads: dict[str, Any], job_id: str | None = None
) -> None:
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, SENTIMENT_QUEUE)
    try:
        for payload in payloads:
            await enqueue_batch(pool, "score_batch", payload, job_id=job_id or payload["batch_id"])
    finally:
        await pool.aclose()


async def run_worker(settings: SentimentSettings, *, check: Any = None) -> None:
    """Drain the sentiment queue with a burst worker; ``check`` runs before it is closed."""
    worker = create_worker(settings, burst=True)
    try:
        await worker.async_run()
        if check is not None:
            await check(worker)
    finally:
        await close_worker(worker)


async def close_worker(worker: Any) -> None:
    # arq 0.28 closes its pool with redis' deprecated ``close()``; the warning is arq's, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        await worker.close()


async def score(
    settings: SentimentSettings, tenant: str, mentions: list[dict[str, Any]]
) -> dict[str, Any]:
    """Enqueue one batch of ``mentions`` and run the worker over it."""
    payload = batch(tenant, mentions)
    await enqueue(settings, payload)
    await run_worker(settings)
    return payload


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

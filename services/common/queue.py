"""arq wiring: JSON (never pickle) serialisation, queue names, bounded enqueue.

A job always carries a batch; the batch id is the arq job id, so a repeated enqueue of the same batch
is refused by arq while the job is queued, running or its result is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from typing import Any

import orjson
from arq.connections import ArqRedis, RedisSettings, create_pool
from prometheus_client import Gauge

SENTIMENT_QUEUE = "sentiment"
PLAYBOOK_QUEUE = "playbook"

#: One gauge for every worker (label ``queue``): what KEDA scales the workers on.
READY_JOBS = Gauge(
    "uitkijk_queue_ready_jobs", "Jobs ready to run now (deferred excluded)", ["queue"]
)


def serialize(obj: dict[str, Any]) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def deserialize(data: bytes) -> dict[str, Any]:
    value = orjson.loads(data)
    assert isinstance(value, dict)
    return value


def queue_name(prefix: str, queue: str) -> str:
    return f"{prefix}:queue:{queue}"


def redis_settings(url: str, timeout: float = 2.0) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = max(1, int(timeout))
    settings.conn_retries = 1
    settings.conn_retry_delay = 0
    return settings


async def create_queue_pool(
    url: str, prefix: str, queue: str, connect_seconds: float = 2.0
) -> ArqRedis:
    """A pool whose default queue is ``queue``; made in a lifespan, never at import."""
    return await create_pool(
        redis_settings(url, connect_seconds),
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=queue_name(prefix, queue),
    )


async def enqueue_batch(
    pool: ArqRedis,
    function: str,
    payload: dict[str, Any],
    *,
    job_id: str,
    queue: str | None = None,
    within_seconds: float = 2.0,
) -> bool:
    """Enqueue one batch job; ``False`` when arq already knows this job id.

    Bounded by ``timeout``: arq sets no socket read timeout, and a Redis that stops answering
    must not hang a request. Raises on Redis errors so callers can leave the batch in their outbox.
    """
    job = await asyncio.wait_for(
        pool.enqueue_job(function, payload, _job_id=job_id, _queue_name=queue),
        timeout=within_seconds,
    )
    return job is not None


async def ready_depth(pool: ArqRedis, queue: str) -> int:
    """Jobs ready to run now (deferred ones excluded): the number to autoscale workers on."""
    now_ms = int(time.time() * 1000)
    return int(await pool.zcount(queue, "-inf", now_ms))


class LazyQueue:
    """An arq pool that connects on first use and reconnects after Redis comes back.

    A service must start, and keep storing what it accepts, while Redis is down.
    """

    def __init__(self, url: str, prefix: str, queue: str, timeout: float = 2.0) -> None:
        self.url = url
        self.prefix = prefix
        self.name = queue_name(prefix, queue)
        self.timeout = timeout
        self._pool: ArqRedis | None = None
        self._lock = asyncio.Lock()

    async def pool(self) -> ArqRedis:
        if self._pool is not None:
            return self._pool
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncio.wait_for(
                    create_queue_pool(
                        self.url, self.prefix, self.name.rsplit(":", 1)[-1], self.timeout
                    ),
                    timeout=self.timeout * 2,
                )
            return self._pool

    async def enqueue(self, function: str, payload: dict[str, Any], job_id: str) -> bool:
        try:
            pool = await self.pool()
            return await enqueue_batch(
                pool, function, payload, job_id=job_id, within_seconds=self.timeout
            )
        except BaseException:
            await self.reset()
            raise

    async def reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pool.aclose(), timeout=self.timeout)

    async def close(self) -> None:
        await self.reset()


def worker_health_key(prefix: str, queue: str) -> str:
    """One key per pod (``POD_NAME``, else the host name): arq's ``--check`` reads one key per
    queue, which would let one healthy pod vouch for a dead one."""
    pod = os.environ.get("POD_NAME") or socket.gethostname()
    return f"{prefix}:health:{queue}:{pod}"


async def check_worker_health(
    redis_url: str, key: str, socket_seconds: float = 2.0, log: Any = None
) -> int:
    """0 when ``key`` is fresh (the worker polled within its health interval), else 1, which is
    also logged as a warning on ``log`` (a structlog logger) when one is given."""
    from redis.asyncio import Redis

    client = Redis.from_url(
        redis_url, socket_timeout=socket_seconds, socket_connect_timeout=socket_seconds
    )
    try:
        value = await client.get(key)
    except Exception:  # unreachable Redis: not healthy, whatever the reason
        value = None
    finally:
        await client.aclose()
    if value is not None:
        return 0
    if log is not None:
        log.warning("health check failed: key missing, expired or unreadable", key=key)
    return 1

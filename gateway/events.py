"""Live events from Redis pub/sub, fanned out to subscriptions: one Redis connection per process.

A tenant's channel (``events_channel(prefix, tenant)``) is subscribed while at least one of its
subscriptions is open; each subscriber has a bounded queue (the oldest events are dropped when a
slow client falls behind, and counted).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncGenerator

import structlog
from prometheus_client import Counter, Gauge
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from services.common.contracts.events import (
    EVENT_ADAPTER,
    IncidentEventV1,
    MentionScoredEventV1,
    events_channel,
)

Event = IncidentEventV1 | MentionScoredEventV1

log = structlog.get_logger("uitkijk.gateway.events")

EVENTS = Counter("uitkijk_gateway_events_total", "Pub/sub events received", ["type", "outcome"])
SUBSCRIBERS = Gauge("uitkijk_gateway_subscribers", "Open event subscribers")


class EventHub:
    def __init__(self, redis: Redis, prefix: str, buffer: int = 1000) -> None:
        self.redis = redis
        self.prefix = prefix
        self.buffer = buffer
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def _ensure_reader(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_forever(), name="gateway-events")
        return self._pubsub

    async def _read_forever(self) -> None:
        while True:
            pubsub = self._pubsub
            if pubsub is None:
                return
            try:
                if not pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis went away: resubscribe when it is back
                log.warning("pub/sub read failed", error=repr(exc))
                await asyncio.sleep(1.0)
                await self._resubscribe()
                continue
            if message is None or message.get("type") != "message":
                continue
            self._dispatch(message["channel"], message["data"])

    async def _resubscribe(self) -> None:
        async with self._lock:
            old, self._pubsub = self._pubsub, self.redis.pubsub(ignore_subscribe_messages=True)
            if old is not None:
                with contextlib.suppress(Exception):
                    await old.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            channels = [events_channel(self.prefix, t) for t, qs in self._queues.items() if qs]
            if channels:
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(*channels)

    def _dispatch(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        tenant = name.removeprefix(f"{self.prefix}:events:")
        try:
            event = EVENT_ADAPTER.validate_json(data)
        except ValidationError:
            EVENTS.labels("unknown", "invalid").inc()
            return
        if event.tenant != tenant:
            # Strictly per tenant: an event on another tenant's channel is never delivered.
            EVENTS.labels(event.type, "wrong-tenant").inc()
            return
        for queue in list(self._queues.get(tenant, ())):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                EVENTS.labels(event.type, "dropped").inc()
            queue.put_nowait(event)
        EVENTS.labels(event.type, "delivered").inc()

    async def subscribe(self, tenant: str) -> AsyncGenerator[Event, None]:
        """Yields the tenant's events from now on until the consumer stops iterating."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=self.buffer)
        async with self._lock:
            pubsub = await self._ensure_reader()
            first = not self._queues[tenant]
            self._queues[tenant].add(queue)
            if first:
                await pubsub.subscribe(events_channel(self.prefix, tenant))
        SUBSCRIBERS.inc()
        try:
            while True:
                yield await queue.get()
        finally:
            SUBSCRIBERS.dec()
            async with self._lock:
                self._queues[tenant].discard(queue)
                if not self._queues[tenant]:
                    del self._queues[tenant]
                    if self._pubsub is not None:
                        with contextlib.suppress(Exception):
                            await self._pubsub.unsubscribe(events_channel(self.prefix, tenant))

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py

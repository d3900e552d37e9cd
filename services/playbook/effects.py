"""What leaves the service after a commit: live events, deadline jobs to schedule or cancel.

Use cases collect them in an :class:`Effects` while they flush; the edge (router or job) commits
and then hands them to :class:`Dispatcher`. A failure here loses nothing that matters: events are
best effort by nature, and the deadline sweep schedules what never reached Redis.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from arq.connections import ArqRedis
from arq.constants import abort_jobs_ss, in_progress_key_prefix, job_key_prefix
from redis.asyncio import Redis

from services.common.contracts import IncidentEventV1, events_channel
from services.common.queue import PLAYBOOK_QUEUE, LazyQueue, queue_name

log = structlog.get_logger("uitkijk.playbook")

DEADLINE_JOB = "step_deadline"


def deadline_job_id(step_id: str, due_at: datetime) -> str:
    """One job per step and due time: a re-planned due time is a new job, a repeat is refused."""
    return f"deadline:{step_id}:{int(due_at.timestamp())}"


@dataclass(frozen=True, slots=True)
class Deadline:
    tenant: str
    step_id: str
    due_at: datetime

    @property
    def job_id(self) -> str:
        return deadline_job_id(self.step_id, self.due_at)


@dataclass
class Effects:
    events: list[IncidentEventV1] = field(default_factory=list)
    schedule: list[Deadline] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)

    def extend(self, other: Effects) -> None:
        self.events.extend(other.events)
        self.schedule.extend(other.schedule)
        self.cancel.extend(other.cancel)


class Dispatcher:
    """Publishes events on ``{prefix}:events:{tenant}`` and (un)schedules deadline jobs."""

    def __init__(
        self,
        redis: Redis,
        queue: LazyQueue,
        prefix: str,
        *,
        publish_events: bool = True,
        timeout: float = 2.0,
    ) -> None:
        self.redis = redis
        self.queue = queue
        self.prefix = prefix
        self.publish_events = publish_events
        self.timeout = timeout

    async def dispatch(self, fx: Effects, now: datetime) -> None:
        if fx.events and self.publish_events:
            try:
                pipe = self.redis.pipeline(transaction=False)
                for event in fx.events:
                    pipe.publish(events_channel(self.prefix, event.tenant), event.model_dump_json())
                await asyncio.wait_for(pipe.execute(), timeout=self.timeout)
            except Exception as exc:  # live events are best effort; the timeline keeps them
                log.warning("event publish failed", error=repr(exc), events=len(fx.events))
        if fx.cancel:
            try:
                await self.cancel(fx.cancel)
            except Exception as exc:  # the job checks the step when it fires anyway
                log.warning("deadline cancel failed", error=repr(exc))
        for deadline in fx.schedule:
            try:
                await self.schedule(deadline, now)
            except Exception as exc:  # the sweep schedules it later from the database
                log.warning("deadline schedule failed", step_id=deadline.step_id, error=repr(exc))
                break

    async def schedule(self, deadline: Deadline, now: datetime) -> bool:
        """A deferred ``step_deadline`` job at the due time (now, when it is already due by the
        service's clock). ``False`` when arq already has this job."""
        pool = await self.queue.pool()
        # arq measures the delay on the wall clock; the service's clock may differ (tests)
        defer = deadline.due_at if deadline.due_at > max(now, datetime.now(UTC)) else None
        job = await asyncio.wait_for(
            pool.enqueue_job(
                DEADLINE_JOB,
                {"tenant": deadline.tenant, "step_id": deadline.step_id},
                _job_id=deadline.job_id,
                _defer_until=defer,
            ),
            timeout=self.timeout,
        )
        return job is not None

    async def cancel(self, job_ids: list[str]) -> int:
        """Take deferred deadline jobs off the queue (a step completed before its deadline)."""
        pool: ArqRedis = await self.queue.pool()
        name = queue_name(self.prefix, PLAYBOOK_QUEUE)
        pipe = pool.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.zrem(name, job_id)
            pipe.delete(job_key_prefix + job_id)
        results = await asyncio.wait_for(pipe.execute(), timeout=self.timeout)
        removed = sum(int(r) for r in results[::2])
        # A job already running is aborted through arq (workers run with allow_abort_jobs); it
        # would find the step finished anyway.
        running = [
            job_id
            for job_id in job_ids
            if await asyncio.wait_for(pool.exists(in_progress_key_prefix + job_id), self.timeout)
        ]
        if running:
            stamp = int(time.time() * 1000)
            await asyncio.wait_for(
                pool.zadd(abort_jobs_ss, dict.fromkeys(running, stamp)), self.timeout
            )
        return removed

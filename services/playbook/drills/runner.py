"""The drill runner: each tick sends every running drill the mentions that became due.

``run_drill_tick`` is one round (tests drive it with a controlled clock); ``drill_loop`` runs it
forever in the playbook app's background.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import transaction
from services.common.settings import TokenSettings
from services.playbook.drills import repository as repo
from services.playbook.drills import scenarios
from services.playbook.drills.schemas import DrillStatus
from services.playbook.drills.senders import MentionSender, SendFailed, create_sender, rebase
from services.playbook.drills.settings import DrillSettings
from services.playbook.drills.tables import Drill

log = structlog.get_logger("uitkijk.playbook.drills")

#: Drills advanced per round (each holds its row lock while its batches go out).
DRILLS_PER_TICK = 20


async def _advance(
    drill: Drill, settings: DrillSettings, sender: MentionSender, now: datetime
) -> int:
    assert drill.started_at is not None
    offsets = [float(m["offset_seconds"]) for m in drill.mentions]  # type: ignore[arg-type]
    due = scenarios.due_until(offsets, scenarios.scenario_clock(drill.started_at, now, drill.speed))
    sent = 0
    while drill.sent < due:
        start = drill.sent
        end = min(due, start + settings.batch_size)
        # The key names the slice of the scenario, so a resend after a crash is a no-op downstream.
        key = f"drill-{drill.id}-{start}-{end}"
        batch = [rebase(m, drill.started_at) for m in drill.mentions[start:end]]
        await sender.send(drill.sandbox_tenant, key, batch)
        drill.sent = end
        sent += end - start
    if drill.sent >= drill.total:
        drill.status = DrillStatus.REPLAYED
        drill.finished_at = now
    drill.updated_at = now
    return sent


async def run_drill_tick(
    sessions: async_sessionmaker[AsyncSession],
    settings: DrillSettings,
    sender: MentionSender,
    now: datetime | None = None,
    *,
    only: Sequence[str] | None = None,
    limit: int = DRILLS_PER_TICK,
) -> int:
    """Send what is due in every running drill (or the ``only`` ones); return mentions sent.

    A batch that cannot be sent leaves its drill where it was (the next tick tries again); what was
    sent before it in the same round is kept.
    """
    now = now or datetime.now(UTC)
    total = 0
    async with transaction(sessions) as session:
        for drill in await repo.claim_running(session, limit, only=only):
            try:
                total += await _advance(drill, settings, sender, now)
            except SendFailed as exc:
                drill.error = str(exc)[:1000]
                drill.updated_at = now
                log.warning("drill batch not sent", drill_id=drill.id, error=str(exc))
            else:
                drill.error = None
    return total


async def drill_loop(
    sessions: async_sessionmaker[AsyncSession], settings: DrillSettings, sender: MentionSender
) -> None:
    """Run drills forever (a task in the app's lifespan; cancel it on shutdown)."""
    while True:
        try:
            await run_drill_tick(sessions, settings, sender)
        except Exception as exc:  # keep running; the next tick retries
            log.warning("drill tick failed", error=repr(exc))
        await asyncio.sleep(settings.tick_seconds)


@contextlib.asynccontextmanager
async def running_drills(
    sessions: async_sessionmaker[AsyncSession],
    settings: DrillSettings,
    *,
    tokens: TokenSettings,
    redis_url: str,
    queue_prefix: str,
) -> AsyncIterator[MentionSender]:
    """For an app's lifespan: the drill runner works in the background until the block ends."""
    sender = create_sender(settings, tokens=tokens, redis_url=redis_url, queue_prefix=queue_prefix)
    task = asyncio.create_task(drill_loop(sessions, settings, sender), name="drills")
    try:
        yield sender
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sender.aclose()

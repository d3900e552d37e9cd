"""Bookkeeping for a service's outbox: batches that reached the queue, deleted in bulk.

Deleting outbox rows in one statement from a background loop saves a second commit per batch; a
crash before the delete only means the sweeper sends a batch again, which consumers ignore (every
job is idempotent and arq refuses a job id it still knows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import transaction

RemoveOutbox = Callable[[AsyncSession, Sequence[str]], Awaitable[None]]


class SentLog:
    """Batch ids that reached the queue but whose outbox rows are not yet deleted."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def add(self, batch_ids: Sequence[str]) -> None:
        self._ids.extend(batch_ids)

    def take(self) -> list[str]:
        ids, self._ids = self._ids, []
        return ids


async def forget_sent(
    sessions: async_sessionmaker[AsyncSession], sent_log: SentLog, remove: RemoveOutbox
) -> int:
    """Delete the outbox rows of batches that reached the queue, in one statement; on failure the
    ids go back to the log for the next round."""
    ids = sent_log.take()
    if ids:
        try:
            async with transaction(sessions) as session:
                await remove(session, ids)
        except Exception:
            sent_log.add(ids)
            raise
    return len(ids)

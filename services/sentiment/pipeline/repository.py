"""SQL for the playbook outbox and the failed-jobs table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sentiment.pipeline.tables import FailedJob, PlaybookOutbox

_O = PlaybookOutbox.__table__.c  # type: ignore[attr-defined]
_F = FailedJob.__table__.c  # type: ignore[attr-defined]


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def add_outbox(session: AsyncSession, entry: PlaybookOutbox) -> None:
    """Keep the entry (one statement); a re-run of the same job id replaces the previous one."""
    table = PlaybookOutbox.__table__  # type: ignore[attr-defined]
    insert_: Any = pg_insert if _is_postgres(session) else sqlite_insert
    statement = insert_(table).values(entry.model_dump())
    statement = statement.on_conflict_do_update(
        index_elements=["job_id"],
        set_={
            c: statement.excluded[c]
            for c in ("mention_ids", "trace_id", "created_at", "attempts", "last_error")
        },
    )
    await session.execute(statement)


async def remove_outbox(session: AsyncSession, job_ids: Sequence[str]) -> None:
    if job_ids:
        await session.execute(delete(PlaybookOutbox).where(_O.job_id.in_(list(job_ids))))


async def claim_unsent(
    session: AsyncSession, older_than: datetime, limit: int
) -> list[PlaybookOutbox]:
    """Unsent batches past the grace period; on PostgreSQL locked so workers share the work."""
    statement = (
        select(PlaybookOutbox)
        .where(_O.created_at < older_than)
        .order_by(_O.created_at)
        .limit(limit)
    )
    if _is_postgres(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars().all())


async def note_failure(session: AsyncSession, job_id: str, error: str) -> None:
    await session.execute(
        update(PlaybookOutbox)
        .where(_O.job_id == job_id)
        .values(attempts=_O.attempts + 1, last_error=error[:500])
    )


async def count_unsent(session: AsyncSession) -> int:
    statement = select(func.count()).select_from(PlaybookOutbox)
    return int((await session.execute(statement)).scalar_one())


async def add_failed(session: AsyncSession, failed: FailedJob) -> None:
    await session.execute(FailedJob.__table__.insert(), [failed.model_dump()])  # type: ignore[attr-defined]


async def unreplayed_failures(
    session: AsyncSession,
    *,
    tenant: str | None = None,
    ids: Sequence[str] | None = None,
    limit: int = 100,
) -> list[FailedJob]:
    statement = select(FailedJob).where(_F.replayed_at.is_(None))
    if tenant is not None:
        statement = statement.where(_F.tenant == tenant)
    if ids is not None:
        statement = statement.where(_F.id.in_(list(ids)))
    statement = statement.order_by(_F.failed_at).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def list_failed(
    session: AsyncSession, tenant: str, *, limit: int, before: tuple[datetime, str] | None = None
) -> list[FailedJob]:
    statement = select(FailedJob).where(_F.tenant == tenant)
    if before is not None:
        at, last_id = before
        statement = statement.where(
            (_F.failed_at < at) | ((_F.failed_at == at) & (_F.id < last_id))
        )
    statement = statement.order_by(_F.failed_at.desc(), _F.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def mark_replayed(session: AsyncSession, ids: Sequence[str], at: datetime) -> None:
    if ids:
        await session.execute(update(FailedJob).where(_F.id.in_(list(ids))).values(replayed_at=at))

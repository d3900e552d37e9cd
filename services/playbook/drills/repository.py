"""SQL for drills and their events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.drills.tables import Drill, DrillEvent

_D = Drill.__table__.c  # type: ignore[attr-defined]
_E = DrillEvent.__table__.c  # type: ignore[attr-defined]


async def get(
    session: AsyncSession, tenant: str, drill_id: str, *, lock: bool = False
) -> Drill | None:
    statement = select(Drill).where(_D.tenant == tenant, _D.id == drill_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalars().first()


async def by_sandbox(session: AsyncSession, sandbox_tenant: str) -> Drill | None:
    statement = select(Drill).where(_D.sandbox_tenant == sandbox_tenant)
    return (await session.execute(statement)).scalars().first()


async def list_for(
    session: AsyncSession, tenant: str, *, limit: int, after: str | None
) -> list[Drill]:
    """Newest first."""
    statement = select(Drill).where(_D.tenant == tenant)
    if after is not None:
        statement = statement.where(_D.id < after)
    statement = statement.order_by(_D.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def claim_running(
    session: AsyncSession, limit: int, *, only: Sequence[str] | None = None
) -> list[Drill]:
    """Running drills, locked for this round; another runner skips them (PostgreSQL).

    Least recently advanced first: every round touches what it advances, so with more running
    drills than ``limit`` each still gets its turn.
    """
    statement = select(Drill).where(_D.status == "running")
    if only is not None:
        statement = statement.where(_D.id.in_(list(only)))
    statement = (
        statement.order_by(_D.updated_at, _D.id).limit(limit).with_for_update(skip_locked=True)
    )
    return list((await session.execute(statement)).scalars().all())


async def add_event(session: AsyncSession, event: DrillEvent) -> bool:
    """Record ``event`` once per (drill, kind, ref); ``False`` when it was already recorded."""
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(DrillEvent)
        .values(**event.model_dump())
        .on_conflict_do_nothing(index_elements=["drill_id", "kind", "ref_id"])
        .returning(_E.id)
    )
    return (await session.execute(statement)).first() is not None


async def events_for(
    session: AsyncSession, drill_ids: Sequence[str]
) -> dict[str, list[DrillEvent]]:
    out: dict[str, list[DrillEvent]] = {d: [] for d in drill_ids}
    if drill_ids:
        statement = (
            select(DrillEvent).where(_E.drill_id.in_(list(drill_ids))).order_by(_E.at, _E.id)
        )
        for event in (await session.execute(statement)).scalars().all():
            out[event.drill_id].append(event)
    return out

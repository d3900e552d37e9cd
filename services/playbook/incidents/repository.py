"""SQL for incidents, steps, the timeline, statements and approvals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.incidents.tables import (
    Approval,
    Incident,
    Statement,
    Step,
    TimelineEvent,
)

I = Incident.__table__.c  # type: ignore[attr-defined]  # noqa: E741 - the table's columns
S = Step.__table__.c  # type: ignore[attr-defined]
T = TimelineEvent.__table__.c  # type: ignore[attr-defined]
ST = Statement.__table__.c  # type: ignore[attr-defined]
A = Approval.__table__.c  # type: ignore[attr-defined]

OPEN_STEP = ("pending", "active", "overdue")


def _locking(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def get_incident(
    session: AsyncSession, tenant: str, incident_id: str, *, lock: bool = False
) -> Incident | None:
    statement = select(Incident).where(I.tenant == tenant, I.id == incident_id)
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalars().first()


async def open_for_playbook(
    session: AsyncSession, tenant: str, playbook_ids: Sequence[str], *, lock: bool = False
) -> dict[str, Incident]:
    """The newest unresolved incident of each playbook (the one repeated signals join)."""
    statement = (
        select(Incident)
        .where(I.tenant == tenant, I.playbook_id.in_(list(playbook_ids)), I.state != "resolved")
        .order_by(I.id.desc())
    )
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found: dict[str, Incident] = {}
    for incident in (await session.execute(statement)).scalars().all():
        found.setdefault(incident.playbook_id, incident)
    return found


async def open_incidents(session: AsyncSession, tenant: str) -> list[tuple[str, str]]:
    statement = select(I.id, I.severity).where(I.tenant == tenant, I.state != "resolved")
    return [(r[0], r[1]) for r in (await session.execute(statement)).all()]


async def list_incidents(
    session: AsyncSession,
    tenant: str,
    *,
    states: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    since: datetime | None = None,
    ids: Sequence[str] | None = None,
    before_id: str | None = None,
    limit: int = 50,
) -> list[Incident]:
    """Newest first (ids are time-ordered UUIDv7)."""
    statement = select(Incident).where(I.tenant == tenant)
    if states:
        statement = statement.where(I.state.in_(list(states)))
    if severities:
        statement = statement.where(I.severity.in_(list(severities)))
    if since is not None:
        statement = statement.where(I.opened_at >= since)
    if ids is not None:
        statement = statement.where(I.id.in_(list(ids)))
    if before_id is not None:
        statement = statement.where(I.id < before_id)
    statement = statement.order_by(I.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


# --- steps --------------------------------------------------------------------------------------


async def steps_for(
    session: AsyncSession, tenant: str, incident_ids: Sequence[str], *, lock: bool = False
) -> list[Step]:
    statement = (
        select(Step)
        .where(S.tenant == tenant, S.incident_id.in_(list(incident_ids)))
        .order_by(S.incident_id, S.position)
    )
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(statement)).scalars().all())


async def get_step(
    session: AsyncSession, tenant: str | None, step_id: str, *, lock: bool = False
) -> Step | None:
    statement = select(Step).where(S.id == step_id)
    if tenant is not None:
        statement = statement.where(S.tenant == tenant)
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalars().first()


async def steps_due(session: AsyncSession, before: datetime, limit: int) -> list[Step]:
    """Open, not yet escalated steps due by ``before`` (every tenant): what the sweep schedules."""
    statement = (
        select(Step)
        .where(S.status.in_(OPEN_STEP), S.due_at.is_not(None), S.due_at <= before)
        .where(S.escalated_at.is_(None))
        .order_by(S.due_at)
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars().all())


# --- timeline -----------------------------------------------------------------------------------


async def add_events(session: AsyncSession, rows: Sequence[TimelineEvent]) -> None:
    if rows:
        await session.execute(
            TimelineEvent.__table__.insert(),  # type: ignore[attr-defined]
            [r.model_dump() for r in rows],
        )


async def timeline(
    session: AsyncSession, tenant: str, incident_id: str, *, after_id: str | None, limit: int
) -> list[TimelineEvent]:
    """Oldest first."""
    statement = select(TimelineEvent).where(T.tenant == tenant, T.incident_id == incident_id)
    if after_id is not None:
        statement = statement.where(T.id > after_id)
    statement = statement.order_by(T.id).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def latest_events(
    session: AsyncSession, tenant: str, incident_ids: Sequence[str], per_incident: int
) -> list[TimelineEvent]:
    """The newest ``per_incident`` events of each incident, in one statement (newest first)."""
    ranked = (
        select(
            T.id,
            func.row_number().over(partition_by=T.incident_id, order_by=T.id.desc()).label("rn"),
        )
        .where(T.tenant == tenant, T.incident_id.in_(list(incident_ids)))
        .subquery()
    )
    statement = (
        select(TimelineEvent)
        .join(ranked, ranked.c.id == T.id)
        .where(ranked.c.rn <= per_incident)
        .order_by(T.incident_id, T.id.desc())
    )
    return list((await session.execute(statement)).scalars().all())


async def count_events(session: AsyncSession, tenant: str, incident_id: str, kind: str) -> int:
    statement = select(func.count()).where(
        T.tenant == tenant, T.incident_id == incident_id, T.kind == kind
    )
    return int((await session.execute(statement)).scalar_one())


# --- statements ---------------------------------------------------------------------------------


async def statements_for(
    session: AsyncSession, tenant: str, incident_ids: Sequence[str], *, lock: bool = False
) -> list[Statement]:
    statement = (
        select(Statement)
        .where(ST.tenant == tenant, ST.incident_id.in_(list(incident_ids)))
        .order_by(ST.incident_id, ST.id)
    )
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(statement)).scalars().all())


async def get_statement(
    session: AsyncSession, tenant: str, statement_id: str, *, lock: bool = False
) -> Statement | None:
    statement = select(Statement).where(ST.tenant == tenant, ST.id == statement_id)
    if lock and _locking(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalars().first()


async def approvals_for(
    session: AsyncSession, tenant: str, statement_ids: Sequence[str]
) -> dict[str, list[Approval]]:
    out: dict[str, list[Approval]] = defaultdict(list)
    if not statement_ids:
        return out
    statement = (
        select(Approval)
        .where(A.tenant == tenant, A.statement_id.in_(list(statement_ids)))
        .order_by(A.id)
    )
    for approval in (await session.execute(statement)).scalars().all():
        out[approval.statement_id].append(approval)
    return out

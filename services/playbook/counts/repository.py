"""SQL for the per-minute counts, the detector states and the processed batches: bulk
statements, the one place here that knows dialects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.counts.tables import (
    DetectorStateRow,
    MinuteCount,
    MinuteCrisisCategory,
    ProcessedBatch,
)

#: What marks a drill's sandbox tenant (``{tenant}~drill-{id}``, see the drills package).
SANDBOX_MARK = "~drill-"

MC = MinuteCount.__table__  # type: ignore[attr-defined]
MCC = MinuteCrisisCategory.__table__  # type: ignore[attr-defined]
DS = DetectorStateRow.__table__  # type: ignore[attr-defined]
PB = ProcessedBatch.__table__  # type: ignore[attr-defined]


def _insert(session: AsyncSession) -> Any:
    postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
    return pg_insert if postgres else sqlite_insert


def _postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def claim_batch(
    session: AsyncSession, batch_id: str, tenant: str, mentions: int, now: datetime
) -> bool:
    """Record the batch as processed; ``False`` when it already was (the job ran before).

    In the batch's own transaction: a concurrent second run waits on the key and then finds it.
    """
    statement = (
        _insert(session)(PB)
        .values(batch_id=batch_id, tenant=tenant, mentions=mentions, processed_at=now)
        .on_conflict_do_nothing(index_elements=["batch_id"])
        .returning(PB.c.batch_id)
    )
    return (await session.execute(statement)).first() is not None


async def add_counts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One upsert for the batch: ``(tenant, topic, minute, total, negative, risk,
    crisis_signal)`` rows add up."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda r: (r["topic"], r["minute"]))  # a fixed lock order
    statement = _insert(session)(MC)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant", "topic", "minute"],
        set_={
            "total": MC.c.total + statement.excluded.total,
            "negative": MC.c.negative + statement.excluded.negative,
            "risk": MC.c.risk + statement.excluded.risk,
            "crisis_signal": MC.c.crisis_signal + statement.excluded.crisis_signal,
        },
    )
    # executemany of one compiled statement (SQLAlchemy batches it into multi-row VALUES)
    await session.execute(statement, ordered)


async def add_crisis_categories(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One upsert for the batch: ``(tenant, topic, minute, category, mentions)`` rows add up.
    Most batches have none (no statement then)."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda r: (r["topic"], r["minute"], r["category"]))
    statement = _insert(session)(MCC)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant", "topic", "minute", "category"],
        set_={"mentions": MCC.c.mentions + statement.excluded.mentions},
    )
    await session.execute(statement, ordered)


async def lock_states(
    session: AsyncSession, tenant: str, topics: Sequence[str], now: datetime
) -> dict[str, str | None]:
    """The detector states of ``topics`` (created empty when new), row-locked on PostgreSQL until
    the batch commits, so workers sharing a tenant take turns."""
    ordered = sorted(set(topics))
    await session.execute(
        _insert(session)(DS)
        .values(
            [
                {"tenant": tenant, "topic": t, "state": None, "batches": 0, "updated_at": now}
                for t in ordered
            ]
        )
        .on_conflict_do_nothing(index_elements=["tenant", "topic"])
    )
    statement = (
        select(DS.c.topic, DS.c.state)
        .where(DS.c.tenant == tenant, DS.c.topic.in_(ordered))
        .order_by(DS.c.topic)
    )
    if _postgres(session):
        statement = statement.with_for_update()
    return {r[0]: r[1] for r in (await session.execute(statement)).all()}


async def save_states(
    session: AsyncSession,
    tenant: str,
    states: dict[str, tuple[str, datetime | None]],
    now: datetime,
) -> None:
    """``topic → (state JSON, open_until)`` in one upsert."""
    if not states:
        return
    rows = [
        {
            "tenant": tenant,
            "topic": t,
            "state": state,
            "batches": 1,
            "open_until": open_until,
            "updated_at": now,
        }
        for t, (state, open_until) in sorted(states.items())
    ]
    statement = _insert(session)(DS)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant", "topic"],
        set_={
            "state": statement.excluded.state,
            "batches": DS.c.batches + 1,
            "open_until": statement.excluded.open_until,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(statement, rows)


async def idle_states(session: AsyncSession, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(tenant, topic) whose open minutes are ready to close with no batch arriving."""
    statement = (
        select(DS.c.tenant, DS.c.topic)
        .where(
            DS.c.open_until.is_not(None),
            # a drill's sandbox runs on a faster scenario clock: look at it every round
            or_(DS.c.open_until <= now, DS.c.tenant.contains(SANDBOX_MARK)),
        )
        .order_by(DS.c.open_until)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in (await session.execute(statement)).all()]


class CurveRow(NamedTuple):
    """One stored minute of a topic."""

    minute: datetime
    total: int
    negative: int
    risk: float
    crisis_signal: int


async def curve(
    session: AsyncSession, tenant: str, topic: str, since: datetime, until: datetime
) -> list[CurveRow]:
    """The topic's stored minutes in ``[since, until)``, oldest first."""
    statement = (
        select(MC.c.minute, MC.c.total, MC.c.negative, MC.c.risk, MC.c.crisis_signal)
        .where(
            MC.c.tenant == tenant,
            MC.c.topic == topic,
            MC.c.minute >= since,
            MC.c.minute < until,
        )
        .order_by(MC.c.minute)
    )
    return [
        CurveRow(r[0], int(r[1]), int(r[2]), float(r[3]), int(r[4]))
        for r in (await session.execute(statement)).all()
    ]


async def crisis_categories(
    session: AsyncSession, tenant: str, topic: str, since: datetime, until: datetime
) -> list[tuple[datetime, str, int]]:
    """``(minute, category, mentions)`` of the topic's crisis-signal mentions in
    ``[since, until)``, oldest first."""
    statement = (
        select(MCC.c.minute, MCC.c.category, MCC.c.mentions)
        .where(
            MCC.c.tenant == tenant,
            MCC.c.topic == topic,
            MCC.c.minute >= since,
            MCC.c.minute < until,
        )
        .order_by(MCC.c.minute, MCC.c.category)
    )
    return [(r[0], str(r[1]), int(r[2])) for r in (await session.execute(statement)).all()]


async def prune_processed(session: AsyncSession, older_than: datetime, limit: int = 10_000) -> int:
    """Forget processed batch ids older than the retention (arq redelivers within minutes)."""
    doomed = select(PB.c.batch_id).where(PB.c.processed_at < older_than).limit(limit)
    result = await session.execute(delete(PB).where(PB.c.batch_id.in_(doomed.scalar_subquery())))
    return int(getattr(result, "rowcount", 0) or 0)

"""SQL for signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.signals.tables import SignalRow

C = SignalRow.__table__.c  # type: ignore[attr-defined]


async def recent(
    session: AsyncSession, tenant: str, fingerprints: Sequence[str], since: datetime
) -> list[SignalRow]:
    """Signals of these fingerprints seen since ``since``, newest first (fold candidates)."""
    statement = (
        select(SignalRow)
        .where(C.tenant == tenant, C.fingerprint.in_(list(fingerprints)), C.last_at >= since)
        .order_by(C.last_at.desc())
    )
    return list((await session.execute(statement)).scalars().all())


async def add(session: AsyncSession, rows: Sequence[SignalRow]) -> None:
    if rows:
        await session.execute(
            SignalRow.__table__.insert(),  # type: ignore[attr-defined]
            [r.model_dump() for r in rows],
        )


async def list_signals(
    session: AsyncSession,
    tenant: str,
    *,
    incident_ids: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    since: datetime | None = None,
    before_id: str | None = None,
    limit: int = 50,
) -> list[SignalRow]:
    """Newest first."""
    statement = select(SignalRow).where(C.tenant == tenant)
    if incident_ids is not None:
        statement = statement.where(C.incident_id.in_(list(incident_ids)))
    if kinds:
        statement = statement.where(C.kind.in_(list(kinds)))
    if since is not None:
        statement = statement.where(C.last_at >= since)
    if before_id is not None:
        statement = statement.where(C.id < before_id)
    statement = statement.order_by(C.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def get(
    session: AsyncSession, tenant: str, signal_id: str, *, lock: bool = False
) -> SignalRow | None:
    statement = select(SignalRow).where(C.tenant == tenant, C.id == signal_id)
    if lock and session.bind is not None and session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalars().first()


async def snoozed(
    session: AsyncSession, tenant: str, fingerprints: Sequence[str], now: datetime
) -> dict[str, SignalRow]:
    """Fingerprint → its snoozed signal, for those snoozed beyond ``now``."""
    statement = (
        select(SignalRow)
        .where(
            C.tenant == tenant,
            C.fingerprint.in_(list(fingerprints)),
            C.snoozed_until.is_not(None),
            C.snoozed_until > now,
        )
        .order_by(C.snoozed_until)
    )
    return {r.fingerprint: r for r in (await session.execute(statement)).scalars().all()}

"""SQL for topics and known accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sentiment.topics.tables import KnownAccount, Topic

_T = Topic.__table__.c  # type: ignore[attr-defined]
_K = KnownAccount.__table__.c  # type: ignore[attr-defined]


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def get_topic(session: AsyncSession, tenant: str, topic_id: str) -> Topic | None:
    statement = select(Topic).where(_T.tenant == tenant, _T.id == topic_id)
    return (await session.execute(statement)).scalars().first()


async def topic_by_name(session: AsyncSession, tenant: str, name: str) -> Topic | None:
    statement = select(Topic).where(_T.tenant == tenant, _T.name == name)
    return (await session.execute(statement)).scalars().first()


async def list_topics(
    session: AsyncSession,
    tenant: str,
    *,
    kind: str | None = None,
    ids: Sequence[str] | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[Topic]:
    """By name, then id (keyset pagination on both)."""
    statement = select(Topic).where(_T.tenant == tenant)
    if kind is not None:
        statement = statement.where(_T.kind == kind)
    if ids is not None:
        statement = statement.where(_T.id.in_(list(ids)))
    if after is not None:
        name, last_id = after
        statement = statement.where(or_(_T.name > name, and_(_T.name == name, _T.id > last_id)))
    statement = statement.order_by(_T.name, _T.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def add_topic(session: AsyncSession, topic: Topic) -> None:
    session.add(topic)
    await session.flush()


async def delete_topic(session: AsyncSession, topic: Topic) -> None:
    await session.delete(topic)
    await session.flush()


async def upsert_accounts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[str]:
    """One statement: insert or update on (tenant, platform, handle); returns the stored ids."""
    if not rows:
        return []
    table = KnownAccount.__table__  # type: ignore[attr-defined]
    insert_: Any = pg_insert if _is_postgres(session) else sqlite_insert
    statement = insert_(table).values(list(rows))
    statement = statement.on_conflict_do_update(
        index_elements=["tenant", "platform", "handle"],
        set_={
            "stakeholder": statement.excluded.stakeholder,
            "note": statement.excluded.note,
            "updated_at": statement.excluded.updated_at,
        },
    ).returning(table.c.id)
    return [r[0] for r in (await session.execute(statement)).all()]


async def accounts_by_ids(
    session: AsyncSession, tenant: str, ids: Sequence[str]
) -> list[KnownAccount]:
    statement = select(KnownAccount).where(_K.tenant == tenant, _K.id.in_(list(ids)))
    return list((await session.execute(statement)).scalars().all())


async def list_accounts(
    session: AsyncSession,
    tenant: str,
    *,
    after: tuple[str, str, str] | None = None,
    limit: int | None = None,
) -> list[KnownAccount]:
    """By handle, platform, id."""
    statement = select(KnownAccount).where(_K.tenant == tenant)
    if after is not None:
        handle, platform, last_id = after
        statement = statement.where(
            or_(
                _K.handle > handle,
                and_(_K.handle == handle, _K.platform > platform),
                and_(_K.handle == handle, _K.platform == platform, _K.id > last_id),
            )
        )
    statement = statement.order_by(_K.handle, _K.platform, _K.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def delete_account(session: AsyncSession, tenant: str, account_id: str) -> bool:
    result = await session.execute(
        delete(KnownAccount).where(_K.tenant == tenant, _K.id == account_id).returning(_K.id)
    )
    return result.first() is not None

"""SQL for versioned playbooks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.playbook_store.tables import PlaybookHead, PlaybookVersion

H = PlaybookHead.__table__.c  # type: ignore[attr-defined]
V = PlaybookVersion.__table__.c  # type: ignore[attr-defined]


async def head(
    session: AsyncSession, tenant: str, playbook_id: str, *, lock: bool = False
) -> PlaybookHead | None:
    statement = select(PlaybookHead).where(H.tenant == tenant, H.playbook_id == playbook_id)
    if lock and session.bind is not None and session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(statement)).scalars().first()


async def version(
    session: AsyncSession, tenant: str, playbook_id: str, number: int
) -> PlaybookVersion | None:
    return await session.get(PlaybookVersion, (tenant, playbook_id, number))


async def versions(session: AsyncSession, tenant: str, playbook_id: str) -> list[PlaybookVersion]:
    statement = (
        select(PlaybookVersion)
        .where(V.tenant == tenant, V.playbook_id == playbook_id)
        .order_by(V.version)
    )
    return list((await session.execute(statement)).scalars().all())


async def latest(
    session: AsyncSession,
    tenant: str,
    *,
    active_only: bool = False,
    after: str | None = None,
    limit: int | None = None,
    ids: Sequence[str] | None = None,
) -> list[tuple[PlaybookHead, PlaybookVersion]]:
    """Each playbook with its latest version, ordered by id."""
    statement = (
        select(PlaybookHead, PlaybookVersion)
        .join(
            PlaybookVersion,
            and_(
                V.tenant == H.tenant,
                V.playbook_id == H.playbook_id,
                V.version == H.latest_version,
            ),
        )
        .where(H.tenant == tenant)
    )
    if active_only:
        statement = statement.where(H.active.is_(True))
    if after is not None:
        statement = statement.where(H.playbook_id > after)
    if ids is not None:
        statement = statement.where(H.playbook_id.in_(list(ids)))
    statement = statement.order_by(H.playbook_id)
    if limit is not None:
        statement = statement.limit(limit)
    return [(h, v) for h, v in (await session.execute(statement)).all()]


async def has_any(session: AsyncSession, tenant: str) -> bool:
    statement = select(H.playbook_id).where(H.tenant == tenant).limit(1)
    return (await session.execute(statement)).first() is not None

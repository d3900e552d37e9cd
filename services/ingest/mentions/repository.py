"""SQL for mentions, the outbox and idempotency keys: bulk statements, the one place that knows
dialects (``unnest`` arrays on PostgreSQL, multi-row VALUES on SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, delete, func, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Boolean, DateTime, Text

from services.ingest.mentions.tables import IdempotencyKey, Mention, OutboxBatch

MENTION_COLUMNS: tuple[str, ...] = (
    "id", "tenant", "platform", "external_id", "url", "text", "language", "created_at",
    "author_handle", "author_name", "author_followers", "author_verified", "author_bio",
    "author_url", "in_reply_to", "thread_id", "likes", "shares", "replies", "views", "raw",
    "ingested_at",
)  # fmt: skip

_PG_TYPES: dict[str, Any] = {
    "created_at": ARRAY(DateTime(timezone=True)),
    "ingested_at": ARRAY(DateTime(timezone=True)),
    "author_followers": ARRAY(BigInteger()),
    "likes": ARRAY(BigInteger()),
    "shares": ARRAY(BigInteger()),
    "replies": ARRAY(BigInteger()),
    "views": ARRAY(BigInteger()),
    "author_verified": ARRAY(Boolean()),
}
_PG_CASTS: dict[str, str] = {
    "created_at": "timestamptz[]",
    "ingested_at": "timestamptz[]",
    "author_followers": "bigint[]",
    "likes": "bigint[]",
    "shares": "bigint[]",
    "replies": "bigint[]",
    "views": "bigint[]",
    "author_verified": "boolean[]",
}


def _pg_insert_sql() -> Any:
    columns = ", ".join(MENTION_COLUMNS)
    arrays = ", ".join(f"CAST(:{c} AS {_PG_CASTS.get(c, 'text[]')})" for c in MENTION_COLUMNS)
    selected = ", ".join("u.raw::jsonb" if c == "raw" else f"u.{c}" for c in MENTION_COLUMNS)
    statement = text(
        f"INSERT INTO mentions ({columns}) "
        f"SELECT {selected} FROM unnest({arrays}) AS u({columns}) "
        "ON CONFLICT (tenant, platform, external_id) DO NOTHING RETURNING id"
    )
    return statement.bindparams(
        *(bindparam(c, type_=_PG_TYPES.get(c, ARRAY(Text()))) for c in MENTION_COLUMNS)
    )


_PG_INSERT = _pg_insert_sql()


async def insert_new(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert ``rows``; return the ids of those actually stored (the others already existed)."""
    if not rows:
        return set()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        params: dict[str, list[Any]] = {c: [] for c in MENTION_COLUMNS}
        for row in rows:
            for c in MENTION_COLUMNS:
                value = row[c]
                params[c].append(orjson.dumps(value).decode() if c == "raw" else value)
        result = await session.execute(_PG_INSERT, params)
    else:
        statement = (
            sqlite_insert(Mention)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=["tenant", "platform", "external_id"])
            .returning(Mention.__table__.c.id)  # type: ignore[attr-defined]
        )
        result = await session.execute(statement)
    return {r[0] for r in result.all()}


async def existing_ids(
    session: AsyncSession, tenant: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(platform, external_id) → id, for mentions of ``tenant`` that are already stored."""
    found: dict[tuple[str, str], str] = {}
    table = Mention.__table__.c  # type: ignore[attr-defined]
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        statement = select(table.platform, table.external_id, table.id).where(
            table.tenant == tenant, tuple_(table.platform, table.external_id).in_(chunk)
        )
        for platform, external_id, mention_id in (await session.execute(statement)).all():
            found[(platform, external_id)] = mention_id
    return found


@dataclass(frozen=True, slots=True)
class MentionFilter:
    platforms: Sequence[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    author: str | None = None
    text_contains: str | None = None
    ids: Sequence[str] | None = None


async def list_mentions(
    session: AsyncSession,
    tenant: str,
    where: MentionFilter,
    *,
    limit: int,
    after: tuple[datetime, str] | None = None,
) -> list[Mention]:
    """Newest first; keyset pagination on (created_at, id)."""
    m = Mention.__table__.c  # type: ignore[attr-defined]
    statement = select(Mention).where(m.tenant == tenant)
    if where.platforms:
        statement = statement.where(m.platform.in_(list(where.platforms)))
    if where.since is not None:
        statement = statement.where(m.created_at >= where.since)
    if where.until is not None:
        statement = statement.where(m.created_at < where.until)
    if where.author:
        statement = statement.where(func.lower(m.author_handle) == where.author.lower().lstrip("@"))
    if where.text_contains:
        escaped = where.text_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(m.text.ilike(f"%{escaped}%", escape="\\"))
    if where.ids is not None:
        statement = statement.where(m.id.in_(list(where.ids)))
    if after is not None:
        created, last_id = after
        statement = statement.where(
            or_(m.created_at < created, and_(m.created_at == created, m.id < last_id))
        )
    statement = statement.order_by(m.created_at.desc(), m.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def get_mention(session: AsyncSession, tenant: str, mention_id: str) -> Mention | None:
    m = Mention.__table__.c  # type: ignore[attr-defined]
    statement = select(Mention).where(m.tenant == tenant, m.id == mention_id)
    return (await session.execute(statement)).scalars().first()


async def mentions_by_ids(session: AsyncSession, tenant: str, ids: Sequence[str]) -> list[Mention]:
    m = Mention.__table__.c  # type: ignore[attr-defined]
    out: list[Mention] = []
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        statement = select(Mention).where(m.tenant == tenant, m.id.in_(chunk))
        out.extend((await session.execute(statement)).scalars().all())
    return out


async def ids_in_range(
    session: AsyncSession,
    tenant: str,
    since: datetime,
    until: datetime,
    platforms: Sequence[str] | None,
    *,
    after_id: str | None,
    limit: int,
) -> list[str]:
    m = Mention.__table__.c  # type: ignore[attr-defined]
    statement = select(m.id).where(m.tenant == tenant, m.created_at >= since, m.created_at < until)
    if platforms:
        statement = statement.where(m.platform.in_(list(platforms)))
    if after_id is not None:
        statement = statement.where(m.id > after_id)
    statement = statement.order_by(m.id).limit(limit)
    return [r[0] for r in (await session.execute(statement)).all()]


# --- the outbox -------------------------------------------------------------------------------


async def add_outbox(session: AsyncSession, batches: Sequence[OutboxBatch]) -> None:
    if batches:
        rows = [b.model_dump() for b in batches]
        await session.execute(OutboxBatch.__table__.insert(), rows)  # type: ignore[attr-defined]


async def remove_outbox(session: AsyncSession, batch_ids: Sequence[str]) -> None:
    if batch_ids:
        o = OutboxBatch.__table__.c  # type: ignore[attr-defined]
        await session.execute(delete(OutboxBatch).where(o.batch_id.in_(list(batch_ids))))


async def claim_unsent(
    session: AsyncSession, older_than: datetime, limit: int, only: Sequence[str] | None = None
) -> list[OutboxBatch]:
    """Unsent batches older than the grace period; on PostgreSQL, locked so replicas share work."""
    o = OutboxBatch.__table__.c  # type: ignore[attr-defined]
    statement = select(OutboxBatch).where(o.created_at < older_than)
    if only is not None:
        statement = statement.where(o.batch_id.in_(list(only)))
    statement = statement.order_by(o.created_at).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars().all())


async def note_failure(session: AsyncSession, batch_id: str, error: str) -> None:
    o = OutboxBatch.__table__.c  # type: ignore[attr-defined]
    await session.execute(
        update(OutboxBatch)
        .where(o.batch_id == batch_id)
        .values(attempts=o.attempts + 1, last_error=error[:500])
    )


async def count_unsent(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(OutboxBatch))).scalar_one())


# --- idempotency keys -------------------------------------------------------------------------


async def get_idempotency(
    session: AsyncSession, tenant: str, key: str, ttl_hours: int = 24
) -> IdempotencyKey | None:
    """The first answer for ``key``, unless it is older than the time keys are kept."""
    record = await session.get(IdempotencyKey, (tenant, key))
    if record is not None and record.created_at < datetime.now(UTC) - timedelta(hours=ttl_hours):
        await session.delete(record)  # expired: the key may be used afresh
        await session.flush()
        return None
    return record


async def save_idempotency(session: AsyncSession, record: IdempotencyKey) -> bool:
    """Store the first answer; ``False`` when a concurrent request stored one first."""
    values = record.model_dump()
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(table).values(values).on_conflict_do_nothing()
    result = await session.execute(statement.returning(table.c.key))
    return result.first() is not None


async def purge_idempotency(session: AsyncSession, older_than: datetime) -> None:
    k = IdempotencyKey.__table__.c  # type: ignore[attr-defined]
    await session.execute(delete(IdempotencyKey).where(k.created_at < older_than))

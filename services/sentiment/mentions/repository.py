"""SQL for the read model: one bulk upsert per batch (``json_to_recordset`` on PostgreSQL, multi-row
VALUES on SQLite), the previous scoring locked for the aggregate delta, and the filtered reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Text

from services.sentiment.analytics.buckets import Facets
from services.sentiment.mentions.tables import EnrichedMention

COLUMNS: tuple[str, ...] = (
    "id", "tenant", "platform", "external_id", "created_at", "text", "url", "author_handle",
    "author_name", "author_followers", "language", "sentiment", "sentiment_score", "confidence",
    "intents", "crisis_categories", "stakeholder", "reach", "risk", "risk_factors", "topics",
    "model_version", "scored_at",
)  # fmt: skip
JSON_COLUMNS = frozenset({"intents", "crisis_categories", "risk_factors", "topics"})
_M = EnrichedMention.__table__.c  # type: ignore[attr-defined]


def is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


_PG_TYPES: dict[str, str] = {
    "created_at": "timestamptz",
    "scored_at": "timestamptz",
    "author_followers": "bigint",
    "sentiment_score": "float8",
    "confidence": "float8",
    "reach": "float8",
    "risk": "float8",
    **dict.fromkeys(JSON_COLUMNS, "jsonb"),
}


def _pg_upsert() -> Any:
    # The batch travels as one JSON document (``json_to_recordset``): encoding 23 arrays of 500
    # values in the driver cost more Python time than anything else in the statement.
    columns = ", ".join(COLUMNS)
    record = ", ".join(f"{c} {_PG_TYPES.get(c, 'text')}" for c in COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c not in ("id", "tenant"))
    statement = text(
        f"INSERT INTO enriched_mentions ({columns}) "
        f"SELECT {columns} FROM json_to_recordset(CAST(:rows AS json)) AS r({record}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates} "
        "RETURNING id, (xmax = 0) AS inserted"
    )
    return statement.bindparams(bindparam("rows", type_=Text()))


_PG_UPSERT = _pg_upsert()


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, bool]:
    """Insert or update every row (sorted by id, so concurrent batches lock in one order).

    ``rows`` carry exactly the read model's columns. Returns id → whether the row was new. On
    SQLite every row reports ``True`` (one writer at a time).
    """
    if not rows:
        return {}
    rows = sorted(rows, key=lambda r: r["id"])
    if is_postgres(session):
        document = orjson.dumps(list(rows)).decode()
        result = await session.execute(_PG_UPSERT, {"rows": document})
        return {r[0]: bool(r[1]) for r in result.all()}
    statement = sqlite_insert(EnrichedMention.__table__).values(list(rows))  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={c: statement.excluded[c] for c in COLUMNS if c not in ("id", "tenant")},
    )
    await session.execute(statement)
    return {r["id"]: True for r in rows}


_FACET_COLUMNS = (
    "id", "created_at", "platform", "language", "sentiment", "intents", "stakeholder", "topics",
)  # fmt: skip
_PG_LOCK = (
    text(
        f"SELECT {', '.join(_FACET_COLUMNS)} FROM enriched_mentions "
        "WHERE id = ANY(CAST(:ids AS text[])) ORDER BY id FOR UPDATE"
    )
    .bindparams(bindparam("ids", type_=ARRAY(Text())))
    # Typed result columns: JSONB lists and aware datetimes come back as Python values.
    .columns(*(_M[c] for c in _FACET_COLUMNS))
)


async def lock_previous(session: AsyncSession, ids: Sequence[str]) -> dict[str, Facets]:
    """The current scoring of those ids that are stored, locked until the transaction ends."""
    ordered = sorted(set(ids))
    rows: list[Any] = []
    if is_postgres(session):
        rows.extend((await session.execute(_PG_LOCK, {"ids": ordered})).all())
    else:
        for start in range(0, len(ordered), 500):
            statement = (
                select(*(_M[c] for c in _FACET_COLUMNS))
                .where(_M.id.in_(ordered[start : start + 500]))
                .order_by(_M.id)
            )
            rows.extend((await session.execute(statement)).all())
    return {
        row[0]: Facets(
            created_at=row[1],
            platform=row[2],
            language=row[3],
            sentiment=row[4],
            intents=tuple(row[5] or ()),
            stakeholder=row[6],
            topics=tuple(row[7] or ()),
        )
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class MentionFilter:
    sentiments: Sequence[str] | None = None
    languages: Sequence[str] | None = None
    intents: Sequence[str] | None = None
    crisis_categories: Sequence[str] | None = None
    stakeholders: Sequence[str] | None = None
    topics: Sequence[str] | None = None
    platforms: Sequence[str] | None = None
    min_risk: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    author: str | None = None
    text_contains: str | None = None
    ids: Sequence[str] | None = None


def json_list_contains(session: AsyncSession, column: Any, value: str) -> ColumnElement[bool]:
    """``value`` is an element of the JSON list in ``column`` (GIN ``@>`` on PostgreSQL)."""
    if is_postgres(session):
        needle = cast(literal(orjson.dumps([value]).decode(), String), JSONB)
        return column.op("@>")(needle)  # type: ignore[no-any-return]
    elements = func.json_each(column).table_valued("value")
    return exists(
        select(literal_column("1")).select_from(elements).where(elements.c.value == value)
    )


def _any_of(session: AsyncSession, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(json_list_contains(session, column, v) for v in values))


def apply_filter(session: AsyncSession, statement: Any, tenant: str, where: MentionFilter) -> Any:
    statement = statement.where(_M.tenant == tenant)
    if where.sentiments:
        statement = statement.where(_M.sentiment.in_(list(where.sentiments)))
    if where.languages:
        statement = statement.where(_M.language.in_(list(where.languages)))
    if where.stakeholders:
        statement = statement.where(_M.stakeholder.in_(list(where.stakeholders)))
    if where.platforms:
        statement = statement.where(_M.platform.in_(list(where.platforms)))
    if where.intents:
        statement = statement.where(_any_of(session, _M.intents, where.intents))
    if where.crisis_categories:
        statement = statement.where(_any_of(session, _M.crisis_categories, where.crisis_categories))
    if where.topics:
        statement = statement.where(_any_of(session, _M.topics, where.topics))
    if where.min_risk is not None:
        statement = statement.where(_M.risk >= where.min_risk)
    if where.since is not None:
        statement = statement.where(_M.created_at >= where.since)
    if where.until is not None:
        statement = statement.where(_M.created_at < where.until)
    if where.author:
        statement = statement.where(
            func.lower(_M.author_handle) == where.author.lower().lstrip("@")
        )
    if where.text_contains:
        escaped = where.text_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(_M.text.ilike(f"%{escaped}%", escape="\\"))
    if where.ids is not None:
        statement = statement.where(_M.id.in_(list(where.ids)))
    return statement


async def list_mentions(
    session: AsyncSession,
    tenant: str,
    where: MentionFilter,
    *,
    limit: int,
    after: tuple[datetime, str] | None = None,
) -> list[EnrichedMention]:
    """Newest first; keyset pagination on (created_at, id)."""
    statement = apply_filter(session, select(EnrichedMention), tenant, where)
    if after is not None:
        created, last_id = after
        statement = statement.where(
            or_(_M.created_at < created, and_(_M.created_at == created, _M.id < last_id))
        )
    statement = statement.order_by(_M.created_at.desc(), _M.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def get_mention(
    session: AsyncSession, tenant: str, mention_id: str
) -> EnrichedMention | None:
    statement = select(EnrichedMention).where(_M.tenant == tenant, _M.id == mention_id)
    return (await session.execute(statement)).scalars().first()


async def mentions_by_ids(
    session: AsyncSession, tenant: str, ids: Sequence[str]
) -> list[EnrichedMention]:
    out: list[EnrichedMention] = []
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        statement = select(EnrichedMention).where(_M.tenant == tenant, _M.id.in_(chunk))
        out.extend((await session.execute(statement)).scalars().all())
    return out


async def texts_in_window(
    session: AsyncSession,
    tenant: str,
    where: MentionFilter,
    *,
    limit: int,
) -> list[tuple[str, str, datetime]]:
    """(id, text, created_at) of the newest ``limit`` mentions that pass ``where``."""
    statement = apply_filter(session, select(_M.id, _M.text, _M.created_at), tenant, where)
    statement = statement.order_by(_M.created_at.desc(), _M.id.desc()).limit(limit)
    return [(r[0], r[1], r[2]) for r in (await session.execute(statement)).all()]

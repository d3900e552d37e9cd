"""SQL for the aggregate counters: one delta upsert per batch, and the grouped reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, DateTime, Text

from services.sentiment.analytics.buckets import BucketKey
from services.sentiment.analytics.tables import MentionBucket

_B = MentionBucket.__table__.c  # type: ignore[attr-defined]
_SQLITE_ROWS = 2000  # x 8 columns per row
_KEY = ("tenant", "granularity", "bucket_start", "topic", "dimension", "value", "sentiment")

_PG_APPLY = text(
    "INSERT INTO mention_buckets (tenant, granularity, bucket_start, topic, dimension, value, "
    "sentiment, count) "
    "SELECT :tenant, u.g, u.b, u.t, u.d, u.v, u.s, u.n "
    "FROM unnest(CAST(:g AS text[]), CAST(:b AS timestamptz[]), CAST(:t AS text[]), "
    "CAST(:d AS text[]), CAST(:v AS text[]), CAST(:s AS text[]), CAST(:n AS bigint[])) "
    "AS u(g, b, t, d, v, s, n) "
    "ON CONFLICT (tenant, granularity, bucket_start, topic, dimension, value, sentiment) "
    "DO UPDATE SET count = mention_buckets.count + EXCLUDED.count"
).bindparams(
    bindparam("tenant", type_=Text()),
    bindparam("g", type_=ARRAY(Text())),
    bindparam("b", type_=ARRAY(DateTime(timezone=True))),
    bindparam("t", type_=ARRAY(Text())),
    bindparam("d", type_=ARRAY(Text())),
    bindparam("v", type_=ARRAY(Text())),
    bindparam("s", type_=ARRAY(Text())),
    bindparam("n", type_=ARRAY(BigInteger())),
)


async def apply_delta(session: AsyncSession, tenant: str, change: Mapping[BucketKey, int]) -> None:
    """Add ``change`` to the counters in one statement, in key order (a stable lock order)."""
    if not change:
        return
    keys = sorted(change)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        params: dict[str, Any] = {"tenant": tenant, "g": [], "b": [], "t": [], "d": [], "v": []}
        params.update({"s": [], "n": []})
        for key in keys:
            g, b, t, d, v, s = key
            params["g"].append(g)
            params["b"].append(b)
            params["t"].append(t)
            params["d"].append(d)
            params["v"].append(v)
            params["s"].append(s)
            params["n"].append(change[key])
        await session.execute(_PG_APPLY, params)
        return
    rows = [dict(zip(_KEY, (tenant, *key), strict=True), count=change[key]) for key in keys]
    table = MentionBucket.__table__  # type: ignore[attr-defined]
    # SQLite binds at most 32,766 values per statement; a replay over weeks touches many buckets.
    for start in range(0, len(rows), _SQLITE_ROWS):
        statement = sqlite_insert(table).values(rows[start : start + _SQLITE_ROWS])
        statement = statement.on_conflict_do_update(
            index_elements=list(_KEY), set_={"count": table.c.count + statement.excluded.count}
        )
        await session.execute(statement)


async def grouped_counts(
    session: AsyncSession,
    tenant: str,
    *,
    granularity: str,
    since: datetime,
    until: datetime,
    dimension: str,
    topics: Sequence[str],
    values: Sequence[str] | None = None,
) -> list[tuple[datetime, str, str, str, int]]:
    """(bucket_start, topic, value, sentiment, count) for the buckets in [since, until)."""
    statement = (
        select(_B.bucket_start, _B.topic, _B.value, _B.sentiment, func.sum(_B.count))
        .where(
            _B.tenant == tenant,
            _B.granularity == granularity,
            _B.dimension == dimension,
            _B.topic.in_(list(topics)),
            _B.bucket_start >= since,
            _B.bucket_start < until,
        )
        .group_by(_B.bucket_start, _B.topic, _B.value, _B.sentiment)
    )
    if values is not None:
        statement = statement.where(_B.value.in_(list(values)))
    rows = (await session.execute(statement)).all()
    return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

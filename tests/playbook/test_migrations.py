"""The playbook service's migrations go up and down on PostgreSQL and SQLite, keeping the rows
written before them (each test on a schema or file of its own, never the shared one)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import TextClause, bindparam, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.db import UTCDateTime, create_engine
from services.common.migrate import alembic_config

MINUTE = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def at_minute(sql: str) -> TextClause:
    """``sql`` with ``:minute`` bound as the tables store it (aware UTC on both backends)."""
    return text(sql).bindparams(bindparam("minute", value=MINUTE, type_=UTCDateTime()))


@dataclass
class Scratch:
    url: str
    schema: str | None
    engine: AsyncEngine

    async def migrate(self, revision: str, *, down: bool = False) -> None:
        config = alembic_config("playbook", self.url, self.schema)
        run = command.downgrade if down else command.upgrade
        await asyncio.to_thread(run, config, revision)  # env.py runs its own event loop

    async def columns(self, table: str) -> set[str]:
        async with self.engine.connect() as connection:
            return await connection.run_sync(
                lambda c: (
                    {col["name"] for col in inspect(c).get_columns(table, schema=self.schema)}
                    if inspect(c).has_table(table, schema=self.schema)
                    else set()
                )
            )


@pytest.fixture
async def scratch(backend: str, postgres_url: str, scratch_dir: Path) -> AsyncIterator[Scratch]:
    if backend == "postgres":
        url, schema = postgres_url, f"playbook_mig_{uuid.uuid4().hex[:8]}"
    else:
        url, schema = f"sqlite+aiosqlite:///{scratch_dir / f'mig-{uuid.uuid4().hex[:8]}.db'}", None
    engine = create_engine(url, schema=schema, pool_size=1)
    yield Scratch(url, schema, engine)
    if schema:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


async def test_crisis_signal_counts_migrate_up_and_down_keeping_the_minute_counts(
    scratch: Scratch,
) -> None:
    await scratch.migrate("0001")
    assert "crisis_signal" not in await scratch.columns("minute_counts")
    async with scratch.engine.begin() as connection:
        await connection.execute(
            at_minute(
                "INSERT INTO minute_counts (tenant, topic, minute, total, negative, risk) "
                "VALUES ('t', '*', :minute, 7, 2, 1.5)"
            )
        )

    await scratch.migrate("head")
    assert {"total", "negative", "risk", "crisis_signal"} <= await scratch.columns("minute_counts")
    assert await scratch.columns("minute_crisis_categories") == {
        "tenant",
        "topic",
        "minute",
        "category",
        "mentions",
    }
    async with scratch.engine.begin() as connection:
        before = (
            await connection.execute(
                text("SELECT total, negative, crisis_signal FROM minute_counts")
            )
        ).all()
        # a writer that leaves the column out still gets 0 (the server default)
        await connection.execute(
            at_minute(
                "INSERT INTO minute_counts (tenant, topic, minute, total, negative, risk) "
                "VALUES ('t', 'app', :minute, 1, 0, 0.0)"
            )
        )
        await connection.execute(
            at_minute(
                "INSERT INTO minute_crisis_categories (tenant, topic, minute, category, mentions) "
                "VALUES ('t', '*', :minute, 'leak', 3)"
            )
        )
        added = (
            await connection.execute(
                text("SELECT crisis_signal FROM minute_counts WHERE topic = 'app'")
            )
        ).scalar_one()
    assert [tuple(r) for r in before] == [(7, 2, 0)]
    assert added == 0

    await scratch.migrate("0001", down=True)
    assert "crisis_signal" not in await scratch.columns("minute_counts")
    assert await scratch.columns("minute_crisis_categories") == set()
    async with scratch.engine.connect() as connection:
        kept = (
            await connection.execute(
                text("SELECT topic, total, negative, risk FROM minute_counts ORDER BY topic")
            )
        ).all()
    assert [tuple(r) for r in kept] == [("*", 7, 2, 1.5), ("app", 1, 0, 0.0)]

    await scratch.migrate("head")  # and up again
    assert "crisis_signal" in await scratch.columns("minute_counts")

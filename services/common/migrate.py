"""Alembic migrations, one history per service, run by ``uitkijk migrate`` and in embedded mode.

Each service keeps ``services/<name>/migrations/`` (``env.py`` calls :func:`run_env`). On PostgreSQL a
service's tables and its ``alembic_version`` table live in its own schema.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from services.common.db import create_engine, is_postgres, normalize_url

SERVICES_DIR = Path(__file__).resolve().parent.parent


def alembic_config(service: str, url: str, schema: str | None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.attributes["database_url"] = normalize_url(url)
    config.attributes["schema"] = schema if is_postgres(url) else None
    return config


def upgrade(service: str, url: str, schema: str | None, revision: str = "head") -> None:
    """Bring one service's tables to ``revision`` (blocking; call from a thread in async code)."""
    command.upgrade(alembic_config(service, url, schema), revision)


async def upgrade_async(service: str, url: str, schema: str | None) -> None:
    await asyncio.to_thread(upgrade, service, url, schema)


def run_env(config: Config, target_metadata: MetaData) -> None:
    """The body of every service's ``env.py``: online migrations over the async engine."""
    url: str = config.attributes["database_url"]
    schema: str | None = config.attributes.get("schema")

    def do_run(connection: Connection) -> None:
        from alembic import context

        if schema:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.execute(text(f'SET search_path TO "{schema}"'))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            render_as_batch=not is_postgres(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url, schema=schema, pool_size=1)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(do_run)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(main())

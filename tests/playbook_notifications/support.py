"""Test support shared by the notification and drill tests: the playbook database, a small app,
and a local HTTP receiver that records what it is sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from services.common.app import build_app
from services.common.db import create_engine, session_factory
from services.common.migrate import SERVICES_DIR, upgrade_async
from services.common.settings import ServiceSettings
from services.playbook.drills import tables as drill_tables
from services.playbook.drills.settings import DrillSettings
from services.playbook.notifications import tables as notification_tables
from services.playbook.notifications.settings import NotificationSettings

MIGRATIONS = SERVICES_DIR / "playbook" / "migrations" / "env.py"


def has_migrations() -> bool:
    return Path(MIGRATIONS).exists()


OUR_TABLES = (
    notification_tables.WebhookSubscription,
    notification_tables.WebhookDelivery,
    notification_tables.WebhookAttempt,
    notification_tables.SocialFreezePolicy,
    notification_tables.SocialFreezeState,
    drill_tables.Drill,
    drill_tables.DrillEvent,
)


async def prepare_sqlite(url: str) -> None:
    """The embedded default: a SQLite file of the playbook service's own."""
    if has_migrations():
        await upgrade_async("playbook", url, None)
        return
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = [SQLModel.metadata.tables[t.__tablename__] for t in OUR_TABLES]
            await connection.run_sync(
                lambda sync: SQLModel.metadata.create_all(sync, tables=tables)
            )
    finally:
        await engine.dispose()


async def prepare_schema(url: str) -> str:
    """The schema holding our tables: the service's migrations once they exist, else our tables
    alone (in a schema of their own, so a later ``alembic upgrade`` never trips over them)."""
    if has_migrations():
        await upgrade_async("playbook", url, "playbook")
        return "playbook"
    schema = "playbook_notifications_drills_test"
    engine = create_engine(url, schema=schema, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await connection.execute(text(f'SET search_path TO "{schema}"'))
            tables = [SQLModel.metadata.tables[t.__tablename__] for t in OUR_TABLES]
            await connection.run_sync(
                lambda sync: SQLModel.metadata.create_all(sync, tables=tables)
            )
    finally:
        await engine.dispose()
    return schema


class TestSettings(ServiceSettings):
    """What the core ``PlaybookSettings`` embeds for us, on a plain service settings object."""

    __test__ = False
    service_name: str = "playbook"
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    drills: DrillSettings = Field(default_factory=DrillSettings)


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    settings: TestSettings


@contextlib.asynccontextmanager
async def harness(
    url: str,
    schema: str | None,
    routers: Sequence[APIRouter],
    settings: TestSettings,
    clock: object | None = None,
) -> AsyncIterator[Harness]:
    engine = create_engine(url, schema=schema, pool_size=4)
    sessions = session_factory(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine
        app.state.sessions = sessions
        if clock is not None:
            app.state.clock = clock
        yield

    app = build_app(
        settings, title="playbook (test)", description="test", lifespan=lifespan, routers=routers
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://playbook") as client:
            yield Harness(app, client, engine, sessions, settings)
    await engine.dispose()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP/1.1 server on 127.0.0.1 that records requests and answers from a script."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    #: Status codes to answer with, in order; 200 once the list is used up.
    script: list[int] = field(default_factory=list)
    headers_for: dict[int, dict[str, str]] = field(default_factory=dict)
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/uitkijk"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body))
            if self.delay:
                await asyncio.sleep(self.delay)
            status = self.script.pop(0) if self.script else 200
            extra = "".join(f"{k}: {v}\r\n" for k, v in self.headers_for.get(status, {}).items())
            reply = f"answer {status}".encode()
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: {len(reply)}\r\n{extra}"
                "Connection: close\r\n\r\n".encode()
                + reply
            )
            await writer.drain()
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()

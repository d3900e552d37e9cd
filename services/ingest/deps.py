"""The ``Annotated`` aliases that make ingest's endpoint signatures read like sentences."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.auth import Caller, require
from services.common.queue import LazyQueue
from services.ingest.mentions.service import SentLog
from services.ingest.settings import IngestSettings


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request; the endpoint commits, anything left open is rolled back."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return factory


def _queue(request: Request) -> LazyQueue:
    queue: LazyQueue = request.app.state.queue
    return queue


def _sent_log(request: Request) -> SentLog:
    sent_log: SentLog = request.app.state.sent_log
    return sent_log


def _settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


# scope="function": the session closes before the response is sent, so a failed commit can
# never have answered 202 already.
Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
Queue = Annotated[LazyQueue, Depends(_queue)]
Sent = Annotated[SentLog, Depends(_sent_log)]
Settings = Annotated[IngestSettings, Depends(_settings)]
Writer = Annotated[Caller, require("mentions:write")]
Reader = Annotated[Caller, require("mentions:read")]

"""The ``Annotated`` aliases that make the sentiment endpoints' signatures read like sentences."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.auth import Caller, CurrentCaller, require
from services.common.problems import Forbidden
from services.sentiment.nlp import Enricher
from services.sentiment.settings import SentimentSettings


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request; the endpoint commits, anything left open is rolled back."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return factory


def _settings(request: Request) -> SentimentSettings:
    settings: SentimentSettings = request.app.state.settings
    return settings


def _enricher(request: Request) -> Enricher:
    enricher: Enricher = request.app.state.enricher
    return enricher


def require_any(*scopes: str) -> Any:
    """A dependency that yields the caller when the token carries one of ``scopes`` (or admin)."""

    async def dependency(caller: CurrentCaller) -> Caller:
        if not any(caller.has(scope) for scope in scopes):
            needed = " or ".join(f"`{s}`" for s in scopes)
            raise Forbidden(f"This call needs the {needed} scope.", required_scope=list(scopes))
        return caller

    return Depends(dependency)


# scope="function": the session closes before the response is sent, so a failed commit can
# never have answered 2xx already.
Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
Settings = Annotated[SentimentSettings, Depends(_settings)]
EnricherDep = Annotated[Enricher, Depends(_enricher)]
MentionsReader = Annotated[Caller, require("mentions:read")]
AnalyticsReader = Annotated[Caller, require("analytics:read")]
TopicsWriter = Annotated[Caller, require("topics:write")]
TopicsReader = Annotated[Caller, require_any("mentions:read", "analytics:read", "topics:write")]

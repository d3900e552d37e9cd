"""Request dependencies every service shares: the request's transaction and the session factory.

Each service's ``deps.py`` re-exports these beside its own aliases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return factory


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request; the endpoint commits, anything left open is rolled back."""
    async with _sessions(request)() as session:
        yield session


# scope="function": the session closes before the response is sent, so a failed commit can
# never have answered 2xx already.
Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]

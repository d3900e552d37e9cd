"""The ``Annotated`` aliases that make the playbook endpoints read like sentences."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Caller, require
from services.playbook.clock import Clock
from services.playbook.effects import Dispatcher
from services.playbook.settings import PlaybookSettings


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request; the endpoint commits, anything left open is rolled back."""
    async with request.app.state.sessions() as session:
        yield session


def _settings(request: Request) -> PlaybookSettings:
    settings: PlaybookSettings = request.app.state.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _dispatcher(request: Request) -> Dispatcher:
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


# scope="function": the session closes before the response is sent, so a failed commit can
# never have answered 2xx already.
Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Settings = Annotated[PlaybookSettings, Depends(_settings)]
Now = Annotated[Clock, Depends(_clock)]
Dispatch = Annotated[Dispatcher, Depends(_dispatcher)]
Reader = Annotated[Caller, require("incidents:read")]
Writer = Annotated[Caller, require("incidents:write")]
Approver = Annotated[Caller, require("statements:approve")]
PlaybookReader = Annotated[Caller, require("playbooks:read")]
PlaybookWriter = Annotated[Caller, require("playbooks:write")]

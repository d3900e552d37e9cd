"""The ``Annotated`` aliases that make the playbook endpoints read like sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.common.auth import Caller, require
from services.common.deps import Tx as Tx
from services.playbook.clock import Clock
from services.playbook.effects import Dispatcher
from services.playbook.settings import PlaybookSettings


def _settings(request: Request) -> PlaybookSettings:
    settings: PlaybookSettings = request.app.state.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _dispatcher(request: Request) -> Dispatcher:
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


Settings = Annotated[PlaybookSettings, Depends(_settings)]
Now = Annotated[Clock, Depends(_clock)]
Dispatch = Annotated[Dispatcher, Depends(_dispatcher)]
Reader = Annotated[Caller, require("incidents:read")]
Writer = Annotated[Caller, require("incidents:write")]
Approver = Annotated[Caller, require("statements:approve")]
PlaybookReader = Annotated[Caller, require("playbooks:read")]
PlaybookWriter = Annotated[Caller, require("playbooks:write")]

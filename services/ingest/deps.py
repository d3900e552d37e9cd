"""The ``Annotated`` aliases that make ingest's endpoint signatures read like sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.common.auth import Caller, require
from services.common.deps import Sessions as Sessions
from services.common.deps import Tx as Tx
from services.common.outbox import SentLog
from services.common.queue import LazyQueue
from services.ingest.settings import IngestSettings


def _queue(request: Request) -> LazyQueue:
    queue: LazyQueue = request.app.state.queue
    return queue


def _sent_log(request: Request) -> SentLog:
    sent_log: SentLog = request.app.state.sent_log
    return sent_log


def _settings(request: Request) -> IngestSettings:
    settings: IngestSettings = request.app.state.settings
    return settings


Queue = Annotated[LazyQueue, Depends(_queue)]
Sent = Annotated[SentLog, Depends(_sent_log)]
Settings = Annotated[IngestSettings, Depends(_settings)]
Writer = Annotated[Caller, require("mentions:write")]
Reader = Annotated[Caller, require("mentions:read")]

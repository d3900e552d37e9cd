"""``/v1/failed-jobs``: scoring jobs that failed for good, and their replay (scope ``admin``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.common.auth import Caller, require
from services.common.pagination import (
    Cursor,
    InvalidCursor,
    Limit,
    Page,
    decode_cursor,
    encode_cursor,
)
from services.common.problems import PROBLEM_RESPONSES, ServiceUnavailable
from services.common.queue import LazyQueue
from services.sentiment.deps import Sessions, Settings, Tx
from services.sentiment.pipeline import repository as repo
from services.sentiment.pipeline import service

router = APIRouter(prefix="/v1", tags=["operations"], responses=PROBLEM_RESPONSES)
Admin = Annotated[Caller, require("admin")]


class FailedJobRead(BaseModel):
    id: str
    job_id: str
    function: str
    error: str
    tries: int
    failed_at: datetime
    replayed_at: datetime | None
    mentions: int


class ReplayIn(BaseModel):
    ids: list[str] | None = Field(default=None, max_length=500, description="Default: all")


class ReplayOut(BaseModel):
    replayed: list[str]


@router.get("/failed-jobs", response_model=Page[FailedJobRead], summary="Jobs that failed for good")
async def list_failed(
    caller: Admin, tx: Tx, limit: Limit = 50, cursor: Cursor = None
) -> Page[FailedJobRead]:
    before = None
    if cursor:
        at, last_id = decode_cursor(cursor, 2)
        try:
            before = (datetime.fromisoformat(str(at)), str(last_id))
        except ValueError as exc:
            raise InvalidCursor("The cursor is not one this API issued.") from exc
    rows = await repo.list_failed(tx, caller.tenant, limit=limit + 1, before=before)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].failed_at.isoformat(), rows[-1].id)
    items = []
    for f in rows:
        mentions = f.payload.get("mentions")
        items.append(
            FailedJobRead(
                id=f.id,
                job_id=f.job_id,
                function=f.function,
                error=f.error,
                tries=f.tries,
                failed_at=f.failed_at,
                replayed_at=f.replayed_at,
                mentions=len(mentions) if isinstance(mentions, list) else 0,
            )
        )
    return Page[FailedJobRead](items=items, next_cursor=next_cursor)


@router.post(
    "/failed-jobs/replay",
    response_model=ReplayOut,
    summary="Put failed jobs back on the sentiment queue",
)
async def replay_failed(
    body: ReplayIn, caller: Admin, sessions: Sessions, settings: Settings, request: Request
) -> ReplayOut:
    queue: LazyQueue = request.app.state.queue
    try:
        pool = await queue.pool()
        replayed = await service.replay_failed(
            sessions, pool, settings.queue_prefix, tenant=caller.tenant, ids=body.ids
        )
    except (OSError, TimeoutError) as exc:
        await queue.reset()
        raise ServiceUnavailable(f"The queue does not answer: {exc!r}.") from exc
    return ReplayOut(replayed=replayed)

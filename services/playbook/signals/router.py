"""``/v1/signals``: what the detectors found, with evidence (``incident_ids=`` batch read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.common.pagination import MAX_LIMIT, Cursor, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_JSON, PROBLEM_RESPONSES, NotFound
from services.playbook.deps import Reader, Tx, Writer
from services.playbook.incidents.router import IdList, split_ids
from services.playbook.signals import repository as repo
from services.playbook.signals import service
from services.playbook.signals.schemas import SignalRead, SnoozeIn

#: Every problem the endpoints answer with, 409 (conflicts, transitions) and 415 included.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: {"description": "Conflict", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Unsupported Media Type", "content": {PROBLEM_JSON: {}}},
}
router = APIRouter(prefix="/v1", tags=["signals"], responses=RESPONSES)


class SignalNotFound(NotFound):
    slug = "signal-not-found"
    title = "Signal not found"


@router.get(
    "/signals",
    response_model=Page[SignalRead],
    summary="Signals, newest first; `incident_ids=` for a batch read",
    description="Each signal carries its evidence and `mention_ids` (resolve them on sentiment).",
)
async def list_signals(
    caller: Reader,
    tx: Tx,
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
    cursor: Cursor = None,
    incident_ids: IdList = None,
    kind: Annotated[list[str] | None, Query()] = None,
    since: AwareDatetime | None = None,
) -> Page[SignalRead]:
    ids = split_ids(incident_ids)
    size = limit or (MAX_LIMIT if ids is not None else 50)
    before = str(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repo.list_signals(
        tx,
        caller.tenant,
        incident_ids=ids,
        kinds=kind,
        since=since,
        before_id=before,
        limit=size + 1,
    )
    next_cursor = encode_cursor(rows[size - 1].id) if len(rows) > size else None
    return Page[SignalRead](
        items=[service.to_read(r) for r in rows[:size]], next_cursor=next_cursor
    )


@router.get("/signals/{signal_id}", response_model=SignalRead, summary="One signal")
async def get_signal(signal_id: str, caller: Reader, tx: Tx) -> SignalRead:
    row = await repo.get(tx, caller.tenant, signal_id)
    if row is None:
        raise SignalNotFound(f"No signal {signal_id!r} for this tenant.", signal_id=signal_id)
    return service.to_read(row)


@router.post(
    "/signals/{signal_id}/snooze",
    response_model=SignalRead,
    summary="Snooze a signal: its rule on its topic opens no incident until `until`",
    description="For a known false alarm (a campaign, a match): repeats are still counted on "
    "this signal but neither open nor join an incident. `until: null` lifts it.",
)
async def snooze(signal_id: str, body: SnoozeIn, caller: Writer, tx: Tx) -> SignalRead:
    row = await repo.get(tx, caller.tenant, signal_id, lock=True)
    if row is None:
        raise SignalNotFound(f"No signal {signal_id!r} for this tenant.", signal_id=signal_id)
    row.snoozed_until = body.until
    await tx.commit()
    return service.to_read(row)

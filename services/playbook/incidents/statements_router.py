"""``/v1/incidents/{id}/statements`` and ``/v1/statements``: drafts, approvals, release."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.common.pagination import Page
from services.common.problems import PROBLEM_JSON, PROBLEM_RESPONSES
from services.playbook.deps import Approver, Dispatch, Now, Reader, Tx, Writer
from services.playbook.effects import Effects
from services.playbook.incidents import service as incidents
from services.playbook.incidents import statements
from services.playbook.incidents.router import IdList, split_ids
from services.playbook.incidents.schemas import (
    DecisionIn,
    StatementIn,
    StatementRead,
    StatementStatus,
    StatementStatusIn,
)

#: Every problem the endpoints answer with, 409 (conflicts, transitions) and 415 included.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: {"description": "Conflict", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Unsupported Media Type", "content": {PROBLEM_JSON: {}}},
}
router = APIRouter(prefix="/v1", tags=["statements"], responses=RESPONSES)


@router.post(
    "/incidents/{incident_id}/statements",
    status_code=201,
    response_model=StatementRead,
    summary="Draft a statement (text, or a template of the step)",
    description=(
        "Routed for approval to the departments the step names (without `step_id`: every "
        "department any step of the incident names). A second, different draft for the same "
        "platform and audience marks both as a conflict."
    ),
)
async def draft(
    incident_id: str, body: StatementIn, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> StatementRead:
    fx, now = Effects(), clock.now()
    statement = await statements.draft(
        tx, caller.tenant, incident_id, body, actor=caller.subject, now=now, fx=fx
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return await statements.read_one(tx, caller.tenant, statement.id)


@router.get(
    "/incidents/{incident_id}/statements",
    response_model=list[StatementRead],
    summary="The incident's statements",
)
async def list_for_incident(incident_id: str, caller: Reader, tx: Tx) -> list[StatementRead]:
    await incidents.get(tx, caller.tenant, incident_id)
    return await statements.read_many(tx, caller.tenant, [incident_id])


@router.get(
    "/statements",
    response_model=Page[StatementRead],
    summary="Batch read: the statements of several incidents",
)
async def batch(caller: Reader, tx: Tx, incident_ids: IdList) -> Page[StatementRead]:
    ids = split_ids(incident_ids) or []
    return Page[StatementRead](
        items=await statements.read_many(tx, caller.tenant, ids) if ids else []
    )


@router.get("/statements/{statement_id}", response_model=StatementRead)
async def get_statement(statement_id: str, caller: Reader, tx: Tx) -> StatementRead:
    return await statements.read_one(tx, caller.tenant, statement_id)


async def _decide(
    statement_id: str,
    approve: bool,
    body: DecisionIn | None,
    caller: Approver,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
) -> StatementRead:
    fx, now = Effects(), clock.now()
    await statements.decide(
        tx,
        caller.tenant,
        statement_id,
        approve=approve,
        caller=caller,
        comment=body.comment if body else None,
        now=now,
        fx=fx,
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return await statements.read_one(tx, caller.tenant, statement_id)


@router.post(
    "/statements/{statement_id}/approve",
    response_model=StatementRead,
    summary="Approve for your department (token claim `department`, scope statements:approve)",
)
async def approve(
    statement_id: str,
    caller: Approver,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
    body: DecisionIn | None = None,
) -> StatementRead:
    return await _decide(statement_id, True, body, caller, tx, clock, dispatch)


@router.post("/statements/{statement_id}/reject", response_model=StatementRead)
async def reject(
    statement_id: str,
    caller: Approver,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
    body: DecisionIn | None = None,
) -> StatementRead:
    return await _decide(statement_id, False, body, caller, tx, clock, dispatch)


async def _move(
    statement_id: str, to: StatementStatus, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> StatementRead:
    fx, now = Effects(), clock.now()
    await statements.move(tx, caller.tenant, statement_id, to, actor=caller.subject, now=now, fx=fx)
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return await statements.read_one(tx, caller.tenant, statement_id)


@router.post(
    "/statements/{statement_id}/status",
    response_model=StatementRead,
    summary="Mark ready (every approval in, no conflict: else 409) or published",
)
async def set_status(
    statement_id: str,
    body: StatementStatusIn,
    caller: Writer,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
) -> StatementRead:
    return await _move(statement_id, StatementStatus(body.status), caller, tx, clock, dispatch)


@router.post("/statements/{statement_id}/ready", response_model=StatementRead)
async def ready(
    statement_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> StatementRead:
    return await _move(statement_id, StatementStatus.READY, caller, tx, clock, dispatch)


@router.post("/statements/{statement_id}/publish", response_model=StatementRead)
async def publish(
    statement_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> StatementRead:
    return await _move(statement_id, StatementStatus.PUBLISHED, caller, tx, clock, dispatch)


@router.post(
    "/statements/{statement_id}/withdraw",
    response_model=StatementRead,
    summary="Withdraw (resolves a conflict when one draft is left)",
)
async def withdraw(
    statement_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> StatementRead:
    return await _move(statement_id, StatementStatus.WITHDRAWN, caller, tx, clock, dispatch)

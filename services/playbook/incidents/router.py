"""``/v1/incidents`` (list, get, transitions, assign, severity, notes, timeline, report),
``/v1/steps`` and the batch reads ``/v1/timeline`` and ``/v1/steps?incident_ids=``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import AwareDatetime

from services.common.pagination import MAX_LIMIT, Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_JSON, PROBLEM_RESPONSES
from services.playbook.deps import Dispatch, Now, Reader, Tx, Writer
from services.playbook.effects import Effects
from services.playbook.incidents import reports, service, steps
from services.playbook.incidents import repository as repo
from services.playbook.incidents.schemas import (
    AssignIn,
    IncidentRead,
    IncidentState,
    NoteIn,
    ReportRead,
    SeverityIn,
    StepDoneIn,
    StepRead,
    TimelineEventRead,
    TransitionIn,
)
from services.playbook.playbooks import Severity

#: Every problem the endpoints answer with, 409 (conflicts, transitions) and 415 included.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: {"description": "Conflict", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Unsupported Media Type", "content": {PROBLEM_JSON: {}}},
}
router = APIRouter(prefix="/v1", tags=["incidents"], responses=RESPONSES)

IdList = Annotated[
    list[str] | None,
    Query(description="Batch read: these ids only (comma-separated or repeated, up to 500)"),
]


def split_ids(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    ids = list(dict.fromkeys(p.strip() for v in values for p in v.split(",") if p.strip()))
    return ids[:MAX_LIMIT]


@router.get(
    "/incidents",
    response_model=Page[IncidentRead],
    summary="List incidents (newest first); `ids=` for a batch read",
)
async def list_incidents(
    caller: Reader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    state: Annotated[list[IncidentState] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    since: Annotated[AwareDatetime | None, Query(description="opened at or after")] = None,
    ids: IdList = None,
) -> Page[IncidentRead]:
    id_list = split_ids(ids)
    before = str(decode_cursor(cursor, 1)[0]) if cursor else None
    size = max(limit, len(id_list)) if id_list is not None else limit
    rows = await repo.list_incidents(
        tx,
        caller.tenant,
        states=[s.value for s in state] if state else None,
        severities=[s.value for s in severity] if severity else None,
        since=since,
        ids=id_list,
        before_id=before,
        limit=size + 1,
    )
    next_cursor = encode_cursor(rows[size - 1].id) if len(rows) > size else None
    return Page[IncidentRead](
        items=[service.to_read(r) for r in rows[:size]], next_cursor=next_cursor
    )


@router.get("/incidents/{incident_id}", response_model=IncidentRead, summary="One incident")
async def get_incident(incident_id: str, caller: Reader, tx: Tx) -> IncidentRead:
    return service.to_read(await service.get(tx, caller.tenant, incident_id))


@router.post(
    "/incidents/{incident_id}/transitions",
    response_model=IncidentRead,
    summary="Move the incident: acknowledged, responding, monitoring, resolved; open reopens",
    description="An invalid move is a 409 `invalid-transition` problem listing `allowed`.",
)
async def transition(
    incident_id: str, body: TransitionIn, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    fx, now = Effects(), clock.now()
    incident = await service.transition(
        tx,
        caller.tenant,
        incident_id,
        body.to,
        actor=caller.subject,
        now=now,
        fx=fx,
        note=body.note,
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return service.to_read(incident)


async def _move(
    incident_id: str, to: IncidentState, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    return await transition(incident_id, TransitionIn(to=to), caller, tx, clock, dispatch)


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentRead)
async def acknowledge(
    incident_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    return await _move(incident_id, IncidentState.ACKNOWLEDGED, caller, tx, clock, dispatch)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentRead)
async def resolve(
    incident_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    return await _move(incident_id, IncidentState.RESOLVED, caller, tx, clock, dispatch)


@router.post("/incidents/{incident_id}/reopen", response_model=IncidentRead)
async def reopen(
    incident_id: str, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    return await _move(incident_id, IncidentState.OPEN, caller, tx, clock, dispatch)


@router.post("/incidents/{incident_id}/assign", response_model=IncidentRead, summary="Assign")
async def assign(
    incident_id: str, body: AssignIn, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    fx, now = Effects(), clock.now()
    incident = await service.assign(
        tx,
        caller.tenant,
        incident_id,
        assignee=body.assignee,
        department=body.department.value if body.department else None,
        actor=caller.subject,
        now=now,
        fx=fx,
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return service.to_read(incident)


@router.post("/incidents/{incident_id}/severity", response_model=IncidentRead)
async def set_severity(
    incident_id: str, body: SeverityIn, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> IncidentRead:
    fx, now = Effects(), clock.now()
    incident = await service.set_severity(
        tx,
        caller.tenant,
        incident_id,
        body.severity,
        reason=body.reason,
        actor=caller.subject,
        now=now,
        fx=fx,
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return service.to_read(incident)


@router.post("/incidents/{incident_id}/notes", status_code=201, response_model=TimelineEventRead)
async def add_note(
    incident_id: str, body: NoteIn, caller: Writer, tx: Tx, clock: Now, dispatch: Dispatch
) -> TimelineEventRead:
    fx, now = Effects(), clock.now()
    event = await service.add_note(
        tx, caller.tenant, incident_id, body.text, actor=caller.subject, now=now, fx=fx
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return service.event_read(event)


@router.get(
    "/incidents/{incident_id}/timeline",
    response_model=Page[TimelineEventRead],
    summary="The timeline, oldest first",
)
async def timeline(
    incident_id: str, caller: Reader, tx: Tx, limit: Limit = 50, cursor: Cursor = None
) -> Page[TimelineEventRead]:
    await service.get(tx, caller.tenant, incident_id)
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repo.timeline(tx, caller.tenant, incident_id, after_id=after, limit=limit + 1)
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page[TimelineEventRead](
        items=[service.event_read(r) for r in rows[:limit]], next_cursor=next_cursor
    )


@router.get(
    "/timeline",
    response_model=Page[TimelineEventRead],
    summary="Batch read: the latest events of several incidents (newest first per incident)",
)
async def latest_timeline(
    caller: Reader,
    tx: Tx,
    incident_ids: IdList,
    per_incident: Annotated[int, Query(ge=1, le=100)] = 5,
) -> Page[TimelineEventRead]:
    ids = split_ids(incident_ids) or []
    rows = await repo.latest_events(tx, caller.tenant, ids, per_incident) if ids else []
    return Page[TimelineEventRead](items=[service.event_read(r) for r in rows])


@router.get(
    "/incidents/{incident_id}/steps", response_model=list[StepRead], summary="The incident's steps"
)
async def incident_steps(incident_id: str, caller: Reader, tx: Tx) -> list[StepRead]:
    await service.get(tx, caller.tenant, incident_id)
    return [steps.to_read(s) for s in await repo.steps_for(tx, caller.tenant, [incident_id])]


@router.get(
    "/steps", response_model=Page[StepRead], summary="Batch read: the steps of several incidents"
)
async def steps_of(caller: Reader, tx: Tx, incident_ids: IdList) -> Page[StepRead]:
    ids = split_ids(incident_ids) or []
    rows = await repo.steps_for(tx, caller.tenant, ids) if ids else []
    return Page[StepRead](items=[steps.to_read(s) for s in rows])


@router.get("/steps/{step_id}", response_model=StepRead, summary="One step")
async def get_step(step_id: str, caller: Reader, tx: Tx) -> StepRead:
    return steps.to_read(await steps.get(tx, caller.tenant, step_id))


async def _finish(
    step_id: str,
    body: StepDoneIn | None,
    skip: bool,
    caller: Writer,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
) -> StepRead:
    fx, now = Effects(), clock.now()
    step = await steps.finish(
        tx,
        caller.tenant,
        step_id,
        skip=skip,
        actor=caller.subject,
        now=now,
        fx=fx,
        note=body.note if body else None,
    )
    await tx.commit()
    await dispatch.dispatch(fx, now)
    return steps.to_read(step)


@router.post(
    "/steps/{step_id}/complete",
    response_model=StepRead,
    summary="Complete a step (cancels its escalation; the next group starts when this one is done)",
)
async def complete_step(
    step_id: str,
    caller: Writer,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
    body: StepDoneIn | None = None,
) -> StepRead:
    return await _finish(step_id, body, False, caller, tx, clock, dispatch)


@router.post("/steps/{step_id}/skip", response_model=StepRead, summary="Skip a step")
async def skip_step(
    step_id: str,
    caller: Writer,
    tx: Tx,
    clock: Now,
    dispatch: Dispatch,
    body: StepDoneIn | None = None,
) -> StepRead:
    return await _finish(step_id, body, True, caller, tx, clock, dispatch)


@router.get(
    "/incidents/{incident_id}/report",
    response_model=ReportRead,
    summary="Post-incident report (JSON, or Markdown with format=markdown)",
    responses={200: {"content": {"text/markdown": {}}}},
)
async def report(
    incident_id: str,
    caller: Reader,
    tx: Tx,
    clock: Now,
    format: Literal["json", "markdown"] = "json",
) -> Response | ReportRead:
    built = await reports.build(tx, caller.tenant, incident_id, clock.now())
    if format == "markdown":
        return PlainTextResponse(reports.markdown(built), media_type="text/markdown; charset=utf-8")
    return built

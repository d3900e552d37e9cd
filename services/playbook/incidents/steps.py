"""Steps: planned from the playbook, activated group by group, completed, skipped, escalated.

Each step with a known due time has a deferred arq job ``step_deadline`` (id
``deadline:{step}:{due epoch}``); completing the step takes the job off the queue, and the job
itself checks that the step is still open when it fires, so a late cancel changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook import hooks
from services.playbook.effects import Deadline, Effects, deadline_job_id
from services.playbook.ids import ordered_id
from services.playbook.incidents import repository as repo
from services.playbook.incidents import service as incidents
from services.playbook.incidents.errors import IncidentClosed, InvalidTransition, StepNotFound
from services.playbook.incidents.schemas import StepRead, StepStatus, TimelineKind
from services.playbook.incidents.tables import Incident, Step
from services.playbook.playbooks import (
    Playbook,
    Severity,
    parse_duration,
    plan_steps,
    raise_severity,
)

OPEN = (StepStatus.PENDING.value, StepStatus.ACTIVE.value, StepStatus.OVERDUE.value)
STARTED = (StepStatus.ACTIVE.value, StepStatus.OVERDUE.value)


def to_read(step: Step) -> StepRead:
    return StepRead(
        id=step.id,
        incident_id=step.incident_id,
        key=step.key,
        title=step.title,
        owner=step.owner,
        group=step.group,
        position=step.position,
        status=StepStatus(step.status),
        state=StepStatus(step.status),
        due_at=step.due_at,
        started_at=step.started_at,
        completed_at=step.completed_at,
        completed_by=step.completed_by,
        escalate_to=step.escalate_to,
        escalated=step.escalated_at is not None,
        escalated_at=step.escalated_at,
        approvals=list(step.approvals),
    )


def _schedule(step: Step, fx: Effects) -> None:
    if step.due_at is not None:
        step.deadline_job_id = deadline_job_id(step.id, step.due_at)
        fx.schedule.append(Deadline(step.tenant, step.id, step.due_at))


def instantiate(
    session: AsyncSession, incident: Incident, playbook: Playbook, now: datetime, fx: Effects
) -> list[Step]:
    """The incident's steps: the first group starts now; later groups wait for the one before.

    A deadline counted from the incident is known at once (and scheduled even while the step
    waits); one counted from the step's start is set when the step starts.
    """
    rows: list[Step] = []
    for planned in plan_steps(playbook, incident.opened_at):
        step = playbook.step(planned.step_id)
        first = planned.group == 0
        known = first or step.deadline.relative_to == "incident"
        row = Step(
            id=ordered_id(now),
            tenant=incident.tenant,
            incident_id=incident.id,
            key=step.id,
            title=step.title.get(incident.language) or step.title.nl or step.title.en or step.id,
            owner=step.owner.value,
            group=planned.group,
            position=planned.order,
            status=StepStatus.ACTIVE.value if first else StepStatus.PENDING.value,
            relative_to=step.deadline.relative_to,
            within_seconds=int(parse_duration(step.deadline.within).total_seconds()),
            due_at=planned.due_at if known else None,
            started_at=now if first else None,
            escalate_to=planned.escalate_to.value if planned.escalate_to else None,
            raise_severity=planned.raise_severity,
            approvals=[d.value for d in planned.approvals],
        )
        _schedule(row, fx)
        rows.append(row)
    session.add_all(rows)
    return rows


async def get(session: AsyncSession, tenant: str, step_id: str, *, lock: bool = False) -> Step:
    step = await repo.get_step(session, tenant, step_id, lock=lock)
    if step is None:
        raise StepNotFound(step_id)
    return step


async def finish(
    session: AsyncSession,
    tenant: str,
    step_id: str,
    *,
    skip: bool,
    actor: str,
    now: datetime,
    fx: Effects,
    note: str | None = None,
) -> Step:
    """Complete (or skip) a started step; its escalation is cancelled and the next group starts
    once every step of this one is finished."""
    # Lock order everywhere: the incident, then its steps (the deadline job does the same).
    found = await get(session, tenant, step_id)
    incident = await incidents.get(session, tenant, found.incident_id, lock=True)
    step = await get(session, tenant, step_id, lock=True)
    if incident.state == "resolved":
        raise IncidentClosed(incident.id)
    target = StepStatus.SKIPPED if skip else StepStatus.DONE
    if step.status not in STARTED and not (skip and step.status == StepStatus.PENDING.value):
        allowed = (
            ["done", "skipped"]
            if step.status in STARTED
            else ["skipped"]
            if step.status == "pending"
            else []
        )
        raise InvalidTransition("step", step.status, target.value, allowed)
    step.status = target.value
    step.completed_at = now
    step.completed_by = actor
    if step.deadline_job_id:
        fx.cancel.append(step.deadline_job_id)
        step.deadline_job_id = None
    late = step.due_at is not None and now > step.due_at
    verb = "skipped" if skip else "completed"
    summary = f"Step {step.key!r} ({step.owner}) {verb}" + (" after its deadline" if late else "")
    incidents.record(
        session,
        fx,
        incident,
        TimelineKind.STEP,
        summary + (f": {note}" if note else ""),
        actor=actor,
        now=now,
        data={"step_id": step.id, "key": step.key, "status": target.value, "late": late},
    )
    await hooks.notify(
        session,
        tenant,
        "step.completed",
        incidents.webhook_payload(
            incident, step_id=step.id, step=step.key, title=step.title, status=target.value
        ),
        now=now,
    )
    await advance(session, incident, now=now, fx=fx)
    return step


async def advance(
    session: AsyncSession, incident: Incident, *, now: datetime, fx: Effects
) -> list[Step]:
    """Start the next group when every earlier step is finished; returns the steps started."""
    await session.flush()
    steps = await repo.steps_for(session, incident.tenant, [incident.id], lock=True)
    groups = sorted({s.group for s in steps})
    started: list[Step] = []
    for group in groups:
        members = [s for s in steps if s.group == group]
        waiting = [s for s in members if s.status == StepStatus.PENDING.value]
        if waiting:
            for step in waiting:
                step.status = StepStatus.ACTIVE.value
                step.started_at = now
                if step.due_at is None:
                    step.due_at = now + timedelta(seconds=step.within_seconds)
                    _schedule(step, fx)
                started.append(step)
            incidents.record(
                session,
                fx,
                incident,
                TimelineKind.STEP,
                "Started: " + ", ".join(f"{s.key} ({s.owner})" for s in waiting),
                actor=incidents.SYSTEM,
                now=now,
                data={"step_ids": [s.id for s in waiting], "group": group},
            )
        if any(s.status in OPEN for s in members):
            break
    return started


async def cancel_open_deadlines(session: AsyncSession, incident: Incident, fx: Effects) -> None:
    for step in await repo.steps_for(session, incident.tenant, [incident.id]):
        if step.deadline_job_id and step.status in OPEN:
            fx.cancel.append(step.deadline_job_id)
            step.deadline_job_id = None


async def escalate_if_due(
    session: AsyncSession, step_id: str, *, now: datetime, fx: Effects
) -> str:
    """What the ``step_deadline`` job does: escalate a step that is still open past its due time.

    Returns what happened: ``escalated``, ``finished`` (the step was done: nothing to do),
    ``not_due`` (not due yet by the service's clock: the job defers itself), ``resolved``,
    ``missing``.
    """
    found = await repo.get_step(session, None, step_id)
    if found is None:
        return "missing"
    if found.status not in OPEN or found.escalated_at is not None:
        return "finished"
    if found.due_at is None or found.due_at > now:
        return "not_due"
    incident = await incidents.get(session, found.tenant, found.incident_id, lock=True)
    step = await repo.get_step(session, None, step_id, lock=True)
    if step is None:
        return "missing"
    if step.status not in OPEN or step.escalated_at is not None or step.due_at is None:
        return "finished"
    if incident.state == "resolved":
        return "resolved"
    step.escalated_at = now
    step.status = StepStatus.OVERDUE.value
    step.deadline_job_id = None
    target = step.escalate_to or "management"
    incidents.record(
        session,
        fx,
        incident,
        TimelineKind.ESCALATION,
        f"Step {step.key!r} ({step.owner}) missed its deadline of "
        f"{step.due_at.isoformat(timespec='minutes')}; escalated to {target}",
        actor=incidents.SYSTEM,
        now=now,
        data={
            "step_id": step.id,
            "key": step.key,
            "escalate_to": target,
            "due_at": step.due_at.isoformat(),
        },
    )
    await hooks.notify(
        session,
        step.tenant,
        "step.escalated",
        incidents.webhook_payload(
            incident,
            step_id=step.id,
            step=step.key,
            title=step.title,
            owner=step.owner,
            escalate_to=target,
            due_at=step.due_at.isoformat(),
        ),
        now=now,
    )
    if step.raise_severity:
        await incidents.change_severity(
            session,
            incident,
            raise_severity(Severity(incident.severity)),
            reason=f"step {step.key!r} missed its deadline",
            actor=incidents.SYSTEM,
            now=now,
            fx=fx,
        )
    return "escalated"


async def due_for_sweep(
    session: AsyncSession, before: datetime, limit: int = 500
) -> list[Deadline]:
    return [
        Deadline(s.tenant, s.id, s.due_at)
        for s in await repo.steps_due(session, before, limit)
        if s.due_at is not None
    ]

"""From a playbook and an incident to dated steps: order, dependencies, due times."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.playbook.playbooks.models import Department, Playbook, Step, parse_duration


class PlannedStep(BaseModel):
    """One step of an incident's plan.

    ``planned_start`` is exact for the first group and an estimate after (the previous group's
    latest due time). ``due_at`` is exact when the deadline counts from the incident
    (``due_is_estimate`` False); a step-start deadline is recomputed with :func:`due_at_for_start`
    when the step really starts.
    """

    model_config = ConfigDict(frozen=True)

    step_id: str
    group: int
    order: int
    owner: Department
    depends_on: tuple[str, ...]
    planned_start: AwareDatetime
    due_at: AwareDatetime
    due_is_estimate: bool
    escalate_to: Department | None
    raise_severity: bool
    approvals: tuple[Department, ...]


def due_at_for_start(step: Step, incident_opened_at: datetime, started_at: datetime) -> datetime:
    """The due time of ``step`` once it started at ``started_at`` (aware datetimes)."""
    _aware(incident_opened_at, started_at)
    within = parse_duration(step.deadline.within)
    base = incident_opened_at if step.deadline.relative_to == "incident" else started_at
    return base + within


def plan_steps(playbook: Playbook, incident_opened_at: datetime) -> list[PlannedStep]:
    """Every step in dependency order: a group starts when the previous group is done."""
    _aware(incident_opened_at)
    planned: list[PlannedStep] = []
    start = incident_opened_at
    previous: tuple[str, ...] = ()
    order = 0
    for g, group in enumerate(playbook.groups()):
        latest = start
        for step in group:
            due = due_at_for_start(step, incident_opened_at, start)
            estimate = step.deadline.relative_to == "step_start" and g > 0
            planned.append(
                PlannedStep(
                    step_id=step.id,
                    group=g,
                    order=order,
                    owner=step.owner,
                    depends_on=previous,
                    planned_start=start,
                    due_at=due,
                    due_is_estimate=estimate,
                    escalate_to=step.escalation.to if step.escalation else None,
                    raise_severity=bool(step.escalation and step.escalation.raise_severity),
                    approvals=tuple(step.approvals),
                )
            )
            order += 1
            latest = max(latest, due)
        previous = tuple(s.id for s in group)
        start = latest
    return planned


def ready_steps(playbook: Playbook, completed: Collection[str]) -> list[str]:
    """Steps that may start now: not completed, and every step of earlier groups completed."""
    ready: list[str] = []
    for group in playbook.groups():
        open_ids = [s.id for s in group if s.id not in completed]
        ready.extend(open_ids)
        if open_ids:
            break
    return ready


def _aware(*moments: datetime) -> None:
    for m in moments:
        if m.tzinfo is None or m.utcoffset() is None:
            raise ValueError("datetimes must be timezone-aware")

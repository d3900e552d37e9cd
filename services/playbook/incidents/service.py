"""Incident use cases: open from signals, join, transitions, assignment, severity, notes.

Functions flush, never commit; what must leave after the commit (live events, deadline jobs) is
collected in an :class:`~services.playbook.effects.Effects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.contracts import IncidentEventV1
from services.playbook import hooks
from services.playbook.effects import Effects
from services.playbook.ids import ordered_id
from services.playbook.incidents import repository as repo
from services.playbook.incidents.errors import IncidentNotFound, InvalidTransition
from services.playbook.incidents.schemas import (
    IncidentRead,
    IncidentState,
    TimelineEventRead,
    TimelineKind,
)
from services.playbook.incidents.tables import Incident, TimelineEvent
from services.playbook.playbooks import Playbook, Severity

TRANSITIONS: dict[IncidentState, tuple[IncidentState, ...]] = {
    IncidentState.OPEN: (
        IncidentState.ACKNOWLEDGED,
        IncidentState.RESPONDING,
        IncidentState.MONITORING,
        IncidentState.RESOLVED,
    ),
    IncidentState.ACKNOWLEDGED: (
        IncidentState.RESPONDING,
        IncidentState.MONITORING,
        IncidentState.RESOLVED,
    ),
    IncidentState.RESPONDING: (IncidentState.MONITORING, IncidentState.RESOLVED),
    IncidentState.MONITORING: (IncidentState.RESPONDING, IncidentState.RESOLVED),
    IncidentState.RESOLVED: (IncidentState.OPEN,),
}
SYSTEM = "system"


def allowed(state: str) -> list[IncidentState]:
    return list(TRANSITIONS[IncidentState(state)])


def to_read(incident: Incident) -> IncidentRead:
    return IncidentRead(
        id=incident.id,
        title=incident.title,
        state=IncidentState(incident.state),
        severity=Severity(incident.severity),
        topic=incident.topic,
        topics=[incident.topic],
        playbook_id=incident.playbook_id,
        playbook_version=incident.playbook_version,
        language=incident.language,
        assignee=incident.assignee,
        department=incident.department,
        signal_count=incident.signal_count,
        evidence_mention_ids=list(incident.evidence_mention_ids),
        summary=incident.summary or None,
        allowed_transitions=allowed(incident.state),
        is_drill=hooks.is_sandbox(incident.tenant),
        first_evidence_at=incident.first_evidence_at,
        opened_at=incident.opened_at,
        acknowledged_at=incident.acknowledged_at,
        first_statement_at=incident.first_statement_at,
        resolved_at=incident.resolved_at,
        updated_at=incident.updated_at,
    )


def event_read(event: TimelineEvent) -> TimelineEventRead:
    return TimelineEventRead(
        id=event.id,
        incident_id=event.incident_id,
        kind=TimelineKind(event.kind),
        summary=event.summary,
        actor=event.actor,
        at=event.at,
        data=event.data,
    )


def record(
    session: AsyncSession,
    fx: Effects,
    incident: Incident,
    kind: TimelineKind,
    summary: str,
    *,
    actor: str,
    now: datetime,
    data: dict[str, object] | None = None,
    opened: bool = False,
) -> TimelineEvent:
    """Append a timeline event and the live event that announces it."""
    event = TimelineEvent(
        id=ordered_id(now),
        tenant=incident.tenant,
        incident_id=incident.id,
        kind=kind.value,
        summary=summary,
        actor=actor,
        at=now,
        data=data or {},
    )
    session.add(event)
    incident.updated_at = now
    fx.events.append(
        IncidentEventV1(
            tenant=incident.tenant,
            at=now,
            type="incident.opened" if opened else "incident.updated",
            incident_id=incident.id,
            title=incident.title,
            state=incident.state,
            severity=incident.severity,
            event_kind=kind.value,
            summary=summary,
        )
    )
    return event


def webhook_payload(incident: Incident, **extra: object) -> dict[str, object]:
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "state": incident.state,
        "severity": incident.severity,
        "topic": incident.topic,
        "playbook_id": incident.playbook_id,
        "playbook_version": incident.playbook_version,
        "opened_at": incident.opened_at.isoformat(),
        **extra,
    }


async def refresh_freeze(session: AsyncSession, tenant: str, now: datetime) -> None:
    await session.flush()
    await hooks.refresh_freeze(session, tenant, await repo.open_incidents(session, tenant), now=now)


async def get(
    session: AsyncSession, tenant: str, incident_id: str, *, lock: bool = False
) -> Incident:
    incident = await repo.get_incident(session, tenant, incident_id, lock=lock)
    if incident is None:
        raise IncidentNotFound(incident_id)
    return incident


def title_for(playbook: Playbook, topic: str, language: str) -> str:
    name = playbook.name.get(language) or playbook.name.nl or playbook.name.en or playbook.id
    return name if topic == "*" else f"{name}: {topic}"


async def open_incident(
    session: AsyncSession,
    tenant: str,
    playbook: Playbook,
    version: int,
    *,
    topic: str,
    severity: Severity,
    language: str,
    first_evidence_at: datetime,
    evidence_ids: Sequence[str],
    signal_count: int,
    why: str,
    now: datetime,
    fx: Effects,
) -> Incident:
    """A new incident of ``playbook`` at ``version`` (its steps are planned by the caller)."""
    incident = Incident(
        id=ordered_id(now),
        tenant=tenant,
        title=title_for(playbook, topic, language),
        summary=why,
        state=IncidentState.OPEN.value,
        severity=severity.value,
        topic=topic,
        playbook_id=playbook.id,
        playbook_version=version,
        language=language,
        signal_count=signal_count,
        evidence_mention_ids=list(evidence_ids),
        first_evidence_at=min(first_evidence_at, now),
        opened_at=now,
        updated_at=now,
    )
    session.add(incident)
    record(
        session,
        fx,
        incident,
        TimelineKind.STATE,
        f"Opened with playbook {playbook.id} v{version} at {severity.value}: {why}",
        actor=SYSTEM,
        now=now,
        data={"to": "open", "severity": severity.value},
        opened=True,
    )
    await hooks.notify(
        session, tenant, "incident.opened", webhook_payload(incident, summary=why), now=now
    )
    return incident


async def transition(
    session: AsyncSession,
    tenant: str,
    incident_id: str,
    to: IncidentState,
    *,
    actor: str,
    now: datetime,
    fx: Effects,
    note: str | None = None,
) -> Incident:
    incident = await get(session, tenant, incident_id, lock=True)
    current = IncidentState(incident.state)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            "incident", current.value, to.value, [s.value for s in TRANSITIONS[current]]
        )
    incident.state = to.value
    if to is IncidentState.ACKNOWLEDGED and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if (
        to in (IncidentState.RESPONDING, IncidentState.MONITORING)
        and incident.acknowledged_at is None
    ):
        incident.acknowledged_at = now
    verb = "Reopened" if current is IncidentState.RESOLVED else f"{current.value} → {to.value}"
    if to is IncidentState.RESOLVED:
        incident.resolved_at = now
        from services.playbook.incidents import steps  # the step module imports this one

        await steps.cancel_open_deadlines(session, incident, fx)
    elif current is IncidentState.RESOLVED:
        incident.resolved_at = None
    summary = verb + (f": {note}" if note else "")
    record(
        session,
        fx,
        incident,
        TimelineKind.STATE,
        summary,
        actor=actor,
        now=now,
        data={"from": current.value, "to": to.value, "note": note},
    )
    event = "incident.resolved" if to is IncidentState.RESOLVED else "incident.updated"
    await hooks.notify(session, tenant, event, webhook_payload(incident, change=summary), now=now)
    if to is IncidentState.RESOLVED or current is IncidentState.RESOLVED:
        await refresh_freeze(session, tenant, now)
    return incident


async def assign(
    session: AsyncSession,
    tenant: str,
    incident_id: str,
    *,
    assignee: str | None,
    department: str | None,
    actor: str,
    now: datetime,
    fx: Effects,
) -> Incident:
    incident = await get(session, tenant, incident_id, lock=True)
    incident.assignee = assignee
    incident.department = department
    who = ", ".join(x for x in (assignee, department) if x) or "nobody"
    record(
        session,
        fx,
        incident,
        TimelineKind.ASSIGNMENT,
        f"Assigned to {who}",
        actor=actor,
        now=now,
        data={"assignee": assignee, "department": department},
    )
    return incident


async def change_severity(
    session: AsyncSession,
    incident: Incident,
    severity: Severity,
    *,
    reason: str,
    actor: str,
    now: datetime,
    fx: Effects,
) -> bool:
    """Set the severity (no-op when unchanged); the social freeze follows."""
    if incident.severity == severity.value:
        return False
    previous = incident.severity
    incident.severity = severity.value
    record(
        session,
        fx,
        incident,
        TimelineKind.SEVERITY,
        f"Severity {previous} → {severity.value}: {reason}",
        actor=actor,
        now=now,
        data={"from": previous, "to": severity.value, "reason": reason},
    )
    await hooks.notify(
        session,
        incident.tenant,
        "incident.updated",
        webhook_payload(incident, change=f"severity {previous} → {severity.value}"),
        now=now,
    )
    if incident.state != IncidentState.RESOLVED:
        await refresh_freeze(session, incident.tenant, now)
    return True


async def set_severity(
    session: AsyncSession,
    tenant: str,
    incident_id: str,
    severity: Severity,
    *,
    reason: str | None,
    actor: str,
    now: datetime,
    fx: Effects,
) -> Incident:
    incident = await get(session, tenant, incident_id, lock=True)
    await change_severity(
        session, incident, severity, reason=reason or "set by hand", actor=actor, now=now, fx=fx
    )
    return incident


async def add_note(
    session: AsyncSession,
    tenant: str,
    incident_id: str,
    text: str,
    *,
    actor: str,
    now: datetime,
    fx: Effects,
) -> TimelineEvent:
    incident = await get(session, tenant, incident_id, lock=True)
    return record(session, fx, incident, TimelineKind.NOTE, text, actor=actor, now=now)

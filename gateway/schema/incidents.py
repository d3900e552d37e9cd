"""Incidents and what hangs off them: steps, timeline, statements, approvals, signals, evidence."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.context import Info
from gateway.ids import to_global_id
from gateway.rest.playbook import (
    ApprovalRest,
    IncidentRest,
    ReportRest,
    SignalRest,
    StatementRest,
    StepRest,
    TimelineEventRest,
)
from gateway.schema import fields
from gateway.schema.mentions import Mention
from gateway.schema.playbooks import Playbook
from gateway.schema.relay import Node

#: Timeline events and evidence mentions an incident shows at most (one batch read each).
MAX_PER_INCIDENT = 50


def _bounded(value: int, name: str) -> int:
    from gateway.errors import BadInput

    if value < 0 or value > MAX_PER_INCIDENT:
        raise BadInput(f"`{name}` is between 0 and {MAX_PER_INCIDENT}.", argument=name)
    return value


@strawberry.type
class TimelineEvent(Node):
    kind: str
    summary: str
    actor: str | None
    at: datetime

    @classmethod
    def from_rest(cls, e: TimelineEventRest) -> TimelineEvent:
        return cls(
            id=strawberry.ID(to_global_id("TimelineEvent", e.id)),
            kind=e.kind,
            summary=e.summary,
            actor=e.actor,
            at=e.at,
        )


@strawberry.type
class Step(Node):
    key: str | None
    title: str
    description: str | None
    owner: str | None
    state: str
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    escalated: bool
    position: int
    incident_raw_id: strawberry.Private[str]

    @strawberry.field
    async def incident(self, info: Info) -> Incident | None:
        return await load_incident(info, self.incident_raw_id)

    @classmethod
    def from_rest(cls, s: StepRest) -> Step:
        return cls(
            id=strawberry.ID(to_global_id("Step", s.id)),
            key=s.key,
            title=s.title,
            description=s.description,
            owner=s.owner,
            state=s.state,
            due_at=s.due_at,
            completed_at=s.completed_at,
            completed_by=s.completed_by,
            escalated=s.escalated,
            position=s.position,
            incident_raw_id=s.incident_id,
        )


@strawberry.type
class Approval:
    approver: str | None
    decision: str
    comment: str | None
    at: datetime | None

    @classmethod
    def from_rest(cls, a: ApprovalRest) -> Approval:
        return cls(approver=a.approver, decision=a.decision, comment=a.comment, at=a.at)


@strawberry.type
class Statement(Node):
    channel: str | None
    language: str | None
    text: str
    state: str
    author: str | None
    created_at: datetime | None
    updated_at: datetime | None
    approvals: list[Approval]
    incident_raw_id: strawberry.Private[str]

    @strawberry.field
    async def incident(self, info: Info) -> Incident | None:
        return await load_incident(info, self.incident_raw_id)

    @classmethod
    def from_rest(cls, s: StatementRest) -> Statement:
        return cls(
            id=strawberry.ID(to_global_id("Statement", s.id)),
            channel=s.channel,
            language=s.language,
            text=s.text,
            state=s.state,
            author=s.author,
            created_at=s.created_at,
            updated_at=s.updated_at,
            approvals=[Approval.from_rest(a) for a in s.approvals],
            incident_raw_id=s.incident_id,
        )


@strawberry.type
class Signal(Node):
    detector: str
    kind: str | None
    score: float | None
    topic: str | None
    detail: str | None
    at: datetime | None
    mention_ids: strawberry.Private[list[str]]

    @fields.field("The mentions that made the detector fire (batched).")
    async def mentions(self, info: Info, first: int = 10) -> list[Mention]:
        return await load_mentions(info, self.mention_ids[: _bounded(first, "first")])

    @classmethod
    def from_rest(cls, s: SignalRest) -> Signal:
        return cls(
            id=strawberry.ID(to_global_id("Signal", s.id)),
            detector=s.detector,
            kind=s.kind,
            score=s.score,
            topic=s.topic,
            detail=s.detail,
            at=s.at,
            mention_ids=list(s.mention_ids),
        )


@strawberry.type
class IncidentReport:
    markdown: str | None
    summary: str | None
    generated_at: datetime | None

    @classmethod
    def from_rest(cls, r: ReportRest) -> IncidentReport:
        return cls(markdown=r.markdown, summary=r.summary, generated_at=r.generated_at)


@strawberry.type
class Incident(Node):
    title: str
    state: str
    severity: str
    summary: str | None
    assignee: str | None
    is_drill: bool
    topics: list[str]
    opened_at: datetime | None
    updated_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    raw_id: strawberry.Private[str]
    playbook_raw_id: strawberry.Private[str | None]
    evidence_ids: strawberry.Private[list[str]]
    playbook_version: int | None

    @fields.field("The latest events first (one batch read for a whole page).")
    async def timeline(self, info: Info, last: int = 5) -> list[TimelineEvent]:
        events = await info.context.loaders.timeline(_bounded(last, "last")).load(self.raw_id)
        return [TimelineEvent.from_rest(e) for e in events]

    @strawberry.field
    async def steps(self, info: Info) -> list[Step]:
        return [Step.from_rest(s) for s in await info.context.loaders.steps.load(self.raw_id)]

    @strawberry.field
    async def statements(self, info: Info) -> list[Statement]:
        rows = await info.context.loaders.statements.load(self.raw_id)
        return [Statement.from_rest(s) for s in rows]

    @fields.field("Every approval decision on this incident's statements.")
    async def approvals(self, info: Info) -> list[Approval]:
        rows = await info.context.loaders.statements.load(self.raw_id)
        return [Approval.from_rest(a) for s in rows for a in s.approvals]

    @strawberry.field
    async def signals(self, info: Info) -> list[Signal]:
        return [Signal.from_rest(s) for s in await info.context.loaders.signals.load(self.raw_id)]

    @fields.field("Mentions that opened or fed the incident, with enrichment.")
    async def evidence(self, info: Info, first: int = 10) -> list[Mention]:
        return await load_mentions(info, self.evidence_ids[: _bounded(first, "first")])

    @fields.field("The playbook it follows (at `playbookVersion`).")
    async def playbook(self, info: Info) -> Playbook | None:
        if self.playbook_raw_id is None:
            return None
        found = await info.context.loaders.playbook.load(self.playbook_raw_id)
        return Playbook.from_rest(found) if found else None

    @fields.field("The post-incident report (one call per incident: ask singly).")
    async def report(self, info: Info) -> IncidentReport | None:
        from gateway.clients import UpstreamProblem

        try:
            report = await info.context.services.playbook.get(
                f"/v1/incidents/{self.raw_id}/report", ReportRest, info.context.caller
            )
        except UpstreamProblem as problem:
            if problem.status == 404:
                return None
            raise
        return IncidentReport.from_rest(report)

    @classmethod
    def from_rest(cls, i: IncidentRest) -> Incident:
        return cls(
            id=strawberry.ID(to_global_id("Incident", i.id)),
            raw_id=i.id,
            title=i.title,
            state=i.state,
            severity=i.severity,
            summary=i.summary,
            assignee=i.assignee,
            is_drill=i.is_drill,
            topics=list(i.topics),
            opened_at=i.opened_at,
            updated_at=i.updated_at,
            acknowledged_at=i.acknowledged_at,
            resolved_at=i.resolved_at,
            playbook_raw_id=i.playbook_id,
            playbook_version=i.playbook_version,
            evidence_ids=list(i.evidence_mention_ids),
        )


async def load_incident(info: Info, raw_id: str) -> Incident | None:
    found = await info.context.loaders.incident.load(raw_id)
    return Incident.from_rest(found) if found else None


async def load_mentions(info: Info, raw_ids: list[str]) -> list[Mention]:
    found = await info.context.loaders.enriched_mention.load_many(raw_ids)
    return [Mention.from_rest(m) for m in found if m is not None]


@strawberry.input
class IncidentFilter:
    states: list[str] | None = None
    severities: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    assignee: str | None = None
    include_drills: bool | None = None
    q: str | None = None


def incident_params(f: IncidentFilter | None) -> dict[str, str | bool | list[str] | None]:
    if f is None:
        return {}
    return {
        "state": f.states,
        "severity": f.severities,
        "since": f.since.isoformat() if f.since else None,
        "until": f.until.isoformat() if f.until else None,
        "assignee": f.assignee,
        "include_drills": f.include_drills,
        "q": f.q,
    }

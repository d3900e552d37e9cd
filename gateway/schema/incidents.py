"""Incidents and what hangs off them: steps, timeline, statements, approvals, signals, evidence.

Every list under an incident is read for a whole page of incidents at once (DataLoaders over the
playbook service's batch reads), so a page costs the same few calls whatever its size.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.clients import UpstreamProblem
from gateway.context import Info
from gateway.errors import BadInput
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

#: Timeline events and evidence mentions one incident shows at most (one batch read each).
MAX_PER_INCIDENT = 50


def _bounded(value: int, name: str) -> int:
    if value < 0 or value > MAX_PER_INCIDENT:
        raise BadInput(f"`{name}` is between 0 and {MAX_PER_INCIDENT}.", argument=name)
    return value


@strawberry.enum
class IncidentState(Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESPONDING = "responding"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


@strawberry.enum(description="sev1 is the most severe.")
class Severity(Enum):
    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"


@strawberry.type(description="One entry of an incident's timeline.")
class TimelineEvent(Node):
    kind: str = strawberry.field(
        description="signal, state, severity, assignment, approval, statement, escalation, note "
        "or step."
    )
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


@strawberry.type(description="A step of the incident's playbook, with its deadline.")
class Step(Node):
    key: str | None
    title: str
    owner: str | None
    group: int
    position: int
    status: str = strawberry.field(description="pending, active, done, skipped or overdue.")
    due_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    escalate_to: str | None
    escalated: bool
    escalated_at: datetime | None
    approvals: list[str] = strawberry.field(description="Departments whose approval it needs.")
    templates: list[str]
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
            owner=s.owner,
            group=s.group,
            position=s.position,
            status=s.status,
            due_at=s.due_at,
            started_at=s.started_at,
            completed_at=s.completed_at,
            completed_by=s.completed_by,
            escalate_to=s.escalate_to,
            escalated=s.escalated,
            escalated_at=s.escalated_at,
            approvals=list(s.approvals),
            templates=list(s.templates),
            incident_raw_id=s.incident_id,
        )


@strawberry.type(description="A department's decision on a statement.")
class Approval:
    department: str
    decision: str = strawberry.field(description="approved or rejected.")
    approver: str | None
    comment: str | None
    at: datetime | None
    statement_raw_id: strawberry.Private[str]

    @strawberry.field
    def statement_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Statement", self.statement_raw_id))

    @classmethod
    def from_rest(cls, a: ApprovalRest, statement_id: str) -> Approval:
        return cls(
            department=a.department,
            decision=a.decision,
            approver=a.approver,
            comment=a.comment,
            at=a.at,
            statement_raw_id=statement_id,
        )


@strawberry.type(description="An outgoing statement and its approvals.")
class Statement(Node):
    platform: str
    audience: str
    language: str | None
    text: str
    status: str = strawberry.field(
        description="draft, approved, rejected, ready, published or withdrawn."
    )
    required_approvals: list[str]
    missing_approvals: list[str]
    conflict: bool = strawberry.field(description="Another draft for the same platform/audience.")
    author: str | None
    created_at: datetime | None
    updated_at: datetime | None
    approvals: list[Approval]
    incident_raw_id: strawberry.Private[str]
    step_raw_id: strawberry.Private[str | None]
    conflicting_raw_ids: strawberry.Private[list[str]]

    @strawberry.field
    def step_id(self) -> strawberry.ID | None:
        if self.step_raw_id is None:
            return None
        return strawberry.ID(to_global_id("Step", self.step_raw_id))

    @strawberry.field
    def conflicting_statement_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(to_global_id("Statement", i)) for i in self.conflicting_raw_ids]

    @strawberry.field
    async def incident(self, info: Info) -> Incident | None:
        return await load_incident(info, self.incident_raw_id)

    @classmethod
    def from_rest(cls, s: StatementRest) -> Statement:
        return cls(
            id=strawberry.ID(to_global_id("Statement", s.id)),
            platform=s.platform,
            audience=s.audience,
            language=s.language,
            text=s.text,
            status=s.status,
            required_approvals=list(s.required_approvals),
            missing_approvals=list(s.missing_approvals),
            conflict=s.conflict,
            author=s.author,
            created_at=s.created_at,
            updated_at=s.updated_at,
            approvals=[Approval.from_rest(a, s.id) for a in s.approvals],
            incident_raw_id=s.incident_id,
            step_raw_id=s.step_id,
            conflicting_raw_ids=list(s.conflicting_statement_ids),
        )


@strawberry.type(description="A detector finding, with the mentions that made it fire.")
class Signal(Node):
    detector: str
    kind: str
    topic: str
    score: float
    count: int
    detail: str
    first_at: datetime | None
    last_at: datetime | None
    at: datetime | None
    mention_ids: strawberry.Private[list[str]]

    @fields.field("The mentions that made the detector fire, with enrichment (batched).")
    async def mentions(self, info: Info, first: int = 10) -> list[Mention]:
        return await load_mentions(info, self.mention_ids[: _bounded(first, "first")])

    @classmethod
    def from_rest(cls, s: SignalRest) -> Signal:
        return cls(
            id=strawberry.ID(to_global_id("Signal", s.id)),
            detector=s.detector,
            kind=s.kind,
            topic=s.topic,
            score=s.score,
            count=s.count,
            detail=s.detail,
            first_at=s.first_at,
            last_at=s.last_at,
            at=s.at,
            mention_ids=list(s.mention_ids),
        )


@strawberry.type
class StepAdherence:
    key: str
    title: str
    owner: str
    status: str
    due_at: datetime | None
    completed_at: datetime | None
    met_deadline: bool | None
    late_seconds: float | None
    escalated: bool


@strawberry.type
class CurvePoint:
    start: datetime
    total: int
    negative: int
    risk: float
    negative_share: float


@strawberry.type(description="Crisis-signal mentions naming one crisis category.")
class CategoryCount:
    category: str
    mentions: int


@strawberry.type(
    description="One bucket of the crisis-signal curve (the sentiment curve's buckets)."
)
class CrisisCurvePoint:
    start: datetime
    total: int = strawberry.field(description="All mentions of the topic in the bucket.")
    crisis_signal: int = strawberry.field(
        description="Mentions the sentiment service gave the crisis-signal intent."
    )
    crisis_share: float = strawberry.field(description="crisisSignal / total (0 when total is 0).")
    categories: list[CategoryCount] = strawberry.field(
        description="Crisis categories named, most named first; a mention may name several."
    )


@strawberry.type(
    description="The post-incident report: timings, deadlines, the sentiment and crisis-signal curves."
)
class IncidentReport:
    time_to_detect_seconds: float | None
    time_to_acknowledge_seconds: float | None
    time_to_first_statement_seconds: float | None
    time_to_resolve_seconds: float | None
    deadlines_met: int
    deadlines_missed: int
    escalations: int
    signals: int
    statements: int
    steps: list[StepAdherence]
    curve_bucket_seconds: int
    sentiment_curve: list[CurvePoint]
    crisis_signal_curve: list[CrisisCurvePoint]
    generated_at: datetime | None

    @classmethod
    def from_rest(cls, r: ReportRest) -> IncidentReport:
        return cls(
            time_to_detect_seconds=r.time_to_detect_seconds,
            time_to_acknowledge_seconds=r.time_to_acknowledge_seconds,
            time_to_first_statement_seconds=r.time_to_first_statement_seconds,
            time_to_resolve_seconds=r.time_to_resolve_seconds,
            deadlines_met=r.deadlines_met,
            deadlines_missed=r.deadlines_missed,
            escalations=r.escalations,
            signals=r.signals,
            statements=r.statements,
            steps=[
                StepAdherence(
                    key=s.key,
                    title=s.title,
                    owner=s.owner,
                    status=s.status,
                    due_at=s.due_at,
                    completed_at=s.completed_at,
                    met_deadline=s.met_deadline,
                    late_seconds=s.late_seconds,
                    escalated=s.escalated,
                )
                for s in r.steps
            ],
            curve_bucket_seconds=r.curve_bucket_seconds,
            sentiment_curve=[
                CurvePoint(
                    start=p.start,
                    total=p.total,
                    negative=p.negative,
                    risk=p.risk,
                    negative_share=p.negative_share,
                )
                for p in r.sentiment_curve
            ],
            crisis_signal_curve=[
                CrisisCurvePoint(
                    start=p.start,
                    total=p.total,
                    crisis_signal=p.crisis_signal,
                    crisis_share=p.crisis_share,
                    categories=[
                        CategoryCount(category=name, mentions=count)
                        for name, count in sorted(
                            p.categories.items(), key=lambda kv: (-kv[1], kv[0])
                        )
                    ],
                )
                for p in r.crisis_signal_curve
            ],
            generated_at=r.generated_at,
        )


def _state(value: str) -> IncidentState:
    try:
        return IncidentState(value)
    except ValueError:
        return IncidentState.OPEN


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        return Severity.SEV3


@strawberry.type(description="An incident: detected, worked through its playbook, reported.")
class Incident(Node):
    title: str
    state: IncidentState
    severity: Severity
    topic: str
    topics: list[str]
    language: str | None
    summary: str | None
    assignee: str | None
    department: str | None
    signal_count: int
    is_drill: bool
    allowed_transitions: list[IncidentState]
    first_evidence_at: datetime | None
    opened_at: datetime | None
    acknowledged_at: datetime | None
    first_statement_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime | None
    playbook_version: int | None
    raw_id: strawberry.Private[str]
    playbook_raw_id: strawberry.Private[str | None]
    evidence_ids: strawberry.Private[list[str]]

    @fields.field("The latest events, newest first (one batch read for a whole page).")
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
        return [Approval.from_rest(a, s.id) for s in rows for a in s.approvals]

    @strawberry.field
    async def signals(self, info: Info) -> list[Signal]:
        return [Signal.from_rest(s) for s in await info.context.loaders.signals.load(self.raw_id)]

    @fields.field("Mentions that opened or fed the incident, with enrichment (batched).")
    async def evidence(self, info: Info, first: int = 10) -> list[Mention]:
        return await load_mentions(info, self.evidence_ids[: _bounded(first, "first")])

    @fields.field("The playbook it follows (at `playbookVersion`).")
    async def playbook(self, info: Info) -> Playbook | None:
        if self.playbook_raw_id is None:
            return None
        found = await info.context.loaders.playbook.load(self.playbook_raw_id)
        return Playbook.from_rest(found) if found else None

    @fields.field("The post-incident report (one call per incident: ask for it singly).")
    async def report(self, info: Info) -> IncidentReport | None:
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
            state=_state(i.state),
            severity=_severity(i.severity),
            topic=i.topic,
            topics=list(i.topics),
            language=i.language,
            summary=i.summary,
            assignee=i.assignee,
            department=i.department,
            signal_count=i.signal_count,
            is_drill=i.is_drill,
            allowed_transitions=[_state(t) for t in i.allowed_transitions],
            first_evidence_at=i.first_evidence_at,
            opened_at=i.opened_at,
            acknowledged_at=i.acknowledged_at,
            first_statement_at=i.first_statement_at,
            resolved_at=i.resolved_at,
            updated_at=i.updated_at,
            playbook_version=i.playbook_version,
            playbook_raw_id=i.playbook_id,
            evidence_ids=list(i.evidence_mention_ids),
        )


async def load_incident(info: Info, raw_id: str) -> Incident | None:
    found = await info.context.loaders.incident.load(raw_id)
    return Incident.from_rest(found) if found else None


async def load_mentions(info: Info, raw_ids: list[str]) -> list[Mention]:
    found = await info.context.loaders.enriched_mention.load_many(raw_ids)
    return [Mention.from_rest(m) for m in found if m is not None]


@strawberry.input(description="Mirrors `GET /v1/incidents`: lists accept any value.")
class IncidentFilter:
    states: list[IncidentState] | None = None
    severities: list[Severity] | None = None
    since: datetime | None = strawberry.field(default=None, description="Opened at or after.")


def incident_params(f: IncidentFilter | None) -> dict[str, str | list[str] | None]:
    if f is None:
        return {}
    return {
        "state": [s.value for s in f.states] if f.states else None,
        "severity": [s.value for s in f.severities] if f.severities else None,
        "since": f.since.isoformat() if f.since else None,
    }

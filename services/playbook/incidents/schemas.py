"""The public shapes of incidents, steps, timeline events, statements and reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.playbook.playbooks import Department, Severity


class IncidentState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESPONDING = "responding"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class StepStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"
    SKIPPED = "skipped"
    OVERDUE = "overdue"


class StatementStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    READY = "ready"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class TimelineKind(StrEnum):
    SIGNAL = "signal"
    STATE = "state"
    SEVERITY = "severity"
    ASSIGNMENT = "assignment"
    APPROVAL = "approval"
    STATEMENT = "statement"
    ESCALATION = "escalation"
    NOTE = "note"
    STEP = "step"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class IncidentRead(BaseModel):
    id: str
    title: str
    state: IncidentState
    severity: Severity
    topic: str
    topics: list[str]
    playbook_id: str
    playbook_version: int
    language: str
    assignee: str | None
    department: str | None
    signal_count: int
    evidence_mention_ids: list[str]
    summary: str | None = None
    allowed_transitions: list[IncidentState]
    is_drill: bool
    first_evidence_at: datetime
    opened_at: datetime
    acknowledged_at: datetime | None
    first_statement_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: IncidentState
    note: Text | None = None


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Annotated[str, StringConstraints(max_length=256)] | None = None
    department: Department | None = None


class SeverityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    reason: Text | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class TimelineEventRead(BaseModel):
    id: str
    incident_id: str
    kind: TimelineKind
    summary: str
    actor: str
    at: datetime
    data: dict[str, object]


class StepRead(BaseModel):
    id: str
    incident_id: str
    key: str
    title: str
    owner: str
    group: int
    position: int
    status: StepStatus
    due_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    escalate_to: str | None
    escalated: bool
    escalated_at: datetime | None
    approvals: list[str]
    #: The same as ``status`` (the name the gateway reads).
    state: StepStatus


class StepDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text | None = None


class StatementIn(BaseModel):
    """Give ``text``, or ``template`` (a template name of the step) with ``variables``."""

    model_config = ConfigDict(extra="forbid")

    platform: Annotated[str, StringConstraints(min_length=1, max_length=32)] = "default"
    audience: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "public"
    language: Literal["nl", "en"] | None = None
    step_id: str | None = None
    text: Text | None = None
    template: str | None = None
    variables: dict[str, str] = Field(default_factory=dict)


class ApprovalRead(BaseModel):
    id: str
    department: str
    decision: Literal["approved", "rejected"]
    approver: str
    comment: str | None
    at: datetime


class StatementRead(BaseModel):
    id: str
    incident_id: str
    step_id: str | None
    platform: str
    audience: str
    language: str
    text: str
    status: StatementStatus
    required_approvals: list[str]
    missing_approvals: list[str]
    conflict: bool
    conflicting_statement_ids: list[str]
    author: str
    approvals: list[ApprovalRead]
    created_at: datetime
    updated_at: datetime
    #: The same as ``platform`` and ``status`` (the names the gateway reads).
    channel: str
    state: StatementStatus


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Annotated[str, StringConstraints(max_length=5000)] | None = None


class StatementStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["ready", "published"]


class StepAdherence(BaseModel):
    id: str
    key: str
    title: str
    owner: str
    status: StepStatus
    due_at: datetime | None
    completed_at: datetime | None
    met_deadline: bool | None
    late_seconds: float | None
    escalated: bool


class CurvePoint(BaseModel):
    start: datetime
    total: int
    negative: int
    risk: float
    negative_share: float


class CrisisCurvePoint(BaseModel):
    """One bucket of the crisis-signal curve (the buckets of the sentiment curve)."""

    start: datetime
    total: int = Field(description="all mentions of the topic in the bucket")
    crisis_signal: int = Field(
        description="mentions the sentiment service gave the crisis-signal intent"
    )
    crisis_share: float = Field(description="crisis_signal / total (0 when total is 0)")
    categories: dict[str, int] = Field(
        default_factory=dict,
        description="crisis category → crisis-signal mentions naming it, most named first; "
        "a mention may name several",
    )


class ReportRead(BaseModel):
    incident_id: str
    title: str
    playbook_id: str
    playbook_version: int
    severity: Severity
    state: IncidentState
    first_evidence_at: datetime
    opened_at: datetime
    acknowledged_at: datetime | None
    first_statement_at: datetime | None
    resolved_at: datetime | None
    time_to_detect_seconds: float
    time_to_acknowledge_seconds: float | None
    time_to_first_statement_seconds: float | None
    time_to_resolve_seconds: float | None
    steps: list[StepAdherence]
    deadlines_met: int
    deadlines_missed: int
    escalations: int
    signals: int
    statements: int
    curve_bucket_seconds: int
    sentiment_curve: list[CurvePoint]
    crisis_signal_curve: list[CrisisCurvePoint] = Field(default_factory=list)
    generated_at: datetime

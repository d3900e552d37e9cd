from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from gateway.rest.base import Rest


class IncidentRest(Rest):
    id: str
    title: str = ""
    state: str = "open"
    severity: str = "sev3"
    topic: str = ""
    topics: list[str] = Field(default_factory=list)
    playbook_id: str | None = None
    playbook_version: int | None = None
    language: str | None = None
    assignee: str | None = None
    department: str | None = None
    signal_count: int = 0
    evidence_mention_ids: list[str] = Field(default_factory=list)
    summary: str | None = None
    allowed_transitions: list[str] = Field(default_factory=list)
    is_drill: bool = False
    first_evidence_at: datetime | None = None
    opened_at: datetime | None = None
    acknowledged_at: datetime | None = None
    first_statement_at: datetime | None = None
    resolved_at: datetime | None = None
    updated_at: datetime | None = None


class TimelineEventRest(Rest):
    id: str
    incident_id: str
    kind: str
    summary: str = ""
    actor: str | None = None
    at: datetime


class StepRest(Rest):
    id: str
    incident_id: str
    key: str | None = None
    title: str = ""
    owner: str | None = None
    group: int = 0
    position: int = 0
    status: str = "pending"
    due_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    escalate_to: str | None = None
    escalated: bool = False
    escalated_at: datetime | None = None
    approvals: list[str] = Field(default_factory=list)
    templates: list[str] = Field(default_factory=list)


class ApprovalRest(Rest):
    id: str
    department: str
    decision: str
    approver: str | None = None
    comment: str | None = None
    at: datetime | None = None


class StatementRest(Rest):
    id: str
    incident_id: str
    step_id: str | None = None
    platform: str = "default"
    audience: str = "public"
    language: str | None = None
    text: str = ""
    status: str = "draft"
    required_approvals: list[str] = Field(default_factory=list)
    missing_approvals: list[str] = Field(default_factory=list)
    conflict: bool = False
    conflicting_statement_ids: list[str] = Field(default_factory=list)
    author: str | None = None
    approvals: list[ApprovalRest] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SignalRest(Rest):
    id: str
    incident_id: str = ""
    topic: str = ""
    kind: str = ""
    detector: str = ""
    score: float = 0.0
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    at: datetime | None = None
    detail: str = ""
    mention_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _no_incident(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("incident_id") is None:
            return {**value, "incident_id": ""}
        return value


class PlaybookVersionRest(Rest):
    version: int
    created_at: datetime | None = None
    created_by: str | None = None


class PlaybookRest(Rest):
    id: str
    key: str | None = None
    name: str = ""
    description: str | None = None
    version: int = 1
    latest_version: int = 1
    active: bool = True
    languages: list[str] = Field(default_factory=list)
    yaml: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None


class PlaybookImportRest(Rest):
    items: list[PlaybookRest]


class StepTimingRest(Rest):
    ref_id: str | None = None
    label: str | None = None
    scenario_seconds_from_onset: float | None = None
    seconds_from_incident: float | None = None


class DrillMetricsRest(Rest):
    onset_seconds: float | None = None
    time_to_detect_seconds: float | None = None
    time_to_first_signal_seconds: float | None = None
    time_to_incident_seconds: float | None = None
    detected: bool = False
    steps: list[StepTimingRest] = Field(default_factory=list)
    escalations: int = 0
    statements_ready: int = 0


class DrillEventRest(Rest):
    kind: str
    ref_id: str | None = None
    label: str | None = None
    at: datetime
    scenario_seconds: float = 0.0


class DrillRest(Rest):
    id: str
    status: str
    sandbox_tenant: str
    scenario: str
    speed: float = 1.0
    total: int = 0
    sent: int = 0
    progress: float = 0.0
    scenario_clock_seconds: float = 0.0
    duration_seconds: float = 0.0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    metrics: DrillMetricsRest = DrillMetricsRest()
    events: list[DrillEventRest] = Field(default_factory=list)


class StepAdherenceRest(Rest):
    id: str
    key: str = ""
    title: str = ""
    owner: str = ""
    status: str = ""
    due_at: datetime | None = None
    completed_at: datetime | None = None
    met_deadline: bool | None = None
    late_seconds: float | None = None
    escalated: bool = False


class CurvePointRest(Rest):
    start: datetime
    total: int = 0
    negative: int = 0
    risk: float = 0.0
    negative_share: float = 0.0


class CrisisCurvePointRest(Rest):
    start: datetime
    total: int = 0
    crisis_signal: int = 0
    crisis_share: float = 0.0
    categories: dict[str, int] = Field(default_factory=dict)


class ReportRest(Rest):
    incident_id: str
    title: str = ""
    severity: str = ""
    state: str = ""
    time_to_detect_seconds: float | None = None
    time_to_acknowledge_seconds: float | None = None
    time_to_first_statement_seconds: float | None = None
    time_to_resolve_seconds: float | None = None
    steps: list[StepAdherenceRest] = Field(default_factory=list)
    deadlines_met: int = 0
    deadlines_missed: int = 0
    escalations: int = 0
    signals: int = 0
    statements: int = 0
    curve_bucket_seconds: int = 0
    sentiment_curve: list[CurvePointRest] = Field(default_factory=list)
    crisis_signal_curve: list[CrisisCurvePointRest] = Field(default_factory=list)
    generated_at: datetime | None = None


class WebhookRest(Rest):
    id: str
    url: str
    event_types: list[str] = Field(default_factory=list)
    format: str = "standard"
    active: bool = True
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    secret: str | None = None


class FreezeRest(Rest):
    active: bool
    since: datetime | None = None
    reason: str | None = None
    incident_ids: list[str] = Field(default_factory=list)
    override: str | None = None
    severities: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from gateway.rest.base import Rest


class IncidentRest(Rest):
    id: str
    title: str = ""
    state: str = "open"
    severity: str = "sev3"
    summary: str | None = None
    playbook_id: str | None = None
    playbook_version: int | None = None
    assignee: str | None = None
    is_drill: bool = False
    drill_id: str | None = None
    topics: list[str] = Field(default_factory=list)
    evidence_mention_ids: list[str] = Field(default_factory=list)
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


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
    description: str | None = None
    owner: str | None = None
    state: str = "open"
    due_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    escalated: bool = False
    position: int = 0


class ApprovalRest(Rest):
    id: str | None = None
    approver: str | None = None
    decision: str
    comment: str | None = None
    at: datetime | None = None


class StatementRest(Rest):
    id: str
    incident_id: str
    channel: str | None = None
    language: str | None = None
    text: str = ""
    state: str = "draft"
    author: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    approvals: list[ApprovalRest] = Field(default_factory=list)


class SignalRest(Rest):
    id: str
    incident_id: str = ""
    detector: str = ""
    kind: str | None = None
    score: float | None = None
    topic: str | None = None
    detail: str | None = None
    at: datetime | None = None
    mention_ids: list[str] = Field(default_factory=list)


class PlaybookVersionRest(Rest):
    version: int
    yaml: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None


class PlaybookRest(Rest):
    id: str
    key: str | None = None
    name: str = ""
    description: str | None = None
    version: int = 1
    yaml: str | None = None
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    versions: list[PlaybookVersionRest] = Field(default_factory=list)


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


class ReportRest(Rest):
    incident_id: str | None = None
    markdown: str | None = None
    summary: str | None = None
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

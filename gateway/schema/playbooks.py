"""Playbooks (versioned YAML) and drills."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.context import Info
from gateway.ids import to_global_id
from gateway.rest.playbook import DrillMetricsRest, DrillRest, PlaybookRest, PlaybookVersionRest
from gateway.schema import fields
from gateway.schema.relay import Node


@strawberry.type
class PlaybookVersion:
    version: int
    created_at: datetime | None
    created_by: str | None

    @classmethod
    def from_rest(cls, v: PlaybookVersionRest) -> PlaybookVersion:
        return cls(version=v.version, created_at=v.created_at, created_by=v.created_by)


@strawberry.type(description="A playbook: triggers, severity rules and steps, as YAML.")
class Playbook(Node):
    key: str | None
    name: str
    description: str | None
    version: int
    latest_version: int
    active: bool
    languages: list[str]
    yaml: str
    created_at: datetime | None
    updated_at: datetime | None
    created_by: str | None
    raw_id: strawberry.Private[str]

    @fields.field("Every stored version, oldest first (one call).")
    async def versions(self, info: Info) -> list[PlaybookVersion]:
        rows = await info.context.services.playbook.get(
            f"/v1/playbooks/{self.raw_id}/versions",
            list[PlaybookVersionRest],
            info.context.caller,
        )
        return [PlaybookVersion.from_rest(v) for v in rows]

    @classmethod
    def from_rest(cls, p: PlaybookRest) -> Playbook:
        return cls(
            id=strawberry.ID(to_global_id("Playbook", p.id)),
            raw_id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            version=p.version,
            latest_version=p.latest_version,
            active=p.active,
            languages=list(p.languages),
            yaml=p.yaml,
            created_at=p.created_at,
            updated_at=p.updated_at,
            created_by=p.created_by,
        )


@strawberry.type(description="When a drill's team reached a step.")
class StepTiming:
    label: str | None
    scenario_seconds_from_onset: float | None
    seconds_from_incident: float | None


@strawberry.type
class DrillMetrics:
    detected: bool
    onset_seconds: float | None
    time_to_detect_seconds: float | None = strawberry.field(
        description="Scenario seconds from the onset to the first signal or incident."
    )
    time_to_first_signal_seconds: float | None
    time_to_incident_seconds: float | None
    escalations: int
    statements_ready: int
    steps: list[StepTiming]

    @classmethod
    def from_rest(cls, m: DrillMetricsRest) -> DrillMetrics:
        return cls(
            detected=m.detected,
            onset_seconds=m.onset_seconds,
            time_to_detect_seconds=m.time_to_detect_seconds,
            time_to_first_signal_seconds=m.time_to_first_signal_seconds,
            time_to_incident_seconds=m.time_to_incident_seconds,
            escalations=m.escalations,
            statements_ready=m.statements_ready,
            steps=[
                StepTiming(
                    label=s.label,
                    scenario_seconds_from_onset=s.scenario_seconds_from_onset,
                    seconds_from_incident=s.seconds_from_incident,
                )
                for s in m.steps
            ],
        )


@strawberry.type
class DrillEvent:
    kind: str
    label: str | None
    at: datetime
    scenario_seconds: float


@strawberry.type(description="A rehearsal: a scenario replayed into a sandbox copy of the tenant.")
class Drill(Node):
    status: str = strawberry.field(description="running, replayed, stopped or failed.")
    scenario: str
    sandbox_tenant: str = strawberry.field(
        description="Act on the drill's incidents with a token for this tenant."
    )
    speed: float
    total: int
    sent: int
    progress: float
    duration_seconds: float
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    metrics: DrillMetrics
    events: list[DrillEvent]

    @classmethod
    def from_rest(cls, d: DrillRest) -> Drill:
        return cls(
            id=strawberry.ID(to_global_id("Drill", d.id)),
            status=d.status,
            scenario=d.scenario,
            sandbox_tenant=d.sandbox_tenant,
            speed=d.speed,
            total=d.total,
            sent=d.sent,
            progress=d.progress,
            duration_seconds=d.duration_seconds,
            started_at=d.started_at,
            finished_at=d.finished_at,
            error=d.error,
            metrics=DrillMetrics.from_rest(d.metrics),
            events=[
                DrillEvent(kind=e.kind, label=e.label, at=e.at, scenario_seconds=e.scenario_seconds)
                for e in d.events
            ],
        )

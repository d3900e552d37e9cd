"""REST bodies of ``/v1/drills``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class DrillStatus(StrEnum):
    #: Mentions are being replayed.
    RUNNING = "running"
    #: Every mention was sent; the team's actions are still measured.
    REPLAYED = "replayed"
    STOPPED = "stopped"
    FAILED = "failed"


class DrillEventKind(StrEnum):
    SIGNAL = "signal"
    INCIDENT_OPENED = "incident_opened"
    STEP_COMPLETED = "step_completed"
    STEP_ESCALATED = "step_escalated"
    STATEMENT_READY = "statement_ready"
    INCIDENT_RESOLVED = "incident_resolved"


class GeneratedScenario(BaseModel):
    """A scenario made on the spot by the scenario generator."""

    model_config = ConfigDict(extra="forbid")

    topic: Annotated[str, StringConstraints(min_length=2, max_length=80, strip_whitespace=True)]
    language: Literal["nl", "en"] = "nl"
    volume_curve: list[tuple[Annotated[int, Field(ge=0)], Annotated[float, Field(ge=0)]]] = Field(
        min_length=2,
        max_length=200,
        description="(offset seconds, mentions per minute) breakpoints, linear in between.",
    )
    negative_share: float = Field(default=0.6, ge=0, le=1)
    brand: Annotated[str, StringConstraints(min_length=1, max_length=80)] = "Duinzorg"
    seed: int = 0


class DrillStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str | None = Field(default=None, description="A shipped scenario, e.g. datalek_nl.")
    generate: GeneratedScenario | None = None
    speed: float | None = Field(
        default=None, gt=0, description="Times real time (default from settings, e.g. 60)."
    )
    onset_seconds: float | None = Field(
        default=None,
        ge=0,
        description="Scenario second the crisis starts; known for shipped scenarios, derived "
        "from the volume curve for generated ones.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> DrillStart:
        if (self.scenario is None) == (self.generate is None):
            raise ValueError("give exactly one of `scenario` and `generate`")
        return self


class StepTiming(BaseModel):
    ref_id: str | None
    label: str | None
    #: Scenario seconds from the crisis onset.
    scenario_seconds_from_onset: float | None
    #: Real (wall-clock) seconds from the first incident of the drill: the team's own pace.
    seconds_from_incident: float | None


class DrillMetrics(BaseModel):
    onset_seconds: float | None
    #: Scenario seconds from the onset to the first signal or incident (negative: before onset).
    time_to_detect_seconds: float | None
    time_to_first_signal_seconds: float | None
    time_to_incident_seconds: float | None
    detected: bool
    steps: list[StepTiming]
    escalations: int
    statements_ready: int


class DrillEventRead(BaseModel):
    kind: str
    ref_id: str | None
    label: str | None
    at: datetime
    scenario_seconds: float


class DrillRead(BaseModel):
    id: str
    status: DrillStatus
    sandbox_tenant: str
    scenario: str
    spec: dict[str, object] | None
    speed: float
    total: int
    sent: int
    progress: float = Field(description="Share of the scenario's mentions sent, 0..1.")
    scenario_clock_seconds: float
    duration_seconds: float
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    metrics: DrillMetrics
    events: list[DrillEventRead] = Field(default_factory=list)


class ScenarioRead(BaseModel):
    name: str
    description: str
    mentions: int
    duration_seconds: float
    onset_seconds: float


class SandboxToken(BaseModel):
    """A bearer token for the drill's sandbox tenant: act on its incidents as the team would."""

    token: str
    sandbox_tenant: str
    scopes: list[str]
    expires_at: datetime

"""What a drill measured, computed from the events recorded in its sandbox: no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from services.playbook.drills.schemas import DrillEventKind, DrillMetrics, StepTiming
from services.playbook.drills.tables import DrillEvent


def compute_metrics(onset_seconds: float | None, events: Sequence[DrillEvent]) -> DrillMetrics:
    """Time to detect (scenario seconds from the onset to the first signal's evidence, or to the
    first incident when no signal was recorded) and the time to each completed step, both on the
    scenario clock and on the team's wall clock."""
    onset = onset_seconds or 0.0

    def first(*kinds: str) -> DrillEvent | None:
        hits = [e for e in events if e.kind in kinds]
        return min(hits, key=lambda e: e.scenario_seconds) if hits else None

    signal = first(DrillEventKind.SIGNAL)
    incident = first(DrillEventKind.INCIDENT_OPENED)
    # A signal carries the scenario time of its evidence; an incident only the wall clock of its
    # opening, mapped back through the speed (off by the pipeline's latency times the speed).
    detected = signal or incident
    incident_wall = min(
        (e.at for e in events if e.kind == DrillEventKind.INCIDENT_OPENED), default=None
    )
    steps = [
        StepTiming(
            ref_id=e.ref_id,
            label=e.label,
            scenario_seconds_from_onset=round(e.scenario_seconds - onset, 3),
            seconds_from_incident=(
                round((e.at - incident_wall).total_seconds(), 3) if incident_wall else None
            ),
        )
        for e in sorted(events, key=lambda e: e.at)
        if e.kind == DrillEventKind.STEP_COMPLETED
    ]
    return DrillMetrics(
        onset_seconds=onset_seconds,
        time_to_detect_seconds=round(detected.scenario_seconds - onset, 3) if detected else None,
        time_to_first_signal_seconds=round(signal.scenario_seconds - onset, 3) if signal else None,
        time_to_incident_seconds=(
            round(incident.scenario_seconds - onset, 3) if incident else None
        ),
        detected=detected is not None,
        steps=steps,
        escalations=sum(1 for e in events if e.kind == DrillEventKind.STEP_ESCALATED),
        statements_ready=sum(1 for e in events if e.kind == DrillEventKind.STATEMENT_READY),
    )

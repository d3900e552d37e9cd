"""Does a playbook apply to these signals, and how severe is it?"""

from __future__ import annotations

from collections.abc import Sequence

from services.playbook.detection.model import Signal
from services.playbook.detection.triggers import normalise
from services.playbook.playbooks.models import (
    Condition,
    Playbook,
    Severity,
    Trigger,
    parse_duration,
)


def condition_matches(condition: Condition, signal: Signal) -> bool:
    """True when this one signal satisfies every field the condition gives."""
    ev = signal.evidence
    if signal.kind.value != condition.detector.value:
        return False
    if condition.topic is not None and normalise(condition.topic) != normalise(signal.topic):
        return False
    if condition.keywords is not None:
        wanted = {normalise(k) for k in condition.keywords}
        found = {normalise(k) for k in ev.keywords} | {normalise(signal.detector)}
        # a keyword matches its inflections, as the trigger does ("storing" ~ "storingen")
        if not any(f.startswith(w) or w.startswith(f) for w in wanted for f in found if f):
            return False
    if condition.min_count is not None and ev.observed < condition.min_count:
        return False
    if condition.window is not None:
        limit = parse_duration(condition.window).total_seconds()
        if ev.window_seconds is None or ev.window_seconds > limit:
            return False
    if condition.stakeholder_types is not None and not (
        set(condition.stakeholder_types) & set(ev.stakeholder_types)
    ):
        return False
    if condition.min_followers is not None and (ev.max_followers or 0) < condition.min_followers:
        return False
    if condition.min_risk is not None and (ev.max_risk or 0.0) < condition.min_risk:
        return False
    return condition.min_score is None or signal.score >= condition.min_score


def trigger_holds(trigger: Trigger, signals: Sequence[Signal]) -> bool:
    """``any``: some condition matches some signal; ``all``: each condition matches some signal."""
    if trigger.any is None and trigger.all is None:
        return False
    if trigger.any is not None and not any(
        condition_matches(c, s) for c in trigger.any for s in signals
    ):
        return False
    return trigger.all is None or all(
        any(condition_matches(c, s) for s in signals) for c in trigger.all
    )


def evaluate_trigger(playbook: Playbook, signals: Sequence[Signal]) -> bool:
    """Whether the playbook should run for these signals (of one tenant and topic)."""
    return trigger_holds(playbook.trigger, signals)


def severity_for(playbook: Playbook, signals: Sequence[Signal]) -> Severity:
    """The most severe level among the rules that hold, else the playbook's default."""
    levels = [r.level for r in playbook.severity.rules if trigger_holds(r.when, signals)]
    return min(levels, key=lambda s: s.rank) if levels else playbook.severity.default


def raise_severity(severity: Severity) -> Severity:
    """One level worse (sev3 → sev2); sev1 stays sev1. For escalations that raise severity."""
    return Severity(f"sev{max(1, severity.rank - 1)}")

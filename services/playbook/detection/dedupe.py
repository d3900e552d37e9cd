"""Fold repeated signals about the same thing into one open issue.

Pure policy: the service keeps one :class:`IssueState` per fingerprint (tenant + topic + kind) and
asks :func:`decide` what a new signal means for it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.playbook.detection.model import Signal


def fingerprint(tenant: str, topic: str, kind: str) -> str:
    """Stable 32-hex-digit key of "the same thing" (NUL-separated, so no field can forge it)."""
    return hashlib.sha256(f"{tenant}\0{topic}\0{kind}".encode()).hexdigest()[:32]


class DedupePolicy(BaseModel):
    """``window``: a signal within this time after the last one folds into the open issue."""

    model_config = ConfigDict(frozen=True)

    window: timedelta = Field(default=timedelta(minutes=60))


class IssueState(BaseModel):
    """What the service persists per fingerprint (one open issue, maybe snoozed)."""

    model_config = ConfigDict(frozen=True)

    fingerprint: str
    opened_at: AwareDatetime
    last_seen_at: AwareDatetime
    signal_count: int = 1
    max_score: float = 0.0
    snoozed_until: AwareDatetime | None = None


class Action(StrEnum):
    OPEN = "open"  # a new issue: open an incident (or attach to the topic's incident)
    FOLD = "fold"  # the same issue again: update evidence, maybe severity
    SNOOZED = "snoozed"  # the same issue while snoozed: record, do not notify


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: Action
    issue: IssueState


def decide(signal: Signal, issue: IssueState | None, policy: DedupePolicy) -> Decision:
    """What ``signal`` means given the current issue of its fingerprint (None when none).

    Signals arriving out of order never move ``last_seen_at`` backwards.
    """
    fp = fingerprint(signal.tenant, signal.topic, signal.kind.value)
    if issue is not None and issue.fingerprint != fp:
        raise ValueError("issue belongs to another fingerprint")
    at = signal.at
    if issue is not None and issue.snoozed_until is not None and at < issue.snoozed_until:
        return Decision(action=Action.SNOOZED, issue=_touch(issue, signal))
    if issue is not None and at - issue.last_seen_at <= policy.window:
        return Decision(action=Action.FOLD, issue=_touch(issue, signal))
    return Decision(
        action=Action.OPEN,
        issue=IssueState(fingerprint=fp, opened_at=at, last_seen_at=at, max_score=signal.score),
    )


def snooze(issue: IssueState, until: datetime) -> IssueState:
    """Keep the issue open but quiet until ``until`` (aware)."""
    if until.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    return issue.model_copy(update={"snoozed_until": until})


def _touch(issue: IssueState, signal: Signal) -> IssueState:
    return issue.model_copy(
        update={
            "last_seen_at": max(issue.last_seen_at, signal.at),
            "signal_count": issue.signal_count + 1,
            "max_score": max(issue.max_score, signal.score),
        }
    )

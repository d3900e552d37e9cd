"""Repeated signals fold into one issue; snoozed issues stay quiet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.playbook.detection import (
    Action,
    DedupePolicy,
    IssueState,
    SignalKind,
    decide,
    fingerprint,
    snooze,
)
from tests.playbook_logic.helpers import START, signal


def test_fingerprint_is_stable_and_separates_tenant_topic_and_kind() -> None:
    fp = fingerprint("t1", "duinzorg", "negative_spike")
    assert fp == fingerprint("t1", "duinzorg", "negative_spike")
    assert len(fp) == 32
    assert (
        len(
            {
                fp,
                fingerprint("t2", "duinzorg", "negative_spike"),
                fingerprint("t1", "other", "negative_spike"),
                fingerprint("t1", "duinzorg", "keyword"),
                fingerprint("t1", "duinzorg\0negative", "spike"),
            }
        )
        == 5
    )


def test_signals_within_the_window_fold_and_later_ones_open_a_new_issue() -> None:
    policy = DedupePolicy(window=timedelta(minutes=30))
    first = decide(signal(SignalKind.NEGATIVE_SPIKE, at=START, score=0.6), None, policy)
    assert first.action is Action.OPEN
    again = decide(
        signal(SignalKind.NEGATIVE_SPIKE, at=START + timedelta(minutes=20), score=0.9),
        first.issue,
        policy,
    )
    assert again.action is Action.FOLD
    assert again.issue.signal_count == 2
    assert again.issue.max_score == 0.9
    assert again.issue.opened_at == START
    # the window counts from the last signal, so a steady stream stays one issue
    third = decide(
        signal(SignalKind.NEGATIVE_SPIKE, at=START + timedelta(minutes=45)), again.issue, policy
    )
    assert third.action is Action.FOLD
    later = decide(
        signal(SignalKind.NEGATIVE_SPIKE, at=START + timedelta(minutes=80)), third.issue, policy
    )
    assert later.action is Action.OPEN
    assert later.issue.opened_at == START + timedelta(minutes=80)


def test_out_of_order_signal_does_not_move_last_seen_back() -> None:
    policy = DedupePolicy()
    issue = decide(signal(SignalKind.KEYWORD, at=START + timedelta(minutes=10)), None, policy).issue
    folded = decide(signal(SignalKind.KEYWORD, at=START), issue, policy)
    assert folded.action is Action.FOLD
    assert folded.issue.last_seen_at == START + timedelta(minutes=10)


def test_snoozed_issue_records_but_does_not_reopen_until_the_snooze_ends() -> None:
    policy = DedupePolicy(window=timedelta(minutes=10))
    issue = decide(signal(SignalKind.VOLUME_SPIKE, at=START), None, policy).issue
    issue = snooze(issue, START + timedelta(hours=2))
    quiet = decide(signal(SignalKind.VOLUME_SPIKE, at=START + timedelta(hours=1)), issue, policy)
    assert quiet.action is Action.SNOOZED
    assert quiet.issue.signal_count == 2
    after = decide(
        signal(SignalKind.VOLUME_SPIKE, at=START + timedelta(hours=3)), quiet.issue, policy
    )
    assert after.action is Action.OPEN


def test_issue_of_another_fingerprint_is_refused() -> None:
    issue = IssueState(
        fingerprint=fingerprint("t1", "duinzorg", "keyword"), opened_at=START, last_seen_at=START
    )
    with pytest.raises(ValueError, match="another fingerprint"):
        decide(signal(SignalKind.NEGATIVE_SPIKE), issue, DedupePolicy())

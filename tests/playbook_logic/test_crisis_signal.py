"""The crisis-signal channel: mentions the sentiment service marks with the crisis-signal intent."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from services.playbook.detection import DetectorConfig, SignalKind, TopicDetector
from services.playbook.detection.engine import STATE_VERSION
from services.playbook.detection.model import CRISIS_INTENT, ScoredMention
from tests.playbook_logic.helpers import (
    FIRST_BUCKET,
    F,
    at_minute,
    minute_index,
    seasonal_series,
    signal,
)

CRISIS_SIGNAL = SignalKind.CRISIS_SIGNAL.value


def background(weeks: int, seed: int = 3) -> tuple[F, F, F]:
    """(total, negative, crisis-signal): a busy topic whose negatives name a crisis 2-8% of the
    time, the share varying from day to day."""
    total, negative = seasonal_series(weeks=weeks, peak=20.0, share=0.2, seed=seed)
    rng = np.random.default_rng(seed + 100)
    day_share = np.repeat(0.04 * rng.lognormal(0.0, 0.35, weeks * 7), 1440)
    crisis = rng.binomial(negative.astype(np.int64), np.clip(day_share, 0, 0.5))
    return total, negative, crisis.astype(np.float64)


def slow_burn(
    total: F, negative: F, crisis: F, onset: int, q: float, peak: float = 15.0, seed: int = 4
) -> None:
    """Add a crisis that grows linearly to ``peak`` extra mentions a minute over 40 minutes, 85%
    negative, a share ``q`` of the negatives naming it (in place)."""
    rng = np.random.default_rng(seed)
    t = np.arange(180, dtype=np.float64)
    add = rng.poisson(peak * np.minimum(1.0, (t + 1) / 40.0))
    neg = rng.binomial(add, 0.85)
    total[onset : onset + 180] += add
    negative[onset : onset + 180] += neg
    crisis[onset : onset + 180] += rng.binomial(neg, q)


def _first(alerts: list[str], names: set[str], start: int) -> int | None:
    hits = [i for i, a in enumerate(alerts[start:], start) if a in names]
    return hits[0] if hits else None


def test_background_crisis_signals_and_a_match_do_not_alert() -> None:
    total, negative, crisis = background(weeks=3)
    onset = minute_index(day=17, hour=19)
    rng = np.random.default_rng(5)
    extra = rng.poisson(60.0, 110)  # a football match, a "boycot" joke in 1% of its mentions
    total[onset : onset + 110] += extra
    negative[onset : onset + 110] += rng.binomial(extra, 0.08)
    crisis[onset : onset + 110] += rng.binomial(extra, 0.01)
    res = TopicDetector(DetectorConfig(), "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    fired = [s for s in res.signals if s.kind is SignalKind.CRISIS_SIGNAL]
    assert fired == []
    assert res.alert[onset : onset + 110].count(SignalKind.VOLUME_SPIKE.value) > 0


def test_a_slow_burn_that_names_itself_is_found_within_ten_minutes() -> None:
    total, negative, crisis = background(weeks=3)
    onset = minute_index(day=16, hour=11)
    slow_burn(total, negative, crisis, onset, q=0.6, peak=20.0)  # 1.3x the topic's rate
    config = DetectorConfig()

    counts = TopicDetector(config, "t1", "x").score_counts(FIRST_BUCKET, total, negative)
    found = _first(counts.alert, {"negative_spike", "negative_share"}, onset)
    assert found is None or found - onset >= 10  # the counts alone are too late for this one

    res = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    first = _first(res.alert, {CRISIS_SIGNAL}, onset)
    assert first is not None and first - onset < 10
    assert _first(res.alert, {CRISIS_SIGNAL}, 2 * 1440) == first  # nothing before it
    sig = next(s for s in res.signals if s.kind is SignalKind.CRISIS_SIGNAL)
    assert sig.is_crisis and sig.score >= 0.5
    assert sig.evidence.observed > 3 * (sig.evidence.expected or 0.0)
    assert "naming a crisis" in sig.evidence.why


def test_the_counts_detectors_do_not_change_with_the_crisis_series() -> None:
    total, negative, crisis = background(weeks=2, seed=8)
    slow_burn(total, negative, crisis, minute_index(day=10, hour=14), q=0.5)
    config = DetectorConfig()
    without = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, collapse=False
    )
    with_ = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    assert [s for s in with_.signals if s.kind is not SignalKind.CRISIS_SIGNAL] == without.signals


def test_crisis_state_survives_json_and_streaming_equals_one_shot() -> None:
    total, negative, crisis = background(weeks=2, seed=9)
    slow_burn(total, negative, crisis, minute_index(day=11, hour=10), q=0.5)
    config = DetectorConfig()
    one = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    assert any(s.kind is SignalKind.CRISIS_SIGNAL for s in one.signals)

    det = TopicDetector(config, "t1", "x")
    scores: list[float] = []
    alerts: list[str] = []
    cuts = [0, 7, 500, 1441, 5000, 15900, 15905, len(total)]
    for a, b in itertools.pairwise(cuts):
        det = TopicDetector.restore(config, "t1", "x", det.dump_state())
        res = det.score_counts(
            FIRST_BUCKET + a, total[a:b], negative[a:b], crisis=crisis[a:b], collapse=False
        )
        scores += res.score.tolist()
        alerts += res.alert
    np.testing.assert_allclose(scores, one.score, rtol=1e-9, atol=1e-12)
    assert alerts == one.alert
    state = json.loads(det.dump_state())
    assert state["version"] == STATE_VERSION == 3
    assert state["crisis"]["last_bucket"] == FIRST_BUCKET + len(total) - 1


def _crisis_mention(i: int, minute: int, category: str) -> ScoredMention:
    return ScoredMention(
        id=f"c{i}",
        created_at=at_minute(minute, i % 60),
        text="weer een storing",
        sentiment="negative",
        intents=(CRISIS_INTENT, "complaint"),
        crisis_categories=(category,),
    )


def test_mentions_with_the_intent_are_counted_and_named_in_the_evidence() -> None:
    total, negative, crisis = background(weeks=2, seed=11)
    config = DetectorConfig()
    det = TopicDetector(config, "t1", "x")
    end = minute_index(day=13, hour=12)
    det.score_counts(FIRST_BUCKET, total[:end], negative[:end], crisis=crisis[:end])
    det = TopicDetector.restore(config, "t1", "x", det.dump_state())

    batch = [_crisis_mention(i, end, "outage") for i in range(8)]
    batch += [_crisis_mention(8, end, "data_leak")]
    batch += [
        ScoredMention(id=f"n{i}", created_at=at_minute(end, i), sentiment="neutral")
        for i in range(10)
    ]
    assert det.process_batch(batch, now=at_minute(end, 59)) != []  # the keyword rule fires
    state = det.state()
    assert state.open_crisis == {FIRST_BUCKET + end: 9}
    assert state.open_minutes[FIRST_BUCKET + end][:2] == (19, 9)
    det = TopicDetector.restore(config, "t1", "x", det.dump_state())

    signals = det.advance(at_minute(end + 2))
    (sig,) = [s for s in signals if s.kind is SignalKind.CRISIS_SIGNAL]
    assert sig.evidence.keywords == ("outage", "data_leak")
    assert set(sig.evidence.mention_ids) == {f"c{i}" for i in range(9)}
    assert "outage 8" in sig.evidence.why
    assert 0 < (sig.evidence.observed_share or 0) <= 1 and sig.evidence.baseline_share is None
    assert det.state().open_crisis == {}


def test_a_version_1_state_restores_and_starts_the_crisis_series() -> None:
    total, negative, crisis = background(weeks=1, seed=12)
    config = DetectorConfig()
    det = TopicDetector(config, "t1", "x")
    det.score_counts(FIRST_BUCKET, total[:5000], negative[:5000])
    old = json.loads(det.dump_state())
    old["version"] = 1
    open_minute = str(FIRST_BUCKET + 5000)
    old["open_minutes"] = {open_minute: [3, 1, 0.5]}
    for key in ("crisis", "open_crisis", "crisis_recent"):
        del old[key]

    restored = TopicDetector.restore(config, "t1", "x", json.dumps(old))
    fresh = restored.state()
    assert fresh.total == det.state().total
    assert fresh.crisis is not None and fresh.crisis.last_bucket is None
    restored.advance(at_minute(5003))  # the v1 open minute closes with no crisis count
    state = restored.state()
    assert state.version == STATE_VERSION
    assert state.crisis is not None and state.crisis.last_bucket == FIRST_BUCKET + 5001
    assert state.crisis.recent[-2:] == [0.0, 0.0]
    res = restored.score_counts(
        FIRST_BUCKET + 5002, total[5002:], negative[5002:], crisis=crisis[5002:]
    )
    assert len(res.score) == len(total) - 5002


def test_an_unknown_state_version_is_refused() -> None:
    state = json.loads(TopicDetector(DetectorConfig(), "t1", "x").dump_state())
    state["version"] = 99
    with pytest.raises(ValueError, match="version 99"):
        TopicDetector.restore(DetectorConfig(), "t1", "x", json.dumps(state))


@pytest.mark.parametrize(
    ("categories", "playbook_id"),
    [
        (("outage",), "storing"),
        (("data_leak",), "datalek"),
        (("safety",), "terugroepactie"),
        (("boycott",), "campaign_backlash"),
    ],
)
def test_library_playbooks_open_on_a_crisis_signal_of_their_category(
    categories: tuple[str, ...], playbook_id: str
) -> None:
    from services.playbook.playbooks import evaluate_trigger, load_library

    sig = signal(SignalKind.CRISIS_SIGNAL, keywords=categories, observed=12.0)
    opened = {p.id for p in load_library() if evaluate_trigger(p, [sig])}
    assert playbook_id in opened
    assert len(opened) == 1  # the category picks the playbook

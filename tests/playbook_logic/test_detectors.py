"""Spike, share and trigger detectors on generated series and mentions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest

from services.playbook.detection import (
    DetectorConfig,
    MinuteCounts,
    SignalKind,
    TopicDetector,
)
from tests.playbook_logic.helpers import (
    FIRST_BUCKET,
    START,
    at_minute,
    mention,
    minute_index,
    seasonal_series,
)

CRISIS = {SignalKind.NEGATIVE_SPIKE.value, SignalKind.NEGATIVE_SHARE.value}


def _alert_minutes(alerts: list[str], names: set[str]) -> list[int]:
    return [i for i, a in enumerate(alerts) if a in names]


def test_negative_wave_is_found_within_minutes_and_quiet_weeks_stay_quiet() -> None:
    total, negative = seasonal_series(weeks=3, peak=10.0, share=0.2)
    onset = minute_index(day=16, hour=11)
    total[onset : onset + 60] += 12
    negative[onset : onset + 60] += 10
    det = TopicDetector(DetectorConfig(), "t1", "duinzorg")
    res = det.score_counts(FIRST_BUCKET, total, negative)

    crisis_minutes = _alert_minutes(res.alert, CRISIS)
    first = min(m for m in crisis_minutes if m >= onset)
    assert first - onset < 5
    false = [m for m in crisis_minutes if m < onset and m >= 2 * 1440]
    assert len(false) <= 2
    assert res.score[first] >= 0.5
    assert all(0.0 <= s <= 1.0 for s in res.score)


def test_positive_burst_is_a_volume_spike_not_a_crisis() -> None:
    total, negative = seasonal_series(weeks=3, peak=10.0, share=0.2)
    onset = minute_index(day=17, hour=19)
    rng = np.random.default_rng(5)
    extra = rng.poisson(40.0, 110).astype(np.float64)  # a football match
    total[onset : onset + 110] += extra
    negative[onset : onset + 110] += rng.binomial(extra.astype(np.int64), 0.05)
    det = TopicDetector(DetectorConfig(), "t1", "duinzorg")
    res = det.score_counts(FIRST_BUCKET, total, negative, collapse=False)

    during = res.alert[onset : onset + 110]
    assert during.count(SignalKind.VOLUME_SPIKE.value) > 10
    assert not set(during) & CRISIS
    burst_signals = [
        s for s in res.signals if onset <= int(s.at.timestamp() // 60) - FIRST_BUCKET <= onset + 110
    ]
    assert {s.kind for s in burst_signals} == {SignalKind.VOLUME_SPIKE}


def test_low_counts_need_a_real_excess_and_the_minimum_count() -> None:
    # a topic with about one mention an hour at night
    total, negative = seasonal_series(weeks=3, peak=0.3, share=0.3, seed=3)
    night = minute_index(day=17, hour=3)
    single = total.copy(), negative.copy()
    single[0][night] += 1
    single[1][night] += 1
    det = TopicDetector(DetectorConfig(), "t1", "small")
    res = det.score_counts(FIRST_BUCKET, *single)
    assert res.alert[night] == ""  # one odd mention at night is no crisis

    four = total.copy(), negative.copy()
    four[0][night : night + 2] += 2
    four[1][night : night + 2] += 2  # four negatives: below the minimum count of 5
    res = TopicDetector(DetectorConfig(), "t1", "small").score_counts(FIRST_BUCKET, *four)
    assert not set(res.alert[night : night + 2]) & CRISIS

    wave = total.copy(), negative.copy()
    wave[0][night : night + 3] += 3
    wave[1][night : night + 3] += 3
    res = TopicDetector(DetectorConfig(), "t1", "small").score_counts(FIRST_BUCKET, *wave)
    assert set(res.alert[night : night + 3]) & CRISIS
    sig = next(s for s in res.signals if s.kind is SignalKind.NEGATIVE_SPIKE)
    assert sig.evidence.expected is not None and sig.evidence.expected < 1.0
    assert sig.evidence.p_value is not None and sig.evidence.p_value < 1e-6
    assert "expected for this hour and weekday" in sig.evidence.why


def test_state_survives_json_and_streaming_equals_one_shot() -> None:
    total, negative = seasonal_series(weeks=2, peak=5.0, share=0.2, seed=9)
    config = DetectorConfig()
    one = TopicDetector(config, "t1", "x").score_counts(FIRST_BUCKET, total, negative)

    det = TopicDetector(config, "t1", "x")
    scores: list[float] = []
    alerts: list[str] = []
    cuts = [0, 7, 500, 1441, 5000, 9000, len(total)]
    for a, b in itertools.pairwise(cuts):
        det = TopicDetector.restore(config, "t1", "x", det.dump_state())
        res = det.score_counts(FIRST_BUCKET + a, total[a:b], negative[a:b])
        scores += res.score.tolist()
        alerts += res.alert
    np.testing.assert_allclose(scores, one.score, rtol=1e-9, atol=1e-12)
    assert alerts == one.alert
    restored = TopicDetector.restore(config, "t1", "x", det.dump_state())
    assert restored.state() == det.state()


def test_mentions_are_counted_per_minute_and_quiet_minutes_close_as_zeros() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    batch = [mention(i, at_minute(0, 5 * i)) for i in range(6)]  # 6 in minute 0
    batch += [mention(10, at_minute(1, 3), sentiment="negative", risk=0.4)]
    det.process_batch(batch, now=at_minute(1, 30))
    state = det.state()
    total, negative, risk = state.open_minutes[FIRST_BUCKET]
    assert (total, negative) == (6, 0)
    assert risk == pytest.approx(0.6)
    assert state.open_minutes[FIRST_BUCKET + 1][:2] == (1, 1)
    assert state.open_minutes[FIRST_BUCKET + 1][2] == pytest.approx(0.4)
    assert state.closed_through == FIRST_BUCKET - 1  # minute 0 closes 60 s after its end

    det.advance(at_minute(5))  # minutes 0..3 close (grace 60 s), 2 and 3 as zeros
    state = det.state()
    assert state.closed_through == FIRST_BUCKET + 3
    assert state.open_minutes == {}
    assert state.total.last_bucket == FIRST_BUCKET + 3
    assert state.total.recent[-4:] == [6.0, 1.0, 0.0, 0.0]
    assert state.negative.recent[-4:] == [0.0, 1.0, 0.0, 0.0]

    det.process_batch([mention(20, at_minute(2))], now=at_minute(5))
    assert det.state().late_mentions == 1


def test_observe_counts_accepts_minute_counts() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    counts = [MinuteCounts(START + timedelta(minutes=m), total=3, negative=1) for m in range(90)]
    assert det.observe_counts(counts) == []  # no baseline yet: nothing to compare with
    assert det.state().total.last_bucket == FIRST_BUCKET + 89


def test_keyword_rule_counts_phrases_in_any_language_within_its_window() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    first = det.process_batch(
        [mention(1, at_minute(0), "Is er een DATALEK bij jullie?")], now=at_minute(0, 30)
    )
    assert not [s for s in first if s.kind is SignalKind.KEYWORD]  # data_breach needs 2
    second = det.process_batch(
        [mention(2, at_minute(3), "Massive data breach at Duinzorg", language="en")],
        now=at_minute(3, 30),
    )
    (kw,) = [s for s in second if s.kind is SignalKind.KEYWORD]
    assert kw.detector == "data_breach"
    assert set(kw.evidence.keywords) == {"datalek", "data breach"}
    assert kw.evidence.mention_ids == ("m1", "m2")

    late = det.process_batch([mention(3, at_minute(30), "nog een datalek")], now=at_minute(30, 30))
    assert not [s for s in late if s.kind is SignalKind.KEYWORD]  # the first two fell out


def test_keyword_inflections_match_but_not_across_languages() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    dutch = [
        mention(i, at_minute(0, i), "Weer storingen bij de app", sentiment="negative")
        for i in range(5)
    ]
    english = [
        mention(10 + i, at_minute(0, 10 + i), "storing data in the cloud", language="en")
        for i in range(5)
    ]
    signals = det.process_batch(english, now=at_minute(0, 30))
    assert not [s for s in signals if s.kind is SignalKind.KEYWORD]
    signals = det.process_batch(dutch, now=at_minute(0, 40))
    assert [s.detector for s in signals if s.kind is SignalKind.KEYWORD] == ["outage_nl"]


def test_stakeholder_followers_and_risk_triggers() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    batch = [
        mention(1, at_minute(0), "Slechte service", sentiment="negative", stakeholder="media"),
        mention(2, at_minute(0), "Hmm", sentiment="neutral", followers=250_000),
        mention(3, at_minute(0), "Gevaarlijk product", sentiment="negative", risk=0.93),
        mention(4, at_minute(0), "Klopt het dat er een datalek is?", stakeholder="media"),
        mention(5, at_minute(0), "Leuk!", sentiment="positive", stakeholder="analyst"),
    ]
    by_rule = {s.detector: s for s in det.process_batch(batch, now=at_minute(0, 10))}
    assert by_rule["press_or_markets_negative"].evidence.mention_ids == ("m1",)
    assert by_rule["press_inquiry"].evidence.mention_ids == ("m4",)
    assert by_rule["press_inquiry"].evidence.keywords == ("datalek",)
    assert by_rule["large_account"].kind is SignalKind.FOLLOWERS
    assert by_rule["large_account"].evidence.max_followers == 250_000
    assert by_rule["high_risk_mention"].evidence.mention_ids == ("m3",)
    assert by_rule["high_risk_mention"].score > 0.9


def test_risk_weighted_spike_fires_when_risk_rises_at_steady_volume() -> None:
    total, negative = seasonal_series(weeks=3, peak=10.0, share=0.2, seed=12)
    risk = total * 0.1  # ordinary mentions carry little risk
    onset = minute_index(day=17, hour=14)
    risk[onset : onset + 20] = total[onset : onset + 20] * 0.8  # same volume, riskier authors
    det = TopicDetector(DetectorConfig(), "t1", "x")
    res = det.score_counts(FIRST_BUCKET, total, negative, risk=risk)
    assert SignalKind.RISK_SPIKE.value in res.alert[onset : onset + 5]
    assert not set(res.alert[onset : onset + 20]) & {SignalKind.VOLUME_SPIKE.value}
    (sig,) = [s for s in res.signals if s.kind is SignalKind.RISK_SPIKE]
    assert sig.is_crisis
    assert "risk-weighted" in sig.evidence.why
    assert det.state().risk is not None


def test_a_first_mention_from_long_ago_does_not_replay_weeks_of_minutes() -> None:
    det = TopicDetector(DetectorConfig(), "t1", "x")
    det.process_batch([mention(1, at_minute(0))], now=at_minute(60 * 24 * 30))
    state = det.state()
    assert state.late_mentions == 1
    assert state.closed_through == FIRST_BUCKET + 60 * 24 * 30 - 2
    assert state.total.recent == [0.0] * 14


def test_fisher_two_is_the_chi2_tail_of_the_combined_evidence() -> None:
    from scipy import stats

    from services.playbook.detection.stats import fisher_two

    p1 = np.array([1e-6, 1e-3, 0.5, 1.0, 1e-200])
    p2 = np.array([1e-3, 1e-3, 0.5, 1.0, 1e-200])
    expected = stats.chi2.sf(-2.0 * np.log(p1 * np.maximum(p2, 1e-300 / p1)), 4)
    np.testing.assert_allclose(fisher_two(p1[:4], p2[:4]), expected[:4], rtol=1e-9)
    assert 0.0 <= fisher_two(p1, p2)[4] < 1e-290


def test_a_slow_burn_is_found_earlier_by_count_and_share_together() -> None:
    total, negative = seasonal_series(weeks=3, peak=10.0, share=0.2, seed=4)
    onset = minute_index(day=16, hour=13)
    rng = np.random.default_rng(4)
    extra = rng.poisson(6.0 * np.minimum(1.0, (np.arange(60.0) + 1) / 30.0))  # a 30-minute ramp
    total[onset : onset + 60] += extra
    negative[onset : onset + 60] += rng.binomial(extra, 0.85)

    def first_crisis_minute(config: DetectorConfig) -> int:
        res = TopicDetector(config, "t1", "x").score_counts(FIRST_BUCKET, total, negative)
        return min(m for m in _alert_minutes(res.alert, CRISIS) if m >= onset) - onset

    alone = first_crisis_minute(DetectorConfig(combined_p=0.0))  # the count alone must convince
    together = first_crisis_minute(DetectorConfig())
    assert together < 10 <= alone

    config = DetectorConfig()
    res = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total[: onset + together + 1], negative[: onset + together + 1]
    )
    (sig,) = [s for s in res.signals if s.kind is SignalKind.NEGATIVE_SPIKE]
    assert sig.evidence.p_value is not None and sig.evidence.p_value < config.combined_p
    assert 0.5 <= sig.score <= 1.0  # 0.5 at the rule's own threshold, as for the count alone


def test_volume_and_negative_windows_must_pair() -> None:
    from pydantic import ValidationError

    from services.playbook.detection import SpikeConfig

    with pytest.raises(ValidationError):
        DetectorConfig(negative=SpikeConfig(windows=(1, 5, 10)))

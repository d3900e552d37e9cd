"""The crisis-signal series per crisis category: a rare category stands out of an everyday one."""

from __future__ import annotations

import itertools
import json

import numpy as np

from services.playbook.detection import DetectorConfig, MinuteCounts, SignalKind, TopicDetector
from services.playbook.detection.categories import CategoryConfig
from services.playbook.detection.engine import STATE_VERSION
from services.playbook.detection.model import CRISIS_INTENT, ScoredMention
from tests.playbook_logic.helpers import FIRST_BUCKET, F, at_minute, minute_index, seasonal_series
from tests.playbook_logic.test_crisis_signal import background

CRISIS_SIGNAL = SignalKind.CRISIS_SIGNAL.value


def split(crisis: F, seed: int, outage: float = 0.85) -> dict[str, F]:
    """The background's crisis signals: mostly outages, some fraud, a rare lawsuit."""
    rng = np.random.default_rng(seed)
    n = crisis.astype(np.int64)
    parts = rng.multinomial(n, [outage, 0.97 - outage, 0.03]).T.astype(np.float64)
    return {"outage": parts[0], "fraud": parts[1], "lawsuit": parts[2]}


def leak(
    total: F, negative: F, crisis: F, cats: dict[str, F], onset: int, peak: float, seed: int = 4
) -> None:
    """A slow burn (linear to ``peak`` extra mentions a minute over 40 minutes, 85% negative),
    40% of its negatives naming it, 90% of those as a data leak, the rest as an outage."""
    rng = np.random.default_rng(seed)
    t = np.arange(180, dtype=np.float64)
    add = rng.poisson(peak * np.minimum(1.0, (t + 1) / 40.0))
    neg = rng.binomial(add, 0.85)
    named = rng.binomial(neg, 0.4)
    as_leak = rng.binomial(named, 0.9)
    span = slice(onset, onset + 180)
    total[span] += add
    negative[span] += neg
    crisis[span] += named
    cats.setdefault("data_leak", np.zeros(len(total)))[span] += as_leak
    cats["outage"][span] += named - as_leak


def _first(alerts: list[str], start: int) -> int | None:
    hits = [i for i, a in enumerate(alerts[start:], start) if a == CRISIS_SIGNAL]
    return hits[0] if hits else None


def test_a_data_leak_in_a_background_of_outages_is_found_and_the_background_is_not() -> None:
    total, negative, crisis = background(weeks=3)
    cats = split(crisis, seed=21)
    onset = minute_index(day=16, hour=11)
    leak(total, negative, crisis, cats, onset, peak=8.0)
    config = DetectorConfig()

    # the total crisis-signal series alone: the outages' ups and downs hide it for long
    alone = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    late = _first(alone.alert, onset)
    assert late is None or late - onset >= 10

    res = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, categories=cats, collapse=False
    )
    first = _first(res.alert, onset)
    assert first is not None and first - onset < 10
    assert _first(res.alert, 2 * 1440) == first  # three weeks of outage background: nothing
    sig = next(
        s
        for s in res.signals
        if s.kind is SignalKind.CRISIS_SIGNAL and s.at == at_minute(first + 1)
    )
    assert sig.evidence.keywords[:1] == ("data_leak",)
    assert "of category data_leak" in sig.evidence.why
    assert sig.evidence.observed >= 3 and sig.evidence.observed > 10 * (sig.evidence.expected or 0)
    assert sig.score >= 0.5 and sig.is_crisis


def test_an_outage_day_and_a_match_full_of_boycott_jokes_do_not_alert() -> None:
    total, negative, crisis = background(weeks=3, seed=5)
    cats = split(crisis, seed=22)
    day = slice(minute_index(day=15, hour=0), minute_index(day=16, hour=0))
    rng = np.random.default_rng(23)
    extra = rng.binomial(negative[day].astype(np.int64), 0.04)  # outages named twice as often
    crisis[day] += extra
    cats["outage"][day] += extra
    onset = minute_index(day=17, hour=19)
    jokes = np.zeros(len(total))
    match = rng.poisson(60.0, 110)
    total[onset : onset + 110] += match
    negative[onset : onset + 110] += rng.binomial(match, 0.08)
    jokes[onset : onset + 110] = rng.binomial(match, 0.01)  # every one a "boycot" joke
    crisis += jokes
    cats["boycott"] = jokes
    res = TopicDetector(DetectorConfig(), "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, categories=cats, collapse=False
    )
    assert [s for s in res.signals if s.kind is SignalKind.CRISIS_SIGNAL] == []
    assert jokes.sum() >= 40  # the jokes were there, many more than the background's boycotts


def test_switched_off_or_without_categories_the_detector_is_as_before() -> None:
    total, negative, crisis = background(weeks=2, seed=8)
    cats = split(crisis, seed=24)
    leak(total, negative, crisis, cats, minute_index(day=10, hour=14), peak=8.0)
    before = TopicDetector(DetectorConfig(), "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, collapse=False
    )
    off = DetectorConfig(categories=CategoryConfig(enabled=False))
    switched_off = TopicDetector(off, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, categories=cats, collapse=False
    )
    assert switched_off.signals == before.signals
    on = TopicDetector(DetectorConfig(), "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, categories=cats, collapse=False
    )
    others = [s for s in on.signals if s.kind is not SignalKind.CRISIS_SIGNAL]
    assert others == [s for s in before.signals if s.kind is not SignalKind.CRISIS_SIGNAL]


def test_category_state_survives_json_and_streaming_equals_one_shot() -> None:
    total, negative, crisis = background(weeks=2, seed=9)
    cats = split(crisis, seed=25)
    leak(total, negative, crisis, cats, minute_index(day=11, hour=10), peak=8.0)
    config = DetectorConfig()
    one = TopicDetector(config, "t1", "x").score_counts(
        FIRST_BUCKET, total, negative, crisis=crisis, categories=cats, collapse=False
    )
    assert any("data_leak" in s.evidence.why for s in one.signals)

    det = TopicDetector(config, "t1", "x")
    scores: list[float] = []
    alerts: list[str] = []
    cuts = [0, 7, 500, 1441, 5000, 15900, 15905, 15906, len(total)]
    for a, b in itertools.pairwise(cuts):
        det = TopicDetector.restore(config, "t1", "x", det.dump_state())
        res = det.score_counts(
            FIRST_BUCKET + a,
            total[a:b],
            negative[a:b],
            crisis=crisis[a:b],
            categories={k: v[a:b] for k, v in cats.items()},
            collapse=False,
        )
        scores += res.score.tolist()
        alerts += res.alert
    np.testing.assert_allclose(scores, one.score, rtol=1e-9, atol=1e-12)
    assert alerts == one.alert
    state = json.loads(det.dump_state())
    assert state["version"] == STATE_VERSION == 3
    assert state["categories"]["last_bucket"] == FIRST_BUCKET + len(total) - 1
    assert state["categories"]["names"][:2] == ["data_leak", "outage"]
    assert state["categories"]["hours"] == len(total) // 60 - 1  # the last hour is still open


def test_a_version_2_state_restores_and_starts_the_category_series() -> None:
    total, negative, crisis = background(weeks=1, seed=12)
    config = DetectorConfig()
    det = TopicDetector(config, "t1", "x")
    det.score_counts(FIRST_BUCKET, total[:5000], negative[:5000], crisis=crisis[:5000])
    old = json.loads(det.dump_state())
    old["version"] = 2
    del old["categories"]
    restored = TopicDetector.restore(config, "t1", "x", json.dumps(old))
    assert restored.state().crisis == det.state().crisis
    cats = split(crisis, seed=26)
    restored.score_counts(
        FIRST_BUCKET + 5000,
        total[5000:],
        negative[5000:],
        crisis=crisis[5000:],
        categories={k: v[5000:] for k, v in cats.items()},
    )
    state = restored.state()
    assert state.version == STATE_VERSION
    assert state.categories is not None and state.categories.last_bucket == FIRST_BUCKET + 10079
    assert state.categories.hours >= 24  # learnt since the restore, scored from now on


def _warm(seed: int) -> tuple[TopicDetector, int]:
    total, negative, crisis = background(weeks=2, seed=seed)
    cats = split(crisis, seed=seed + 1)
    end = minute_index(day=13, hour=12)
    det = TopicDetector(DetectorConfig(), "t1", "x")
    det.score_counts(
        FIRST_BUCKET,
        total[:end],
        negative[:end],
        crisis=crisis[:end],
        categories={k: v[:end] for k, v in cats.items()},
    )
    return TopicDetector.restore(det.config, "t1", "x", det.dump_state()), end


def _mention(i: int, minute: int, categories: tuple[str, ...]) -> ScoredMention:
    return ScoredMention(
        id=f"c{i}",
        created_at=at_minute(minute, (7 * i) % 60),
        text="",
        sentiment="negative",
        intents=(CRISIS_INTENT,),
        crisis_categories=categories,
    )


def test_mentions_are_counted_per_category_and_the_category_leads_the_evidence() -> None:
    det, end = _warm(seed=30)
    batch = [_mention(i, end, ("data_leak",)) for i in range(4)]
    batch += [_mention(4, end, ("data_leak", "outage"))]  # counts in both
    batch += [_mention(i, end, ("outage",)) for i in range(5, 11)]
    batch += [
        ScoredMention(id=f"n{i}", created_at=at_minute(end, i), sentiment="neutral")
        for i in range(14)
    ]
    det.process_batch(batch, now=at_minute(end, 30))
    recent = det.state().crisis_recent[FIRST_BUCKET + end]
    assert recent.categories == {"data_leak": 5, "outage": 7}
    det = TopicDetector.restore(det.config, "t1", "x", det.dump_state())
    (sig,) = [s for s in det.advance(at_minute(end + 2)) if s.kind is SignalKind.CRISIS_SIGNAL]
    assert "of category data_leak" in sig.evidence.why
    assert sig.evidence.keywords == ("data_leak", "outage")  # the category that fired first
    assert sig.evidence.observed == 5 and sig.evidence.window_seconds == 60
    assert set(sig.evidence.mention_ids) == {f"c{i}" for i in range(11)}


def test_observe_counts_takes_the_categories_of_minute_counts() -> None:
    det, end = _warm(seed=31)
    counts = [
        MinuteCounts(
            at_minute(end + m),
            total=12,
            negative=5 if m < 3 else 2,
            crisis=2 if m < 3 else 0,
            crisis_categories={"data_leak": 2} if m < 3 else {},
        )
        for m in range(6)
    ]
    signals = det.observe_counts(counts)
    fired = [s for s in signals if s.kind is SignalKind.CRISIS_SIGNAL]
    assert fired and "of category data_leak" in fired[0].evidence.why
    det2, _ = _warm(seed=31)
    plain = [
        MinuteCounts(c.start, total=c.total, negative=c.negative, crisis=c.crisis) for c in counts
    ]
    assert [s for s in det2.observe_counts(plain) if s.kind is SignalKind.CRISIS_SIGNAL] == []


def test_two_mentions_of_a_rare_category_alert_when_they_are_negative() -> None:
    """Early on a quiet morning two negative mentions name a data leak in one minute: too few for
    any count alone, but the category (none a month) and the negatives together are telling."""
    total, negative = seasonal_series(weeks=3, peak=1.0, share=0.15, seed=40)
    rng = np.random.default_rng(41)
    crisis = rng.binomial(negative.astype(np.int64), 0.03).astype(np.float64)
    onset = minute_index(day=16, hour=6)
    crisis[onset - 30 : onset + 30] = 0.0  # no lawsuit mention near: the total sees only two

    def run(config: DetectorConfig, *, negative_too: bool) -> list[str]:
        leak = np.zeros(len(total))
        leak[onset] = 2.0
        res = TopicDetector(config, "t1", "x").score_counts(
            FIRST_BUCKET,
            total + leak,
            negative + leak if negative_too else negative,
            crisis=crisis + leak,
            categories={"lawsuit": crisis, "data_leak": leak},
            collapse=False,
        )
        return [s.evidence.why for s in res.signals if s.kind is SignalKind.CRISIS_SIGNAL]

    (why,) = run(DetectorConfig(), negative_too=True)
    assert why.startswith("2 mentions naming a crisis of category data_leak in the 1 minute(s)")
    assert run(DetectorConfig(), negative_too=False) == []
    stricter = DetectorConfig(categories=CategoryConfig(min_count_combined=3.0))
    assert run(stricter, negative_too=True) == []

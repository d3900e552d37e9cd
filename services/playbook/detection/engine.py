"""One tenant + topic: minute counts, the spike and share detectors, and the triggers.

Typical use in the playbook worker, per (tenant, topic) of a scored batch::

    detector = TopicDetector.restore(config, tenant, topic, stored_json)   # or TopicDetector(...)
    signals = detector.process_batch(mentions, now=utcnow())
    stored_json = detector.dump_state()                                    # persist with the batch

and from a periodic job ``detector.advance(now)`` so quiet minutes count as zeros.

Per minute the detector counts four series: all mentions, negative ones, the sum of risk, and the
mentions the sentiment service marked with the crisis-signal intent (they name a leak, an
outage, a recall, fraud, a lawsuit, a boycott or a safety issue). Each has its own seasonal
baseline (:mod:`baseline`). The crisis-signal series is what tells a crisis from a busy day early:
a slow burn adds few mentions in its first minutes, but a fair share of them say what is wrong,
and outside crises such mentions are rare (a few per cent of the negatives). The same mentions are
also counted per crisis category (:mod:`categories`): a telecom hears of outages daily but rarely
of a data leak, so the data-leak series has a far lower background and a leak stands out sooner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.playbook.detection.baseline import (
    SeriesDetector,
    SeriesState,
    SpikeConfig,
    WindowScores,
)
from services.playbook.detection.categories import (
    CategoryConfig,
    CategoryDetector,
    CategoryScores,
    CategoryState,
)
from services.playbook.detection.model import (
    CRISIS_INTENT,
    Evidence,
    MentionLike,
    MinuteCounts,
    Signal,
    SignalKind,
    utc_from_epoch,
)
from services.playbook.detection.stats import (
    FloatArray,
    IntArray,
    anomaly_score,
    binomial_upper_tail,
    fisher_two,
)
from services.playbook.detection.triggers import (
    DEFAULT_KEYWORD_RULES,
    DEFAULT_STAKEHOLDER_RULES,
    KeywordHits,
    KeywordMatcher,
    KeywordRule,
    StakeholderRule,
    keyword_signals,
    stakeholder_signals,
)

STATE_VERSION = 3
#: State versions :meth:`TopicDetector.restore` still reads (version 1 had no crisis-signal series,
#: version 2 no per-category series; those detectors then start learning from the restore on).
READABLE_STATE_VERSIONS = frozenset({1, 2, 3})
MAX_CRISIS_IDS = 20
SHARE_PRIOR_MENTIONS = 3.0
CRISIS_PRIOR_SHARE = 0.01  # crisis-signal mentions per mention, before the topic taught us its own
MAX_BACKFILL_SECONDS = 2 * 86400


class ShareConfig(BaseModel):
    """The negative-share detector: the share of negative mentions jumps in a window."""

    model_config = ConfigDict(frozen=True)

    min_negative: int = Field(default=8, description="negatives a window needs")
    min_jump: float = Field(default=0.2, description="share minus baseline share, at least")
    margin: float = Field(default=0.1, description="tested against baseline share + margin")
    p_alert: float = 1e-6


class DetectorConfig(BaseModel):
    """Everything tunable for one topic. The defaults are what ``bench/detection.py`` measures."""

    model_config = ConfigDict(frozen=True)

    bucket_seconds: int = 60
    grace_seconds: int = Field(default=60, description="a minute closes this long after its end")
    volume: SpikeConfig = SpikeConfig()
    negative: SpikeConfig = SpikeConfig(min_count=5, p_alert=1e-6)
    negative_confirm_p: float = Field(
        default=1e-3,
        description="a negative spike also needs its share of negatives to be this unlikely "
        "under the baseline share (binomial), so volume bursts that are not negative pass",
    )
    combined_p: float = Field(
        default=3e-9,
        ge=0,
        lt=1,
        description="a negative spike also fires when Fisher's combination of the count's and the "
        "share's tail probabilities is below this (each below combined_each_p). The two are "
        "positively correlated under no crisis, so the combined p is optimistic: this is set "
        "well below negative.p_alert (tuned on bench/detection.py); 0 switches the rule off",
    )
    combined_each_p: float = Field(
        default=1e-2, gt=0, le=1, description="each of count and share must be this unusual"
    )
    share: ShareConfig = ShareConfig()
    risk: SpikeConfig = Field(
        default=SpikeConfig(min_count=3.0, min_ratio=2.0, p_alert=1e-6),
        description="the risk-weighted count (sum of per-mention risk); min_count in risk units",
    )
    crisis: SpikeConfig = Field(
        default=SpikeConfig(
            min_count=3.0, min_ratio=3.0, level_alpha=0.0, level_noise=0.35, p_alert=1e-5
        ),
        description="mentions with the crisis-signal intent: a low count with its own seasonal "
        "baseline (a telecom hears of a 'storing' daily, an insurer of a lawsuit rarely). An hour "
        "of it carries too little evidence to correct a level (mostly-zero hours drag a geometric "
        "mean down), so the level stays 1 and level_noise carries the day-to-day variation of "
        "its share (~35%). p_alert is looser than the other spikes' because the share "
        "confirmation (crisis_share_factor, crisis_confirm_p) must hold as well",
    )
    crisis_share_factor: float = Field(
        default=4.0,
        ge=1.0,
        description="the crisis-signal mentions must also be too many for this multiple of their "
        "usual share of all mentions (binomial, below crisis_confirm_p): a match or a campaign "
        "brings more of them without a crisis, and their background share varies from day to "
        "day and hour to hour (~35% each, so x4 is about 3 sd of the two together: a busy topic "
        "would otherwise alert on every unusually gloomy hour)",
    )
    crisis_confirm_p: float = Field(default=1e-3, gt=0, le=1)
    crisis_combined_p: float = Field(
        default=1e-5,
        ge=0,
        lt=1,
        description="the crisis-signal spike also fires when Fisher's combination of its tail "
        "probability and the negative count's (same window) is below this, each below "
        "crisis_each_p; 0 switches the rule off",
    )
    crisis_each_p: float = Field(default=1e-2, gt=0, le=1)
    categories: CategoryConfig = Field(
        default=CategoryConfig(),
        description="the crisis-signal mentions per crisis category (:mod:`categories`): a "
        "category's window fires the crisis-signal detector under the same rules and thresholds "
        "as the total (crisis.p_alert alone, crisis_combined_p with the negatives), its tail "
        "probability multiplied by the number of categories first (Bonferroni)",
    )
    keywords: tuple[KeywordRule, ...] = DEFAULT_KEYWORD_RULES
    stakeholders: tuple[StakeholderRule, ...] = DEFAULT_STAKEHOLDER_RULES

    @model_validator(mode="after")
    def _paired_windows(self) -> DetectorConfig:
        # the share and the confirmation pair the volume and negative windows one to one
        if not self.volume.windows == self.negative.windows == self.crisis.windows:
            raise ValueError("volume, negative and crisis windows must be the same")
        return self


class CrisisBucket(BaseModel):
    """Crisis-signal mentions of one recent bucket, for the evidence: categories and some ids."""

    categories: dict[str, int] = Field(default_factory=dict)
    ids: list[str] = Field(default_factory=list)


class TopicState(BaseModel):
    """What to persist per (tenant, topic): JSON via ``model_dump_json``.

    Version 2 added ``crisis``, ``open_crisis`` and ``crisis_recent``; a version-1 state restores
    with them empty. Version 3 added ``categories`` (the per-category crisis-signal series, whose
    counts come from ``crisis_recent``); an older state restores with it empty.
    """

    version: int = STATE_VERSION
    total: SeriesState
    negative: SeriesState
    risk: SeriesState | None = None
    crisis: SeriesState | None = None
    categories: CategoryState | None = None
    keyword_hits: dict[str, KeywordHits] = Field(default_factory=dict)
    open_minutes: dict[int, tuple[int, int, float]] = Field(
        default_factory=dict, description="bucket → (total, negative, risk) not yet closed"
    )
    open_crisis: dict[int, int] = Field(
        default_factory=dict, description="bucket → crisis-signal mentions, not yet closed"
    )
    crisis_recent: dict[int, CrisisBucket] = Field(
        default_factory=dict, description="open and recently closed buckets, for the evidence"
    )
    closed_through: int | None = Field(default=None, description="last bucket fed to the series")
    late_mentions: int = 0


@dataclass(frozen=True, slots=True)
class CountScores:
    """Per bucket: anomaly score in [0, 1] and the detector that fired ("" for none)."""

    first_bucket: int
    bucket_seconds: int
    total: FloatArray
    negative: FloatArray
    score: FloatArray
    alert: list[str]
    signals: list[Signal]


class TopicDetector:
    """Stateful detectors of one tenant and topic; see the module docstring."""

    def __init__(
        self,
        config: DetectorConfig,
        tenant: str,
        topic: str,
        state: TopicState | None = None,
    ) -> None:
        self.config = config
        self.tenant = tenant
        self.topic = topic
        bs = config.bucket_seconds
        if state is None:
            state = TopicState(
                total=SeriesState(bucket_seconds=bs), negative=SeriesState(bucket_seconds=bs)
            )
        if state.version not in READABLE_STATE_VERSIONS:
            raise ValueError(f"unknown detector state version {state.version}")
        if state.total.bucket_seconds != bs:
            raise ValueError("the state was built for another bucket size")
        self._total = SeriesDetector(config.volume, state.total)
        self._negative = SeriesDetector(config.negative, state.negative)
        self._risk = SeriesDetector(config.risk, state.risk or SeriesState(bucket_seconds=bs))
        self._crisis = SeriesDetector(config.crisis, state.crisis or SeriesState(bucket_seconds=bs))
        self._categories = CategoryDetector(
            config.categories, bs, state.categories or CategoryState()
        )
        self._open_crisis = dict(state.open_crisis)
        self._crisis_recent = {k: v.model_copy(deep=True) for k, v in state.crisis_recent.items()}
        self._hits = {k: v.model_copy(deep=True) for k, v in state.keyword_hits.items()}
        self._open = {k: list(v) for k, v in state.open_minutes.items()}
        self._closed_through = state.closed_through
        self._late = state.late_mentions
        self._matcher = KeywordMatcher(config.keywords)

    @classmethod
    def restore(
        cls, config: DetectorConfig, tenant: str, topic: str, state_json: str | bytes
    ) -> TopicDetector:
        return cls(config, tenant, topic, TopicState.model_validate_json(state_json))

    def state(self) -> TopicState:
        return TopicState(
            total=self._total.state(),
            negative=self._negative.state(),
            risk=self._risk.state(),
            crisis=self._crisis.state(),
            categories=self._categories.state(),
            keyword_hits={k: v.model_copy(deep=True) for k, v in self._hits.items()},
            open_minutes={k: (int(v[0]), int(v[1]), float(v[2])) for k, v in self._open.items()},
            open_crisis=dict(self._open_crisis),
            crisis_recent={k: v.model_copy(deep=True) for k, v in self._crisis_recent.items()},
            closed_through=self._closed_through,
            late_mentions=self._late,
        )

    def dump_state(self) -> str:
        return self.state().model_dump_json()

    # -- the mention path ----------------------------------------------------------------------

    def process_batch(self, mentions: Sequence[MentionLike], now: datetime) -> list[Signal]:
        """Count the batch into minutes, run the triggers on it, close finished minutes.

        Mentions of an already closed minute still run the triggers but no longer change the
        counts (``late_mentions`` counts them).
        """
        bs = self.config.bucket_seconds
        if mentions:
            stamps = np.fromiter((m.created_at.timestamp() for m in mentions), np.float64)
            negative = np.fromiter((m.sentiment == "negative" for m in mentions), np.bool_)
            risk = np.fromiter((m.risk for m in mentions), np.float64)
            crisis = np.fromiter((CRISIS_INTENT in m.intents for m in mentions), np.bool_)
            buckets = (stamps // bs).astype(np.int64)
            keep = np.ones(len(mentions), dtype=np.bool_)
            if self._closed_through is not None:
                keep = buckets > self._closed_through
                self._late += int((~keep).sum())
            for j in np.flatnonzero(crisis & keep).tolist():
                self._note_crisis(int(buckets[j]), mentions[j])
            if not keep.all():
                buckets, negative, risk = buckets[keep], negative[keep], risk[keep]
                crisis = crisis[keep]
            uniq, inv = np.unique(buckets, return_inverse=True)
            totals = np.bincount(inv, minlength=len(uniq))
            negs = np.bincount(inv, weights=negative.astype(np.float64), minlength=len(uniq))
            risks = np.bincount(inv, weights=risk, minlength=len(uniq))
            crises = np.bincount(inv, weights=crisis.astype(np.float64), minlength=len(uniq))
            for b, t, n, r, c in zip(
                uniq.tolist(),
                totals.tolist(),
                negs.tolist(),
                risks.tolist(),
                crises.tolist(),
                strict=True,
            ):
                row = self._open.setdefault(int(b), [0, 0, 0.0])
                row[0] += int(t)
                row[1] += round(n)
                row[2] += float(r)
                # every open bucket has a crisis count (0 too), so the series learns its zeros
                self._open_crisis[int(b)] = self._open_crisis.get(int(b), 0) + round(c)
        signals = keyword_signals(
            self._matcher, self._hits, mentions, tenant=self.tenant, topic=self.topic
        )
        signals += stakeholder_signals(
            self.config.stakeholders,
            mentions,
            tenant=self.tenant,
            topic=self.topic,
            matcher=self._matcher,
        )
        signals += self.advance(now)
        return signals

    def advance(self, now: datetime) -> list[Signal]:
        """Close every minute that ended more than ``grace_seconds`` ago (zeros where quiet)."""
        bs = self.config.bucket_seconds
        last_closable = int((now.timestamp() - self.config.grace_seconds) // bs) - 1
        if self._closed_through is None:
            if not self._open:
                return []
            self._closed_through = min(self._open) - 1
        if last_closable <= self._closed_through:
            return []
        # a first mention from long ago must not make us replay weeks of empty minutes
        first = max(self._closed_through + 1, last_closable - MAX_BACKFILL_SECONDS // bs + 1)
        n = last_closable - first + 1
        total = np.zeros(n)
        neg = np.zeros(n)
        risk = np.zeros(n)
        crisis = np.zeros(n)
        categories: dict[str, FloatArray] = {}
        for b in range(first, last_closable + 1):
            row = self._crisis_recent.get(b)
            if row is not None:
                for cat, c in row.categories.items():
                    categories.setdefault(cat, np.zeros(n))[b - first] = c
        for b in [b for b in self._open if b <= last_closable]:
            t, g, r = self._open.pop(b)
            c = self._open_crisis.pop(b, 0)
            if b >= first:
                total[b - first] = t
                neg[b - first] = g
                risk[b - first] = r
                crisis[b - first] = c
            else:
                self._late += int(t)
        self._closed_through = last_closable
        signals = self.score_counts(
            first, total, neg, risk=risk, crisis=crisis, categories=categories
        ).signals
        horizon = last_closable - max(self.config.crisis.windows)
        for b in [b for b in self._crisis_recent if b <= horizon]:
            del self._crisis_recent[b]
        return signals

    def _note_crisis(self, bucket: int, mention: MentionLike) -> None:
        """Remember a crisis-signal mention's categories and id for the evidence."""
        row = self._crisis_recent.get(bucket)
        if row is None:
            row = self._crisis_recent[bucket] = CrisisBucket()
        for cat in mention.crisis_categories:
            row.categories[cat] = row.categories.get(cat, 0) + 1
        if len(row.ids) < MAX_CRISIS_IDS:
            row.ids.append(mention.id)

    # -- the count path -------------------------------------------------------------------------

    def observe_counts(self, counts: Sequence[MinuteCounts]) -> list[Signal]:
        """Feed closed buckets directly (gaps are zeros); returns the strongest signal per kind."""
        if not counts:
            return []
        bs = self.config.bucket_seconds
        buckets = np.array([int(c.start.timestamp() // bs) for c in counts], dtype=np.int64)
        first = int(buckets.min())
        n = int(buckets.max()) - first + 1
        total = np.zeros(n)
        neg = np.zeros(n)
        np.add.at(total, buckets - first, [c.total for c in counts])
        np.add.at(neg, buckets - first, [c.negative for c in counts])
        risk = np.zeros(n)
        np.add.at(risk, buckets - first, [c.risk for c in counts])
        crisis = None
        if any(c.crisis is not None for c in counts):
            crisis = np.zeros(n)
            np.add.at(crisis, buckets - first, [c.crisis or 0 for c in counts])
        categories: dict[str, FloatArray] | None = None
        if any(c.crisis_categories is not None for c in counts):
            categories = {}
            for b, c in zip(buckets.tolist(), counts, strict=True):
                for cat, k in (c.crisis_categories or {}).items():
                    categories.setdefault(cat, np.zeros(n))[b - first] += k
        return self.score_counts(
            first, total, neg, risk=risk, crisis=crisis, categories=categories
        ).signals

    def score_counts(
        self,
        first_bucket: int,
        total: FloatArray,
        negative: FloatArray,
        *,
        risk: FloatArray | None = None,
        crisis: FloatArray | None = None,
        categories: Mapping[str, FloatArray] | None = None,
        collapse: bool = True,
    ) -> CountScores:
        """Score consecutive buckets of counts; the vectorised core of every other path.

        ``risk`` (the per-bucket sum of mention risk) feeds the risk-weighted spike detector;
        without it that detector neither learns nor fires for these buckets. ``crisis`` (the
        per-bucket count of mentions with the crisis-signal intent) likewise feeds the
        crisis-signal spike detector. ``categories`` (per crisis category, the per-bucket count
        of those mentions naming it; absent categories are zeros) feeds the per-category series
        of that detector; without it (or without ``crisis``) they neither learn nor fire.

        With ``collapse`` the signals hold the strongest bucket per kind; without, one signal
        per alerting bucket (benches and backtests).
        """
        total = np.asarray(total, dtype=np.float64)
        negative = np.asarray(negative, dtype=np.float64)
        ts = self._total.observe(first_bucket, total)
        ns = self._negative.observe(first_bucket, negative)
        if self._closed_through is None or first_bucket + len(total) - 1 > self._closed_through:
            self._closed_through = first_bucket + len(total) - 1
        vol_p, vol_w = self._total.alerts(ts)
        cols = np.arange(len(total))

        # share of negatives per window, against the share the two baselines expect
        # the baseline share, shrunk towards the long-run share where the hour knows few mentions
        # (as the baselines stood at each bucket: no look-ahead, streaming equals one shot)
        with np.errstate(divide="ignore", invalid="ignore"):
            prior = np.where(ts.long_run > 0, ns.long_run / np.maximum(ts.long_run, 1e-12), 0.2)
        k = SHARE_PRIOR_MENTIONS
        base_share = np.clip((ns.expected + prior * k) / (ts.expected + k), 0.01, 0.95)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(ts.observed > 0, ns.observed / np.maximum(ts.observed, 1), 0.0)
        sc = self.config.share
        share_p = binomial_upper_tail(
            ns.observed, ts.observed, np.minimum(base_share + sc.margin, 0.99)
        )
        share_gate = (
            (ns.observed >= sc.min_negative)
            & (share - base_share >= sc.min_jump)
            & ts.scored[None, :]
            & ns.scored[None, :]
        )
        share_p = np.where(share_gate, share_p, 1.0)
        share_w = np.argmin(share_p, axis=0)
        share_best = share_p[share_w, cols]

        # a negative spike that the total explains (a match, a campaign, a busy day) is not a
        # crisis: the negatives must also be too many for the usual share of the window's total.
        # Either the count alone is beyond ``negative.p_alert`` (and the share confirms), or the
        # count and the share are each unusual and together (Fisher) beyond ``combined_p``: a
        # slow burn raises both a little before it raises either a lot.
        cfg = self.config
        neg_gate = self._negative.gate(ns)
        confirm = binomial_upper_tail(ns.observed, ts.observed, base_share)
        count_p = ns.p_value
        alone = neg_gate & (count_p < cfg.negative.p_alert) & (confirm < cfg.negative_confirm_p)
        combined = fisher_two(count_p, confirm)
        both = (
            neg_gate
            & (count_p < cfg.combined_each_p)
            & (confirm < cfg.combined_each_p)
            & (combined < cfg.combined_p)
        )
        # scored against each rule's own threshold (0.5 at the threshold), so the optimistic
        # Fisher p does not outrank a count that convinces alone; the evidence keeps the p
        alone_score = np.where(alone, anomaly_score(count_p, cfg.negative.p_alert), 0.0)
        both_score = (
            np.where(both, anomaly_score(combined, cfg.combined_p), 0.0)
            if cfg.combined_p > 0
            else np.zeros_like(alone_score)
        )
        neg_all = np.maximum(alone_score, both_score)
        neg_w = np.argmax(neg_all, axis=0)
        neg_score = neg_all[neg_w, cols]
        neg_p = np.where(
            alone_score[neg_w, cols] >= both_score[neg_w, cols],
            count_p[neg_w, cols],
            combined[neg_w, cols],
        )
        fired_neg = alone.any(axis=0) | both.any(axis=0)
        neg_p = np.where(fired_neg, neg_p, 1.0)
        neg_w = np.where(fired_neg, neg_w, -1)

        n_cols = len(total)
        risk_p, risk_w = np.ones(n_cols), np.full(n_cols, -1, dtype=np.int64)
        rs = None
        if risk is not None:
            rs = self._risk.observe(first_bucket, np.asarray(risk, dtype=np.float64))
            risk_p, risk_w = self._risk.alerts(rs)

        crisis_score = np.zeros(n_cols)
        crisis_p = np.ones(n_cols)
        crisis_w = np.full(n_cols, -1, dtype=np.int64)
        crisis_cat = np.full(n_cols, -1, dtype=np.int64)
        crisis_obs = crisis_exp = np.zeros(n_cols)
        cs = None
        if crisis is not None:
            cs = self._crisis.observe(first_bucket, np.asarray(crisis, dtype=np.float64))
            crisis_score, crisis_p, crisis_w = self._crisis_alerts(cs, ts, ns)
            crisis_obs = cs.observed[np.maximum(crisis_w, 0), cols]
            crisis_exp = cs.expected[np.maximum(crisis_w, 0), cols]
            if categories is not None and self.config.categories.enabled:
                cat = self._categories.observe(
                    first_bucket, self._categories.matrix(n_cols, categories), ts
                )
                c_score, c_p, c_w, c_k = self._category_alerts(cat, ns)
                # the more specific name wins a tie (both saturate at a score of 1)
                take = (c_score > 0) & (c_score >= crisis_score)
                crisis_score = np.where(take, c_score, crisis_score)
                crisis_p = np.where(take, c_p, crisis_p)
                crisis_w = np.where(take, c_w, crisis_w)
                crisis_cat = np.where(take, c_k, -1)
                wi, ki = np.maximum(c_w, 0), np.maximum(c_k, 0)
                crisis_obs = np.where(take, cat.observed[wi, ki, cols], crisis_obs)
                crisis_exp = np.where(take, cat.expected[wi, ki, cols], crisis_exp)

        scores = {
            SignalKind.CRISIS_SIGNAL: crisis_score,
            SignalKind.RISK_SPIKE: anomaly_score(risk_p, self.config.risk.p_alert),
            SignalKind.NEGATIVE_SPIKE: np.where(fired_neg, neg_score, 0.0),
            SignalKind.NEGATIVE_SHARE: anomaly_score(share_best, sc.p_alert),
            SignalKind.VOLUME_SPIKE: anomaly_score(vol_p, self.config.volume.p_alert),
        }
        fired = {
            SignalKind.CRISIS_SIGNAL: crisis_w >= 0,
            SignalKind.RISK_SPIKE: risk_w >= 0,
            SignalKind.NEGATIVE_SPIKE: neg_w >= 0,
            SignalKind.NEGATIVE_SHARE: share_best < sc.p_alert,
            SignalKind.VOLUME_SPIKE: vol_w >= 0,
        }
        raw_total = anomaly_score(ts.p_value.min(axis=0), self.config.volume.p_alert)
        score = np.maximum.reduce([raw_total * ts.scored, *scores.values()])
        alert = [""] * len(total)
        for kind in (
            SignalKind.VOLUME_SPIKE,
            SignalKind.RISK_SPIKE,
            SignalKind.NEGATIVE_SHARE,
            SignalKind.NEGATIVE_SPIKE,
            SignalKind.CRISIS_SIGNAL,
        ):
            for i in np.flatnonzero(fired[kind]).tolist():
                alert[i] = kind.value  # later kinds win: the most specific name is shown

        signals: list[Signal] = []
        windows = {
            SignalKind.CRISIS_SIGNAL: (crisis_w, crisis_p, cs if cs is not None else ts),
            SignalKind.RISK_SPIKE: (risk_w, risk_p, rs if rs is not None else ts),
            SignalKind.VOLUME_SPIKE: (vol_w, vol_p, ts),
            SignalKind.NEGATIVE_SPIKE: (neg_w, neg_p, ns),
            SignalKind.NEGATIVE_SHARE: (share_w, share_best, ns),
        }
        for kind, mask in fired.items():
            idx = np.flatnonzero(mask)
            if len(idx) == 0:
                continue
            if collapse:
                idx = idx[[int(np.argmax(scores[kind][idx]))]]
            w_arr, p_arr, series = windows[kind]
            for i in idx.tolist():
                w = int(w_arr[i])
                crisis_like = kind is SignalKind.CRISIS_SIGNAL
                signals.append(
                    self._spike_signal(
                        kind,
                        first_bucket + i,
                        series.windows[w],
                        obs=float(crisis_obs[i] if crisis_like else series.observed[w, i]),
                        exp=float(crisis_exp[i] if crisis_like else series.expected[w, i]),
                        p=float(p_arr[i]),
                        score=float(scores[kind][i]),
                        share=float(share[w, i]),
                        base_share=float(base_share[w, i]),
                        tot_obs=float(ts.observed[w, i]),
                        category=(
                            self._categories.names[int(crisis_cat[i])]
                            if crisis_like and crisis_cat[i] >= 0
                            else None
                        ),
                    )
                )
        return CountScores(
            first_bucket=first_bucket,
            bucket_seconds=self.config.bucket_seconds,
            total=total,
            negative=negative,
            score=score,
            alert=alert,
            signals=signals,
        )

    def _crisis_alerts(
        self, cs: WindowScores, ts: WindowScores, ns: WindowScores
    ) -> tuple[FloatArray, FloatArray, IntArray]:
        """(score, p, window or -1) per bucket of the crisis-signal spike detector.

        A window must pass the count gates and hold more crisis-signal mentions than
        ``crisis_share_factor`` times their usual share of all mentions explains (binomial,
        ``crisis_confirm_p``). Then it fires when the count alone is beyond ``crisis.p_alert``
        against its seasonal baseline, or (``crisis_combined_p`` > 0) when it and the negative
        count are each unusual and Fisher's combination of the two is beyond
        ``crisis_combined_p``.
        """
        cfg = self.config
        with np.errstate(divide="ignore", invalid="ignore"):
            prior = np.where(
                ts.long_run > 0, cs.long_run / np.maximum(ts.long_run, 1e-12), CRISIS_PRIOR_SHARE
            )
        k = SHARE_PRIOR_MENTIONS
        base_share = np.clip((cs.expected + prior * k) / (ts.expected + k), 1e-4, 0.5)
        confirm = binomial_upper_tail(
            cs.observed, ts.observed, np.minimum(base_share * cfg.crisis_share_factor, 0.99)
        )
        gate = self._crisis.gate(cs) & (confirm < cfg.crisis_confirm_p)
        p = cs.p_value
        alone = gate & (p < cfg.crisis.p_alert)
        all_score = np.where(alone, anomaly_score(p, cfg.crisis.p_alert), 0.0)
        all_p = np.where(alone, p, 1.0)
        if cfg.crisis_combined_p > 0:
            combined = fisher_two(p, ns.p_value)
            both = (
                gate
                & (p < cfg.crisis_each_p)
                & (ns.p_value < cfg.crisis_each_p)
                & (combined < cfg.crisis_combined_p)
            )
            both_score = np.where(both, anomaly_score(combined, cfg.crisis_combined_p), 0.0)
            take = both_score > all_score
            all_p = np.where(take, combined, all_p)
            all_score = np.maximum(all_score, both_score)
        cols = np.arange(all_score.shape[1])
        best = np.argmax(all_score, axis=0)
        score = all_score[best, cols]
        fired = score > 0
        return (
            score,
            np.where(fired, all_p[best, cols], 1.0),
            np.where(fired, best, -1).astype(np.int64),
        )

    def _category_alerts(
        self, cat: CategoryScores, ns: WindowScores
    ) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
        """(score, p, window or -1, category or -1) per bucket of the per-category series.

        The same rules and thresholds as :meth:`_crisis_alerts` on each category's window,
        its tail probability multiplied by the number of categories (Bonferroni).
        """
        cfg = self.config
        n_cat = cat.p_value.shape[1]
        p = np.minimum(cat.p_value * n_cat, 1.0)
        alone = cat.gate & (cat.observed >= cfg.categories.min_count) & (p < cfg.crisis.p_alert)
        all_score = np.where(alone, anomaly_score(p, cfg.crisis.p_alert), 0.0)
        all_p = np.where(alone, p, 1.0)
        if cfg.crisis_combined_p > 0:
            neg_p = ns.p_value[:, None, :]
            combined = fisher_two(p, neg_p)
            both = (
                cat.gate
                & (cat.observed >= cfg.categories.min_count_combined)
                & (p < cfg.crisis_each_p)
                & (neg_p < cfg.crisis_each_p)
                & (combined < cfg.crisis_combined_p)
            )
            both_score = np.where(both, anomaly_score(combined, cfg.crisis_combined_p), 0.0)
            all_p = np.where(both_score > all_score, combined, all_p)
            all_score = np.maximum(all_score, both_score)
        n_w, _, n = all_score.shape
        flat = all_score.transpose(2, 0, 1).reshape(n, n_w * n_cat)
        best = np.argmax(flat, axis=1)
        cols = np.arange(n)
        w, k = best // n_cat, best % n_cat
        score = all_score[w, k, cols]
        fired = score > 0
        return (
            score,
            np.where(fired, all_p[w, k, cols], 1.0),
            np.where(fired, w, -1).astype(np.int64),
            np.where(fired, k, -1).astype(np.int64),
        )

    def _spike_signal(
        self,
        kind: SignalKind,
        bucket: int,
        window: int,
        *,
        obs: float,
        exp: float,
        p: float,
        score: float,
        share: float,
        base_share: float,
        tot_obs: float,
        category: str | None = None,
    ) -> Signal:
        bs = self.config.bucket_seconds
        start = utc_from_epoch((bucket - window + 1) * bs)
        span = _span(window * bs)
        if kind is SignalKind.NEGATIVE_SHARE:
            why = (
                f"{share:.0%} of {tot_obs:.0f} mentions were negative in the {span} to "
                f"{_hhmm(utc_from_epoch((bucket + 1) * bs))} UTC; usually {base_share:.0%}"
            )
            observed, expected = share, base_share
        else:
            what = {
                SignalKind.VOLUME_SPIKE: "mentions",
                SignalKind.CRISIS_SIGNAL: (
                    f"mentions naming a crisis of category {category}"
                    if category
                    else "mentions naming a crisis"
                ),
                SignalKind.RISK_SPIKE: "risk-weighted mentions (sum of risk)",
            }.get(kind, "negative mentions")
            ratio = obs / exp if exp > 0 else float("inf")
            why = (
                f"{obs:.0f} {what} in the {span} from {_hhmm(start)} UTC, "
                f"{ratio:.1f}x the {exp:.1f} expected for this hour and weekday"
            )
            if kind is SignalKind.NEGATIVE_SPIKE:
                why += f"; negative share {share:.0%} (usually {base_share:.0%})"
            observed, expected = obs, exp
        keywords: tuple[str, ...] = ()
        ids: tuple[str, ...] = ()
        shares: tuple[float, float | None] = (share, base_share)
        if kind is SignalKind.CRISIS_SIGNAL:
            # its share of all mentions in the window (the negative share would mislead here)
            shares = (obs / tot_obs if tot_obs > 0 else 0.0, None)
            recent = [self._crisis_recent.get(b) for b in range(bucket - window + 1, bucket + 1)]
            cats: dict[str, int] = {}
            for row in (r for r in recent if r is not None):
                for cat, c in row.categories.items():
                    cats[cat] = cats.get(cat, 0) + c
            if category is not None and category not in cats:  # counts fed without mentions
                cats[category] = round(obs)
            # the category that fired first, then the others by count
            keywords = tuple(sorted(cats, key=lambda k: (k != category, -cats[k], k)))
            ids = tuple(i for row in recent if row is not None for i in row.ids)
            if keywords:
                why += " (" + ", ".join(f"{k} {cats[k]}" for k in keywords) + ")"
        p = max(p, 1e-300)
        return Signal(
            tenant=self.tenant,
            topic=self.topic,
            kind=kind,
            detector=kind.value,
            at=utc_from_epoch((bucket + 1) * bs),
            score=min(1.0, max(0.0, score)),
            evidence=Evidence(
                why=why,
                observed=observed,
                expected=expected,
                statistic=float(-np.log10(p)),
                p_value=p,
                window_seconds=window * bs,
                observed_share=shares[0],
                baseline_share=shares[1],
                keywords=keywords,
                mention_ids=ids,
            ),
        )


def _span(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day(s)"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    return f"{seconds // 60} minute(s)" if seconds >= 60 else f"{seconds} s"


def _hhmm(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")

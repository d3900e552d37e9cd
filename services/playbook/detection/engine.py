"""One tenant + topic: minute counts, the spike and share detectors, and the triggers.

Typical use in the playbook worker, per (tenant, topic) of a scored batch::

    detector = TopicDetector.restore(config, tenant, topic, stored_json)   # or TopicDetector(...)
    signals = detector.process_batch(mentions, now=utcnow())
    stored_json = detector.dump_state()                                    # persist with the batch

and from a periodic job ``detector.advance(now)`` so quiet minutes count as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.playbook.detection.baseline import SeriesDetector, SeriesState, SpikeConfig
from services.playbook.detection.model import (
    Evidence,
    MentionLike,
    MinuteCounts,
    Signal,
    SignalKind,
    utc_from_epoch,
)
from services.playbook.detection.stats import (
    FloatArray,
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

STATE_VERSION = 1
SHARE_PRIOR_MENTIONS = 3.0
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
    keywords: tuple[KeywordRule, ...] = DEFAULT_KEYWORD_RULES
    stakeholders: tuple[StakeholderRule, ...] = DEFAULT_STAKEHOLDER_RULES

    @model_validator(mode="after")
    def _paired_windows(self) -> DetectorConfig:
        # the share and the confirmation pair the volume and negative windows one to one
        if self.volume.windows != self.negative.windows:
            raise ValueError("volume.windows and negative.windows must be the same")
        return self


class TopicState(BaseModel):
    """What to persist per (tenant, topic): JSON via ``model_dump_json``."""

    version: int = STATE_VERSION
    total: SeriesState
    negative: SeriesState
    risk: SeriesState | None = None
    keyword_hits: dict[str, KeywordHits] = Field(default_factory=dict)
    open_minutes: dict[int, tuple[int, int, float]] = Field(
        default_factory=dict, description="bucket → (total, negative, risk) not yet closed"
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
        if state.version != STATE_VERSION:
            raise ValueError(f"unknown detector state version {state.version}")
        if state.total.bucket_seconds != bs:
            raise ValueError("the state was built for another bucket size")
        self._total = SeriesDetector(config.volume, state.total)
        self._negative = SeriesDetector(config.negative, state.negative)
        self._risk = SeriesDetector(config.risk, state.risk or SeriesState(bucket_seconds=bs))
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
            keyword_hits={k: v.model_copy(deep=True) for k, v in self._hits.items()},
            open_minutes={k: (int(v[0]), int(v[1]), float(v[2])) for k, v in self._open.items()},
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
            buckets = (stamps // bs).astype(np.int64)
            if self._closed_through is not None:
                late = buckets <= self._closed_through
                self._late += int(late.sum())
                keep = ~late
                buckets, negative, risk = buckets[keep], negative[keep], risk[keep]
            uniq, inv = np.unique(buckets, return_inverse=True)
            totals = np.bincount(inv, minlength=len(uniq))
            negs = np.bincount(inv, weights=negative.astype(np.float64), minlength=len(uniq))
            risks = np.bincount(inv, weights=risk, minlength=len(uniq))
            for b, t, n, r in zip(
                uniq.tolist(), totals.tolist(), negs.tolist(), risks.tolist(), strict=True
            ):
                row = self._open.setdefault(int(b), [0, 0, 0.0])
                row[0] += int(t)
                row[1] += round(n)
                row[2] += float(r)
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
        for b in [b for b in self._open if b <= last_closable]:
            t, g, r = self._open.pop(b)
            if b >= first:
                total[b - first] = t
                neg[b - first] = g
                risk[b - first] = r
            else:
                self._late += int(t)
        self._closed_through = last_closable
        return self.score_counts(first, total, neg, risk=risk).signals

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
        return self.score_counts(first, total, neg, risk=risk).signals

    def score_counts(
        self,
        first_bucket: int,
        total: FloatArray,
        negative: FloatArray,
        *,
        risk: FloatArray | None = None,
        collapse: bool = True,
    ) -> CountScores:
        """Score consecutive buckets of counts; the vectorised core of every other path.

        ``risk`` (the per-bucket sum of mention risk) feeds the risk-weighted spike detector;
        without it that detector neither learns nor fires for these buckets.

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

        scores = {
            SignalKind.RISK_SPIKE: anomaly_score(risk_p, self.config.risk.p_alert),
            SignalKind.NEGATIVE_SPIKE: np.where(fired_neg, neg_score, 0.0),
            SignalKind.NEGATIVE_SHARE: anomaly_score(share_best, sc.p_alert),
            SignalKind.VOLUME_SPIKE: anomaly_score(vol_p, self.config.volume.p_alert),
        }
        fired = {
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
        ):
            for i in np.flatnonzero(fired[kind]).tolist():
                alert[i] = kind.value  # later kinds win: the most specific name is shown

        signals: list[Signal] = []
        windows = {
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
                signals.append(
                    self._spike_signal(
                        kind,
                        first_bucket + i,
                        series.windows[w],
                        obs=float(series.observed[w, i]),
                        exp=float(series.expected[w, i]),
                        p=float(p_arr[i]),
                        score=float(scores[kind][i]),
                        share=float(share[w, i]),
                        base_share=float(base_share[w, i]),
                        tot_obs=float(ts.observed[w, i]),
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
                observed_share=share,
                baseline_share=base_share,
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

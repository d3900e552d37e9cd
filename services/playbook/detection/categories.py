"""Crisis-signal mentions per crisis category: a low background per category, so a crisis of one
category stands out early even where another category is talked about every day.

The background of crisis-signal mentions in a topic is mostly one or two everyday categories (a
telecom hears of an outage daily, a bank of phishing), while a crisis is mostly one category. The
total crisis-signal series must allow for the everyday category's ups and downs; the series of a
rarely named category need not.

Model, per topic: the expected count of category ``c`` in a bucket is ``rate_c * E_total`` where
``E_total`` is the total-mention baseline of the bucket (seasonal, with its level correction: see
:mod:`baseline`) and ``rate_c`` is the category's long-run count per mention: decayed sums of the
hourly category counts and mention counts (memory ``memory_hours``) with a weak prior. An
hour's count teaches the rate only up to ``clip_sd`` standard deviations above what was expected,
so a crisis does not become the new normal. Borrowing the seasonal shape from the total keeps the
estimate stable at counts of a few a day, where a seasonal profile per category could not be
learnt.

Test per window of ``w`` buckets (the same windows as the other spike detectors): the
negative-binomial tail of the window's count against ``max(expected, floor * w)`` with variance
``m + (level_noise * m)^2`` (``level_noise``: how far a category's share strays from its long-run
value day to day and hour to hour), Bonferroni-corrected for the number of categories (the caller
compares ``p * n_categories`` with its threshold). Gates as the other spikes (a minimum count, a
minimum ratio, the excess fresh in the last bucket) and a share confirmation: the window's count
must also be too many for ``share_factor`` times the category's rate in the window's observed
mentions plus ``burst_share`` of the window's excess mentions (binomial), so a match or a
campaign that brings a few jokes does not alert.

Everything is per hour chunk with numpy; streaming equals one shot, and the state is JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from services.playbook.detection.baseline import WindowScores
from services.playbook.detection.model import CRISIS_CATEGORIES
from services.playbook.detection.stats import (
    BoolArray,
    FloatArray,
    binomial_upper_tail,
    count_upper_tail,
)


class CategoryConfig(BaseModel):
    """Tuning of the per-category crisis-signal detector (defaults set on bench/detection.py)."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = True
    names: tuple[str, ...] = Field(
        default=CRISIS_CATEGORIES,
        description="the categories with a series of their own (the sentiment service's list); "
        "others still count in the total crisis-signal series",
    )
    memory_hours: float = Field(default=168.0, gt=0, description="decay of the long-run rate")
    recent_hours: float = Field(
        default=3.0,
        gt=0,
        description="decay of the recent rate (not clipped, shrunk towards the long-run rate by "
        "recent_prior_mentions); the expectation uses the larger of the two, so a day on which "
        "a category is talked about more, or a long campaign full of jokes, raises it",
    )
    recent_prior_mentions: float = Field(default=100.0, ge=0)
    warmup_hours: int = Field(
        default=24, ge=1, description="hours learnt before a category is scored"
    )
    prior_mentions: float = Field(default=200.0, ge=0, description="weight of the prior rate")
    prior_rate: float = Field(
        default=0.002, gt=0, lt=1, description="category mentions per mention before any data"
    )
    level_noise: float = Field(
        default=0.5,
        ge=0,
        description="relative sd of a category's share from day to day and hour to hour (the "
        "crisis-signal share's own ~35% and the category mix's on top)",
    )
    min_expected_per_hour: float = Field(
        default=0.1, gt=0, description="floor of the expectation: 'never named here' is not 0"
    )
    min_count: float = Field(default=3.0, description="a window needs at least this many")
    min_count_combined: float = Field(
        default=2.0,
        description="the same where the negatives' count must be unusual too (Fisher's "
        "combination, crisis_combined_p): two data-leak mentions in a topic that hears of one a "
        "month are telling when the negatives rise with them",
    )
    min_ratio: float = Field(default=3.0, description="a window needs observed >= ratio * exp")
    share_factor: float = Field(
        default=4.0,
        ge=1.0,
        description="the count must be too many for this multiple of the category's rate in the "
        "window's observed mentions (binomial below confirm_p)",
    )
    confirm_p: float = Field(default=1e-3, gt=0, le=1)
    burst_share: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="the share confirmation also allows this share of the window's excess "
        "mentions (observed minus the total baseline) to name the category without a crisis: in "
        "a burst (a match, a campaign) about 1% of the mentions name a crisis in jest or are "
        "misread, all of them perhaps the same one; twice that leaves a margin",
    )
    clip_sd: float = 3.0


class CategoryState(BaseModel):
    """The JSON state of one :class:`CategoryDetector`; categories by name (config may change)."""

    names: list[str] = Field(default_factory=list)
    mentions: float = Field(default=0.0, description="decayed sum of hourly mention counts")
    counts: list[float] = Field(default_factory=list, description="the same per category")
    recent_mentions: float = Field(default=0.0, description="the same with recent_hours' decay")
    recent_counts: list[float] = Field(default_factory=list)
    hours: int = Field(default=0, description="hour chunks learnt")
    chunk_key: int | None = None
    chunk_total: float = 0.0
    chunk_counts: list[float] = Field(default_factory=list)
    chunk_expected: list[float] = Field(default_factory=list)
    chunk_n: int = 0
    chunk_scored: int = 0
    last_bucket: int | None = None
    recent: list[list[float]] = Field(
        default_factory=list, description="per category, the last buckets' counts"
    )
    recent_expected: list[list[float | None]] = Field(
        default_factory=list, description="per category, their expectations (None: unknown)"
    )


@dataclass(frozen=True, slots=True)
class CategoryScores:
    """Per window, category and bucket (axes in that order): window sums and tail probability.

    ``p_value`` is the raw (uncorrected) tail; ``gate`` holds the gates and the share
    confirmation, with the lower of the two minimum counts (the caller applies its own).
    """

    observed: FloatArray
    expected: FloatArray
    p_value: FloatArray
    gate: BoolArray


class CategoryDetector:
    """Per-category crisis-signal counts of one topic against ``rate * total baseline``."""

    def __init__(self, config: CategoryConfig, bucket_seconds: int, state: CategoryState) -> None:
        self.config = config
        self.bucket_seconds = bucket_seconds
        self.chunk_seconds = max(3600, bucket_seconds)
        self.names = tuple(config.names)
        k = len(self.names)
        old = {n: i for i, n in enumerate(state.names)}

        def pick(values: Sequence[float], default: float) -> FloatArray:
            return np.array(
                [
                    values[old[n]] if n in old and old[n] < len(values) else default
                    for n in self.names
                ],
                dtype=np.float64,
            )

        self._mentions = state.mentions
        self._counts = pick(state.counts, 0.0)
        self._recent_mentions = state.recent_mentions
        self._recent_counts = pick(state.recent_counts, 0.0)
        self._hours = state.hours
        self._chunk_key = state.chunk_key
        self._chunk_total = state.chunk_total
        self._chunk_counts = pick(state.chunk_counts, 0.0)
        self._chunk_expected = pick(state.chunk_expected, 0.0)
        self._chunk_n = state.chunk_n
        self._chunk_scored = state.chunk_scored
        self.last_bucket = state.last_bucket
        h = len(state.recent[0]) if state.recent else 0
        self._recent = np.zeros((k, h))
        self._recent_expected = np.full((k, h), np.nan)
        for i, n in enumerate(self.names):
            if n in old and old[n] < len(state.recent):
                self._recent[i] = state.recent[old[n]]
                self._recent_expected[i] = [
                    np.nan if v is None else v for v in state.recent_expected[old[n]]
                ]
        self._decay = math.exp(-1.0 / config.memory_hours)

    def state(self) -> CategoryState:
        return CategoryState(
            names=list(self.names),
            mentions=self._mentions,
            counts=self._counts.tolist(),
            recent_mentions=self._recent_mentions,
            recent_counts=self._recent_counts.tolist(),
            hours=self._hours,
            chunk_key=self._chunk_key,
            chunk_total=self._chunk_total,
            chunk_counts=self._chunk_counts.tolist(),
            chunk_expected=self._chunk_expected.tolist(),
            chunk_n=self._chunk_n,
            chunk_scored=self._chunk_scored,
            last_bucket=self.last_bucket,
            recent=self._recent.tolist(),
            recent_expected=[
                [None if math.isnan(v) else v for v in row]
                for row in self._recent_expected.tolist()
            ],
        )

    def rate(self) -> FloatArray:
        """Each category's count per mention as it stands: the long-run or the recent rate."""
        cfg = self.config
        long: FloatArray = (self._counts + cfg.prior_mentions * cfg.prior_rate) / (
            self._mentions + cfg.prior_mentions
        )
        k = cfg.recent_prior_mentions
        recent = (self._recent_counts + k * long) / (self._recent_mentions + k)
        out: FloatArray = np.maximum(long, recent)
        return out

    def matrix(self, n: int, categories: Mapping[str, FloatArray]) -> FloatArray:
        """Per-category counts as a (categories, buckets) array; unknown names are ignored."""
        out = np.zeros((len(self.names), n))
        for i, name in enumerate(self.names):
            values = categories.get(name)
            if values is not None:
                out[i] = np.asarray(values, dtype=np.float64)
        return out

    def _close_chunk(self) -> None:
        if self._chunk_key is not None and self._chunk_n > 0:
            counts = self._chunk_counts
            r = math.exp(-1.0 / self.config.recent_hours)
            self._recent_counts = r * self._recent_counts + counts
            self._recent_mentions = r * self._recent_mentions + self._chunk_total
            if self._chunk_scored == self._chunk_n:
                e = self._chunk_expected
                cap = e + self.config.clip_sd * np.sqrt(e + (self.config.level_noise * e) ** 2) + 1
                counts = np.minimum(counts, cap)
            d = self._decay
            self._counts = d * self._counts + counts
            self._mentions = d * self._mentions + self._chunk_total
            self._hours += 1
        self._chunk_total = 0.0
        self._chunk_counts = np.zeros(len(self.names))
        self._chunk_expected = np.zeros(len(self.names))
        self._chunk_n = 0
        self._chunk_scored = 0

    def observe(self, first_bucket: int, counts: FloatArray, ts: WindowScores) -> CategoryScores:
        """Score consecutive buckets of per-category counts (``counts``: categories x buckets).

        ``ts`` are the total series' scores of the same buckets (mentions and their expectation
        per bucket, window sums of mentions). Buckets already observed are skipped (p = 1).
        """
        cfg = self.config
        k, n = counts.shape
        windows = ts.windows
        hist = max(windows) - 1
        skip = 0
        if self.last_bucket is not None:
            if first_bucket <= self.last_bucket:
                skip = min(n, self.last_bucket - first_bucket + 1)
            elif first_bucket > self.last_bucket + 1:
                gap = min(first_bucket - self.last_bucket - 1, hist)
                self._recent = np.concatenate((self._recent, np.zeros((k, gap))), axis=1)
                self._recent_expected = np.concatenate(
                    (self._recent_expected, np.full((k, gap), np.nan)), axis=1
                )
        expected = np.full((k, n), np.nan)
        rates = np.zeros((k, n))
        if skip < n:
            buckets = first_bucket + np.arange(skip, n, dtype=np.int64)
            keys = (buckets * self.bucket_seconds) // self.chunk_seconds
            cuts = np.flatnonzero(np.diff(keys)) + 1
            starts = (np.concatenate(([0], cuts)) + skip).tolist()
            ends = (np.concatenate((cuts, [len(buckets)])) + skip).tolist()
            for s, e, key in zip(starts, ends, keys[np.array(starts) - skip].tolist(), strict=True):
                if key != self._chunk_key:
                    self._close_chunk()
                    self._chunk_key = int(key)
                scored = ts.scored[s:e]
                rate = self.rate()
                rates[:, s:e] = rate[:, None]
                if self._hours >= cfg.warmup_hours and scored.any():
                    exp = np.where(scored[None, :], rate[:, None] * ts.mean[None, s:e], np.nan)
                    expected[:, s:e] = exp
                    self._chunk_expected += np.nansum(exp, axis=1)
                    self._chunk_scored += int(scored.sum())
                self._chunk_total += float(ts.value[s:e].sum())
                self._chunk_counts += counts[:, s:e].sum(axis=1)
                self._chunk_n += e - s
            self.last_bucket = int(buckets[-1])
        n_w = len(windows)
        observed = np.zeros((n_w, k, n))
        exp_w = np.zeros((n_w, k, n))
        p_value = np.ones((n_w, k, n))
        gate = np.zeros((n_w, k, n), dtype=np.bool_)
        if skip >= n:
            return CategoryScores(observed, exp_w, p_value, gate)
        vals = counts[:, skip:]
        mu = expected[:, skip:]
        ext_x = np.concatenate((self._recent, vals), axis=1)
        ext_m = np.concatenate((self._recent_expected, mu), axis=1)
        pad = ext_x.shape[1] - vals.shape[1]
        zero = np.zeros((k, 1))
        cx = np.concatenate((zero, np.cumsum(ext_x, axis=1)), axis=1)
        unknown = np.isnan(ext_m)
        cm = np.concatenate((zero, np.cumsum(np.where(unknown, 0.0, ext_m), axis=1)), axis=1)
        cu = np.concatenate((zero, np.cumsum(unknown, axis=1)), axis=1)
        hi = np.arange(pad + 1, pad + vals.shape[1] + 1)
        floor = cfg.min_expected_per_hour * self.bucket_seconds / 3600.0
        base_share = rates[:, skip:] * cfg.share_factor
        fresh = vals - np.nan_to_num(mu)
        for i, w in enumerate(windows):
            lo = np.maximum(hi - w, 0)
            x = cx[:, hi] - cx[:, lo]
            ok = (cu[:, hi] - cu[:, lo] == 0) & (hi - lo == w)
            m0 = np.where(ok, cm[:, hi] - cm[:, lo], 0.0)
            observed[i, :, skip:] = x
            exp_w[i, :, skip:] = m0
            if not ok.any():
                continue
            m_test = np.maximum(m0, floor * w)
            v_test = m_test + (cfg.level_noise * m_test) ** 2
            p = np.where(ok, count_upper_tail(x, m_test, v_test), 1.0)
            tot = ts.observed[i, skip:][None, :]
            excess = np.maximum(tot - ts.expected[i, skip:][None, :], 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = base_share + cfg.burst_share * np.where(tot > 0, excess / tot, 0.0)
            confirm = binomial_upper_tail(x, np.broadcast_to(tot, x.shape), np.minimum(share, 0.99))
            g = (
                ok
                & (x >= min(cfg.min_count, cfg.min_count_combined))
                & (x >= cfg.min_ratio * m0)
                & (fresh > 0)
                & (fresh >= 0.5 * (x - m0) / w)
                & (confirm < cfg.confirm_p)
            )
            p_value[i, :, skip:] = p
            gate[i, :, skip:] = g
        if hist > 0:
            self._recent = ext_x[:, -hist:]
            self._recent_expected = ext_m[:, -hist:]
        return CategoryScores(observed, exp_w, p_value, gate)

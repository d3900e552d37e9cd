"""A seasonal count baseline and the spike statistic on top of it, for any bucket size.

Model: the expected count of a bucket is ``seasonal(slot) * level``.

* ``seasonal`` is an exponentially weighted mean (and mean of squares, for the variance) per
  (day of week, hour of day) slot in the configured time zone, updated once per visit of the slot
  (once a week). Until a slot has ``warmup_visits`` visits the (hour of day) slot stands in, which
  learns seven times faster, so a new topic is scored after a day. Before that, an all-hours
  mean (every closed hour, whatever its slot) stands in after ``warmup_visits`` hours, with its
  larger day-and-night variance, so a new tenant is not blind for its first day.
* ``level`` is a slow multiplicative correction (a busy news day, a growing brand), updated once an
  hour from the ratio observed / seasonal, weighted by how much evidence the hour carried.

Observations are clipped at ``expected + clip_sd * sd`` before they teach the baseline, so a crisis
does not become the new normal within the hour. The statistic for a window of ``w`` buckets is the
negative-binomial upper tail P(X >= observed) with mean ``M`` and variance ``phi * M + (c * M)^2``:
``phi`` (per-bucket overdispersion) from the slot, ``c`` (``level_noise``) for what the level gets
wrong. It is exact at low counts, where z-scores are not.

Everything is updated per hour chunk with numpy, so a year of minutes takes about a second, and
feeding a series minute by minute gives the same numbers as feeding it at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from services.playbook.detection.stats import BoolArray, FloatArray, IntArray, count_upper_tail

HOURS_PER_WEEK = 168


class SpikeConfig(BaseModel):
    """Tuning of one spike detector. Defaults are tuned on ``bench/detection.py``."""

    model_config = ConfigDict(frozen=True)

    windows: tuple[int, ...] = Field(
        default=(1, 5, 10, 15), description="window lengths in buckets"
    )
    timezone: str = "Europe/Amsterdam"
    slot_alpha: float = Field(default=0.3, gt=0, le=1, description="per weekly slot visit")
    hod_alpha: float = Field(default=0.2, gt=0, le=1, description="per daily hour-of-day visit")
    warmup_visits: int = Field(default=2, ge=1, description="visits before a slot is trusted")
    level_alpha: float = Field(default=0.3, ge=0, le=1, description="per hour, at full evidence")
    level_evidence: float = Field(default=30.0, gt=0, description="expected count for full weight")
    level_noise: float = Field(default=0.12, ge=0, description="relative sd of the expected level")
    min_expected_per_hour: float = Field(default=0.5, gt=0)
    clip_sd: float = 3.0
    p_alert: float = Field(default=1e-6, gt=0, lt=1)
    min_count: float = Field(default=5.0, description="a window needs at least this many")
    min_ratio: float = Field(default=1.5, description="a window needs observed >= ratio * expected")


class SeriesState(BaseModel):
    """The JSON-serialisable state of one :class:`SeriesDetector` (persist it between batches)."""

    bucket_seconds: int
    how_mean: list[float] = Field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    how_sq: list[float] = Field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    how_weight: list[float] = Field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    how_visits: list[int] = Field(default_factory=lambda: [0] * HOURS_PER_WEEK)
    hod_mean: list[float] = Field(default_factory=lambda: [0.0] * 24)
    hod_sq: list[float] = Field(default_factory=lambda: [0.0] * 24)
    hod_weight: list[float] = Field(default_factory=lambda: [0.0] * 24)
    hod_visits: list[int] = Field(default_factory=lambda: [0] * 24)
    all_mean: float = 0.0
    all_sq: float = 0.0
    all_weight: float = 0.0
    all_visits: int = 0
    level: float = 1.0
    last_bucket: int | None = None
    chunk_key: int | None = None
    chunk_sum: float = 0.0
    chunk_sumsq: float = 0.0
    chunk_n: int = 0
    chunk_expected: float = 0.0
    recent: list[float] = Field(default_factory=list)
    recent_mean: list[float | None] = Field(
        default_factory=list, description="None where no baseline existed yet"
    )
    recent_var: list[float | None] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WindowScores:
    """Per window (rows) and bucket (columns): observed sum, expected sum, tail probability.

    ``scored`` is False for buckets before the baseline knew anything (p is 1 there).
    """

    first_bucket: int
    windows: tuple[int, ...]
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    p_value: FloatArray
    scored: BoolArray
    value: FloatArray
    mean: FloatArray
    long_run: FloatArray


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hour_of_week(epoch_seconds: int, timezone: str) -> int:
    """Monday 00:00-00:59 local time is 0, Sunday 23:00-23:59 is 167."""
    local = datetime.fromtimestamp(epoch_seconds, tz=UTC).astimezone(_zone(timezone))
    return local.weekday() * 24 + local.hour


class SeriesDetector:
    """Online spike detector for one count series (one metric of one topic)."""

    def __init__(self, config: SpikeConfig, state: SeriesState) -> None:
        self.config = config
        self.bucket_seconds = state.bucket_seconds
        self.chunk_seconds = max(3600, state.bucket_seconds)
        self._how = np.array([state.how_mean, state.how_sq, state.how_weight], dtype=np.float64)
        self._how_visits = np.array(state.how_visits, dtype=np.int64)
        self._hod = np.array([state.hod_mean, state.hod_sq, state.hod_weight], dtype=np.float64)
        self._hod_visits = np.array(state.hod_visits, dtype=np.int64)
        self._all = np.array([state.all_mean, state.all_sq, state.all_weight], dtype=np.float64)
        self._all_visits = state.all_visits
        self.level = state.level
        self.last_bucket = state.last_bucket
        self._chunk_key = state.chunk_key
        self._chunk = [
            state.chunk_sum,
            state.chunk_sumsq,
            float(state.chunk_n),
            state.chunk_expected,
        ]
        self._hist = max(config.windows) - 1
        self._recent = np.array(state.recent, dtype=np.float64)
        self._recent_mean = _from_optional(state.recent_mean)
        self._recent_var = _from_optional(state.recent_var)
        self._slot_cache: tuple[int, float | None, float] | None = None

    @classmethod
    def new(cls, config: SpikeConfig, bucket_seconds: int = 60) -> SeriesDetector:
        return cls(config, SeriesState(bucket_seconds=bucket_seconds))

    def state(self) -> SeriesState:
        """A snapshot to persist; ``SeriesDetector(config, snapshot)`` continues exactly."""
        return SeriesState(
            bucket_seconds=self.bucket_seconds,
            how_mean=self._how[0].tolist(),
            how_sq=self._how[1].tolist(),
            how_weight=self._how[2].tolist(),
            how_visits=self._how_visits.tolist(),
            hod_mean=self._hod[0].tolist(),
            hod_sq=self._hod[1].tolist(),
            hod_weight=self._hod[2].tolist(),
            hod_visits=self._hod_visits.tolist(),
            all_mean=float(self._all[0]),
            all_sq=float(self._all[1]),
            all_weight=float(self._all[2]),
            all_visits=self._all_visits,
            level=self.level,
            last_bucket=self.last_bucket,
            chunk_key=self._chunk_key,
            chunk_sum=self._chunk[0],
            chunk_sumsq=self._chunk[1],
            chunk_n=int(self._chunk[2]),
            chunk_expected=self._chunk[3],
            recent=self._recent.tolist(),
            recent_mean=_to_optional(self._recent_mean),
            recent_var=_to_optional(self._recent_var),
        )

    def long_run_mean(self) -> float:
        """Mean count per bucket over the week's known slots (0.0 while nothing is known)."""
        known = self._how[2] > 0
        if known.any():
            return float((self._how[0, known] / self._how[2, known]).mean())
        known = self._hod[2] > 0
        if known.any():
            return float((self._hod[0, known] / self._hod[2, known]).mean())
        return 0.0

    # -- baseline -------------------------------------------------------------------------------

    def _slot_baseline(self, chunk_key: int) -> tuple[int, float | None, float]:
        """(slot, seasonal mean per bucket or None while unknown, per-bucket dispersion)."""
        if self._slot_cache is not None and self._slot_cache[0] == chunk_key:
            return self._slot_cache
        how = hour_of_week(chunk_key * self.chunk_seconds, self.config.timezone)
        hod = how % 24
        mean: float | None = None
        sq = 0.0
        if self._how_visits[how] >= self.config.warmup_visits:
            mean = self._how[0, how] / self._how[2, how]
            sq = self._how[1, how] / self._how[2, how]
        elif self._hod_visits[hod] >= self.config.warmup_visits:
            mean = self._hod[0, hod] / self._hod[2, hod]
            sq = self._hod[1, hod] / self._hod[2, hod]
        elif self._all_visits >= self.config.warmup_visits and self._all[2] > 0:
            mean = float(self._all[0] / self._all[2])
            sq = float(self._all[1] / self._all[2])
        phi = 1.0
        if mean is not None:
            var = max(sq - mean * mean, mean)
            phi = var / mean if mean > 0 else 1.0
        result = (chunk_key, mean, phi)
        self._slot_cache = result
        return result

    def _close_chunk(self) -> None:
        key = self._chunk_key
        total, total_sq, n, expected = self._chunk
        if key is not None and n > 0:
            how = hour_of_week(key * self.chunk_seconds, self.config.timezone)
            hod = how % 24
            obs = np.array([total / n, total_sq / n, 1.0])
            a = self.config.slot_alpha
            self._how[:, how] = (1 - a) * self._how[:, how] + a * obs
            self._how_visits[how] += 1
            a = self.config.hod_alpha
            self._hod[:, hod] = (1 - a) * self._hod[:, hod] + a * obs
            self._hod_visits[hod] += 1
            self._all = (1 - a) * self._all + a * obs
            self._all_visits += 1
            if expected > 0:
                ratio = min(max(total / expected, 0.2), 5.0)
                a = self.config.level_alpha * min(1.0, expected / self.config.level_evidence)
                self.level = math.exp((1 - a) * math.log(self.level) + a * math.log(ratio))
        self._chunk = [0.0, 0.0, 0.0, 0.0]
        self._slot_cache = None

    # -- scoring --------------------------------------------------------------------------------

    def observe(self, first_bucket: int, values: FloatArray) -> WindowScores:
        """Score consecutive buckets starting at ``first_bucket`` (epoch seconds // bucket size).

        Buckets already observed are skipped; a gap since the last observed bucket is filled
        with zeros (no row means no mentions). Returns scores for exactly the given buckets
        (skipped ones get p = 1).
        """
        values = np.asarray(values, dtype=np.float64)
        n_in = len(values)
        windows = self.config.windows
        n_w = len(windows)
        observed = np.zeros((n_w, n_in))
        expected = np.zeros((n_w, n_in))
        variance = np.zeros((n_w, n_in))
        p_value = np.ones((n_w, n_in))
        scored = np.zeros(n_in, dtype=np.bool_)
        out = WindowScores(
            first_bucket,
            windows,
            observed,
            expected,
            variance,
            p_value,
            scored,
            np.zeros(n_in),
            np.zeros(n_in),
            np.zeros(n_in),
        )
        if n_in == 0:
            return out
        skip = 0
        if self.last_bucket is not None:
            if first_bucket <= self.last_bucket:
                skip = self.last_bucket - first_bucket + 1
                if skip >= n_in:
                    return out
            elif first_bucket > self.last_bucket + 1:
                gap = first_bucket - self.last_bucket - 1
                self.observe(self.last_bucket + 1, np.zeros(gap))
        buckets = first_bucket + np.arange(skip, n_in, dtype=np.int64)
        vals = values[skip:]
        keys = (buckets * self.bucket_seconds) // self.chunk_seconds
        cuts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(vals)]))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            self._observe_chunk(int(keys[s]), vals[s:e], out, skip + s)
        self.last_bucket = int(buckets[-1])
        return out

    def _observe_chunk(self, key: int, vals: FloatArray, out: WindowScores, offset: int) -> None:
        if key != self._chunk_key:
            self._close_chunk()
            self._chunk_key = key
        cfg = self.config
        _, mean, phi = self._slot_baseline(key)
        n = len(vals)
        if mean is None:
            # unknown expectation: windows that include these buckets are not scored
            mu_b = np.full(n, np.nan)
            var_b = np.full(n, np.nan)
            clipped = vals
        else:
            mu = mean * self.level
            mu_b = np.full(n, mu)
            var_b = np.full(n, phi * mu)
            cap = mu + cfg.clip_sd * math.sqrt(phi * mu + (cfg.level_noise * mu) ** 2) + 1.0
            clipped = np.minimum(vals, cap)
            self._chunk[3] += mean * n
            out.scored[offset : offset + n] = True
        out.value[offset : offset + n] = vals
        out.long_run[offset : offset + n] = self.long_run_mean()
        out.mean[offset : offset + n] = np.nan_to_num(mu_b)
        self._chunk[0] += float(clipped.sum())
        self._chunk[1] += float((clipped * clipped).sum())
        self._chunk[2] += n

        h = self._hist
        floor = cfg.min_expected_per_hour * self.bucket_seconds / 3600.0
        ext_x = np.concatenate((self._recent, vals))
        ext_m = np.concatenate((self._recent_mean, mu_b))
        ext_v = np.concatenate((self._recent_var, var_b))
        pad = len(ext_x) - n
        cx = np.concatenate(([0.0], np.cumsum(ext_x)))
        cm = np.concatenate(([0.0], np.cumsum(ext_m)))
        cv = np.concatenate(([0.0], np.cumsum(ext_v)))
        hi = np.arange(pad + 1, pad + n + 1)
        for i, w in enumerate(cfg.windows):
            lo = np.maximum(hi - w, 0)
            x = cx[hi] - cx[lo]
            m = cm[hi] - cm[lo]
            v = cv[hi] - cv[lo] + (cfg.level_noise * m) ** 2
            out.observed[i, offset : offset + n] = x
            out.expected[i, offset : offset + n] = np.nan_to_num(m)
            out.variance[i, offset : offset + n] = np.nan_to_num(v)
            ok = np.isfinite(m)
            if mean is not None and ok.any():
                # never-seen-at-this-hour is not "impossible": test against a small floor
                m_test = np.maximum(m[ok], floor * w)
                v_test = np.maximum(v[ok], m_test)
                p = np.ones(n)
                p[ok] = count_upper_tail(x[ok], m_test, v_test)
                out.p_value[i, offset : offset + n] = p
        if h > 0:
            self._recent = ext_x[-h:]
            self._recent_mean = ext_m[-h:]
            self._recent_var = ext_v[-h:]

    def gate(self, scores: WindowScores) -> BoolArray:
        """Per window and bucket: may this window alert at all (counts, ratio, fresh excess)?"""
        cfg = self.config
        # the bucket itself must carry at least half the window's average excess: a window that
        # merely still holds an earlier spike is not a new alert
        width = np.array(scores.windows, dtype=np.float64)[:, None]
        excess_now = (scores.value - scores.mean)[None, :]
        gate: BoolArray = (
            (scores.observed >= cfg.min_count)
            & (scores.observed >= cfg.min_ratio * scores.expected)
            & (excess_now > 0)
            & (excess_now >= 0.5 * (scores.observed - scores.expected) / width)
            & scores.scored[None, :]
        )
        return gate

    def alerts(self, scores: WindowScores) -> tuple[FloatArray, IntArray]:
        """(best p over windows that pass the gates, index of that window or -1) per bucket."""
        cfg = self.config
        p = np.where(self.gate(scores), scores.p_value, 1.0)
        best = np.argmin(p, axis=0)
        best_p = p[best, np.arange(p.shape[1])]
        best_idx = np.where(best_p < cfg.p_alert, best, -1)
        return best_p, best_idx


def _from_optional(values: list[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _to_optional(values: FloatArray) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values.tolist()]

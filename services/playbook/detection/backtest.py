"""``uitkijk backtest FILE``: run the detectors over a file and print a score per bucket.

Input, recognised by its first non-blank character:

* CSV with a header containing ``timestamp,value``: one row per bucket of any size (minutes, hours,
  days; inferred from the timestamps), any ISO-8601-like timestamp (naive ones are UTC) or epoch
  seconds. The volume spike detector runs on ``value``.
* JSONL of mentions (``created_at``, optional ``sentiment`` as a label or ``{"label": ...}``,
  optional ``text``, ``language``, ``intents`` and ``crisis_categories``): bucketed per minute
  first (quiet minutes are zeros); the volume, negative and negative-share detectors and the
  keyword rules run, and the crisis-signal spike detector too when the file carries ``intents``
  (the sentiment service's ``crisis_signal``), with its per-category series when it also carries
  ``crisis_categories``.

Output, one row per input row (CSV) or per minute (JSONL), in order: ``timestamp,value,
anomaly_score,alert`` as CSV, or the same fields as JSON lines (``alert`` is ``null`` there when
nothing fired). ``anomaly_score`` is in [0, 1], 0.5 at the alert threshold; ``alert`` names the
detector that fired. The CSV path streams: memory stays flat on long files.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Literal, TextIO

import numpy as np

from services.playbook.detection.baseline import SeriesDetector, SeriesState
from services.playbook.detection.engine import DetectorConfig, TopicDetector
from services.playbook.detection.model import CRISIS_INTENT, SignalKind
from services.playbook.detection.stats import FloatArray, anomaly_score
from services.playbook.detection.triggers import KeywordMatcher

OutputFormat = Literal["csv", "jsonl"]
CHUNK_ROWS = 20_000
INFER_ROWS = 1_000


class BacktestInputError(ValueError):
    """The input file is not a series CSV or a mentions JSONL; ``line`` is 1-based."""

    def __init__(self, msg: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {msg}" if line else msg)


@dataclass(frozen=True, slots=True)
class BacktestSummary:
    input_kind: Literal["series", "mentions"]
    rows: int
    alerts: int
    bucket_seconds: int


def parse_timestamp(text: str) -> datetime:
    """Any ISO-8601-like timestamp (``Z``, offsets, space separator, date only) or epoch seconds."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty timestamp")
    try:
        number = float(raw)
    except ValueError:
        pass
    else:
        if math.isfinite(number):
            return datetime.fromtimestamp(number, tz=UTC)
    if raw.endswith(("z", "Z")):
        raw = raw[:-1] + "+00:00"
    parsed = datetime.fromisoformat(raw)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def infer_bucket_seconds(stamps: Iterable[float]) -> int:
    """The median positive step between consecutive timestamps, at least one second."""
    values = np.fromiter(stamps, np.float64)
    steps = np.diff(values)
    steps = steps[steps > 0]
    if len(steps) == 0:
        return 60
    return max(1, round(float(np.median(steps))))


def run_backtest(
    input_path: str | Path,
    output_stream: TextIO,
    fmt: OutputFormat = "csv",
    *,
    config: DetectorConfig | None = None,
    bucket_seconds: int | None = None,
) -> BacktestSummary:
    """Score ``input_path`` and write one output row per bucket to ``output_stream``.

    ``bucket_seconds`` overrides the inferred bucket size of a CSV series. Raises
    :class:`BacktestInputError` on an unreadable input.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown output format {fmt!r}")
    config = config or DetectorConfig()
    path = Path(input_path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = ""
        for line in handle:
            if line.strip():
                first = line.lstrip()
                break
        handle.seek(0)
        if first.startswith("{"):
            return _backtest_mentions(handle, output_stream, fmt, config)
        return _backtest_series(handle, output_stream, fmt, config, bucket_seconds)


class _Writer:
    def __init__(self, out: TextIO, fmt: OutputFormat) -> None:
        self.out = out
        self.fmt = fmt
        self.rows = 0
        self.alerts = 0
        self._csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow(["timestamp", "value", "anomaly_score", "alert"])

    def row(self, timestamp: str, value: str | float, score: float, alert: str) -> None:
        self.rows += 1
        self.alerts += bool(alert)
        score = min(1.0, max(0.0, score)) + 0.0  # in [0, 1], and never "-0.0000"
        if self._csv is not None:
            shown = _number(value) if isinstance(value, float) else value
            self._csv.writerow([timestamp, shown, f"{score:.4f}", alert])
        else:
            number = _number(value)
            record = {
                "timestamp": timestamp,
                "value": number,
                "anomaly_score": round(score, 4),
                "alert": alert or None,
            }
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _number(value: str | float) -> float | int | str:
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    try:
        f = float(value)
    except ValueError:
        return value
    return int(f) if f.is_integer() and "." not in value else f


def _backtest_series(
    handle: TextIO,
    out: TextIO,
    fmt: OutputFormat,
    config: DetectorConfig,
    bucket_seconds: int | None,
) -> BacktestSummary:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise BacktestInputError("empty file")
    names = [h.strip().lower() for h in header]
    if "timestamp" not in names or "value" not in names:
        raise BacktestInputError("the CSV header needs 'timestamp' and 'value' columns", 1)
    ts_col, value_col = names.index("timestamp"), names.index("value")
    rows = _parse_rows(reader, ts_col, value_col)
    head = list(islice(rows, INFER_ROWS))
    bs = bucket_seconds or infer_bucket_seconds(r[1] for r in head)
    detector = SeriesDetector(config.volume, SeriesState(bucket_seconds=bs))
    writer = _Writer(out, fmt)
    pending: list[tuple[str, float, float, str]] = head
    stream = iter(rows)
    while pending:
        _score_series_chunk(detector, pending, writer)
        pending = list(islice(stream, CHUNK_ROWS))
    return BacktestSummary("series", writer.rows, writer.alerts, bs)


def _parse_rows(
    reader: Iterator[list[str]], ts_col: int, value_col: int
) -> Iterator[tuple[str, float, float, str]]:
    """(timestamp text, epoch seconds, value, value text) per data row."""
    for number, record in enumerate(reader, start=2):
        if not record or all(not c.strip() for c in record):
            continue
        try:
            stamp = record[ts_col]
            value_text = record[value_col].strip()
            value = float(value_text) if value_text else 0.0
            epoch = parse_timestamp(stamp).timestamp()
        except (IndexError, ValueError) as exc:
            raise BacktestInputError(f"cannot read row {record!r}: {exc}", number) from exc
        if not math.isfinite(value):
            raise BacktestInputError(f"value {value_text!r} is not a finite number", number)
        yield stamp, epoch, value, value_text


def _score_series_chunk(
    detector: SeriesDetector, rows: list[tuple[str, float, float, str]], writer: _Writer
) -> None:
    bs = detector.bucket_seconds
    buckets = np.array([int(r[1] // bs) for r in rows], dtype=np.int64)
    values = np.array([r[2] for r in rows])
    last = detector.last_bucket
    # rows at or before an observed bucket (duplicates, out of order) score 0 and never alert
    usable = buckets > (last if last is not None else np.iinfo(np.int64).min)
    usable &= buckets > np.maximum.accumulate(
        np.concatenate(([np.iinfo(np.int64).min], buckets[:-1]))
    )
    score = np.zeros(len(rows))
    alert = np.zeros(len(rows), dtype=np.bool_)
    if usable.any():
        first = int(buckets[usable].min())
        dense = np.zeros(int(buckets[usable].max()) - first + 1)
        dense[buckets[usable] - first] = values[usable]
        scores = detector.observe(first, dense)
        _, best_w = detector.alerts(scores)
        raw = anomaly_score(scores.p_value.min(axis=0), detector.config.p_alert) * scores.scored
        pos = buckets[usable] - first
        score[usable] = raw[pos]
        alert[usable] = best_w[pos] >= 0
    for i, (stamp, _, _, value_text) in enumerate(rows):
        writer.row(
            stamp, value_text, float(score[i]), SignalKind.VOLUME_SPIKE.value if alert[i] else ""
        )


def _backtest_mentions(
    handle: TextIO, out: TextIO, fmt: OutputFormat, config: DetectorConfig
) -> BacktestSummary:
    bs = config.bucket_seconds
    matcher = KeywordMatcher(config.keywords)
    counts: dict[int, list[int]] = {}
    crisis_counts: dict[int, int] = {}
    category_counts: dict[str, dict[int, int]] = {}
    has_intents = has_categories = False
    keyword_hits: dict[int, dict[int, int]] = {}
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            created = parse_timestamp(str(item["created_at"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BacktestInputError(f"not a mention with a created_at: {exc}", number) from exc
        label = item.get("sentiment")
        if isinstance(label, dict):
            label = label.get("label")
        negative = label == "negative"
        bucket = int(created.timestamp() // bs)
        row = counts.setdefault(bucket, [0, 0])
        row[0] += 1
        row[1] += negative
        intents = item.get("intents")
        if isinstance(intents, list):
            has_intents = True
            if CRISIS_INTENT in intents:
                crisis_counts[bucket] = crisis_counts.get(bucket, 0) + 1
                categories = item.get("crisis_categories")
                if isinstance(categories, list):
                    has_categories = True
                    for cat in dict.fromkeys(c for c in categories if isinstance(c, str)):
                        per_cat = category_counts.setdefault(cat, {})
                        per_cat[bucket] = per_cat.get(bucket, 0) + 1
            elif isinstance(item.get("crisis_categories"), list):
                has_categories = True
        text = item.get("text")
        if isinstance(text, str) and text:
            language = item.get("language")
            for rule_index in matcher.match(text):
                rule = matcher.rules[rule_index]
                if rule.languages and language not in rule.languages:
                    continue
                if rule.negative_only and not negative:
                    continue
                per_rule = keyword_hits.setdefault(rule_index, {})
                per_rule[bucket] = per_rule.get(bucket, 0) + 1
    writer = _Writer(out, fmt)
    if not counts:
        return BacktestSummary("mentions", 0, 0, bs)
    first = min(counts)
    n = max(counts) - first + 1
    total = np.zeros(n)
    negative_counts = np.zeros(n)
    for b, (t, g) in counts.items():
        total[b - first] = t
        negative_counts[b - first] = g
    crisis = np.zeros(n) if has_intents else None
    if crisis is not None:
        for b, c in crisis_counts.items():
            crisis[b - first] = c
    by_category: dict[str, FloatArray] | None = None
    if crisis is not None and has_categories:
        by_category = {}
        for cat, per_bucket in category_counts.items():
            series = by_category[cat] = np.zeros(n)
            for b, c in per_bucket.items():
                series[b - first] = c
    keyword_alert = _keyword_alerts(matcher, keyword_hits, first, n, bs)
    detector = TopicDetector(config, "backtest", "backtest")
    step = 7 * 86400 // bs
    for start in range(0, n, step):
        stop = min(n, start + step)
        res = detector.score_counts(
            first + start,
            total[start:stop],
            negative_counts[start:stop],
            crisis=None if crisis is None else crisis[start:stop],
            categories=(
                None if by_category is None else {k: v[start:stop] for k, v in by_category.items()}
            ),
            collapse=False,
        )
        for i in range(stop - start):
            name = res.alert[i]
            kw = keyword_alert[start + i]
            if kw and name in ("", SignalKind.VOLUME_SPIKE.value):
                name = kw
            stamp = datetime.fromtimestamp((first + start + i) * bs, tz=UTC)
            writer.row(
                stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                float(total[start + i]),
                max(float(res.score[i]), 0.5 if kw else 0.0),
                name,
            )
    return BacktestSummary("mentions", writer.rows, writer.alerts, bs)


def _keyword_alerts(
    matcher: KeywordMatcher, hits: dict[int, dict[int, int]], first: int, n: int, bs: int
) -> list[str]:
    names = [""] * n
    for rule_index, per_bucket in hits.items():
        rule = matcher.rules[rule_index]
        series = np.zeros(n)
        for b, c in per_bucket.items():
            series[b - first] += c
        width = max(1, rule.window_seconds // bs)
        cs = np.concatenate(([0.0], np.cumsum(series)))
        idx = np.arange(1, n + 1)
        in_window: FloatArray = cs[idx] - cs[np.maximum(idx - width, 0)]
        fire = (in_window >= rule.min_count) & (series > 0)
        for i in np.flatnonzero(fire).tolist():
            names[i] = names[i] or rule.name
    return names

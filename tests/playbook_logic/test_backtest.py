"""``run_backtest``: CSV series and JSONL mentions in, one scored row per bucket out."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from services.playbook.detection import BacktestInputError, run_backtest
from services.playbook.detection.backtest import infer_bucket_seconds, parse_timestamp
from tests.playbook_logic.helpers import START

ALERT_NAMES = {"", "volume_spike", "negative_spike", "negative_share"}


def _hourly_csv(path: Path, *, spike_at: int, hours: int = 24 * 7 * 4) -> list[str]:
    rng = np.random.default_rng(4)
    lines = ["timestamp,value"]
    for i in range(hours):
        t = START + timedelta(hours=i)
        value = int(rng.poisson(40 * (0.15 + np.sin(np.pi * t.hour / 24) ** 2)))
        if i == spike_at:
            value += 150
        # mixed timestamp spellings: Z, offset, space separator
        stamp = [
            t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            t.isoformat(),
            t.strftime("%Y-%m-%d %H:%M:%S"),
        ][i % 3]
        lines.append(f"{stamp},{value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines[1:]


def test_csv_series_gets_one_row_per_input_row_in_order(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    spike = 24 * 7 * 3 + 15
    rows_in = _hourly_csv(source, spike_at=spike)
    out = io.StringIO()
    summary = run_backtest(source, out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["timestamp", "value", "anomaly_score", "alert"]
    body = rows[1:]
    assert len(body) == len(rows_in) == summary.rows
    assert [f"{r[0]},{r[1]}" for r in body] == rows_in  # timestamps and values echoed as given
    assert summary.bucket_seconds == 3600
    assert all(0.0 <= float(r[2]) <= 1.0 for r in body)
    assert {r[3] for r in body} <= ALERT_NAMES
    assert body[spike][3] == "volume_spike"
    assert float(body[spike][2]) >= 0.5
    assert sum(1 for r in body if r[3]) <= 3


def test_csv_series_as_jsonl_output(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    rows_in = _hourly_csv(source, spike_at=600, hours=800)
    out = io.StringIO()
    run_backtest(source, out, fmt="jsonl")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == len(rows_in)
    assert all(set(r) == {"timestamp", "value", "anomaly_score", "alert"} for r in records)
    assert records[600]["alert"] == "volume_spike"
    assert records[0]["alert"] is None
    assert isinstance(records[0]["value"], int)


def test_mentions_jsonl_is_bucketed_per_minute(tmp_path: Path) -> None:
    source = tmp_path / "mentions.jsonl"
    lines: list[dict[str, object]] = []
    for day in range(3):
        for minute in range(0, 1440, 3):
            t = START + timedelta(days=day, minutes=minute, seconds=7)
            lines.append({"created_at": t.isoformat(), "sentiment": "neutral", "text": "ok"})
    t = START + timedelta(days=2, hours=13)
    for i in range(30):
        lines.append(
            {
                "created_at": (t + timedelta(seconds=10 * i)).isoformat(),
                "sentiment": {"label": "negative"},
                "text": "Weer een datalek bij jullie",
                "language": "nl",
            }
        )
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    summary = run_backtest(source, out, fmt="csv")

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert summary.input_kind == "mentions"
    assert len(rows) == summary.rows == 3 * 1440 - 2  # first to last minute with a mention
    assert rows[0]["timestamp"] == START.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [r["value"] for r in rows[:4]] == ["1", "0", "0", "1"]  # quiet minutes are rows
    stamps = [r["timestamp"] for r in rows]
    assert stamps == sorted(stamps)
    burst = [r for r in rows if r["timestamp"].startswith(t.strftime("%Y-%m-%dT13:0"))]
    assert {r["alert"] for r in burst} & {"negative_spike", "data_breach"}


def test_bad_input_is_reported_with_its_line(tmp_path: Path) -> None:
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("time,count\n2026-01-01T00:00:00Z,3\n", encoding="utf-8")
    with pytest.raises(BacktestInputError, match="timestamp"):
        run_backtest(bad_header, io.StringIO())
    bad_row = tmp_path / "b.csv"
    bad_row.write_text("timestamp,value\n2026-01-01T00:00:00Z,3\nyesterday,4\n", encoding="utf-8")
    with pytest.raises(BacktestInputError) as info:
        run_backtest(bad_row, io.StringIO())
    assert info.value.line == 3


def test_timestamps_and_bucket_inference() -> None:
    assert parse_timestamp("2026-01-05T10:00:00Z") == START + timedelta(hours=10)
    assert parse_timestamp("2026-01-05 11:00:00+01:00") == START + timedelta(hours=10)
    assert parse_timestamp("2026-01-05") == START
    assert parse_timestamp(str(START.timestamp())) == START
    day = 86400.0
    assert infer_bucket_seconds([0, day, 2 * day, 4 * day, 5 * day]) == 86400
    assert infer_bucket_seconds([0.0]) == 60


def test_mentions_jsonl_with_intents_runs_the_crisis_signal_detector(tmp_path: Path) -> None:
    source = tmp_path / "mentions.jsonl"
    lines: list[dict[str, object]] = []
    for day in range(3):
        for minute in range(0, 1440, 2):
            t = START + timedelta(days=day, minutes=minute, seconds=7)
            intents = ["crisis_signal"] if minute % 120 == 0 else ["question"]
            lines.append({"created_at": t.isoformat(), "sentiment": "neutral", "intents": intents})
    t = START + timedelta(days=2, hours=13, minutes=1)
    for i in range(8):  # steady volume would not do it; these name a crisis, without keywords
        lines.append(
            {
                "created_at": (t + timedelta(seconds=15 * i)).isoformat(),
                "sentiment": "neutral",
                "text": "wat is hier aan de hand",
                "intents": ["crisis_signal"],
            }
        )
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    run_backtest(source, out, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    alerts = {r["timestamp"]: r["alert"] for r in rows if r["alert"]}
    assert "crisis_signal" in alerts.values()
    first = min(k for k, v in alerts.items() if v == "crisis_signal")
    assert first.startswith(t.strftime("%Y-%m-%dT13:0"))


def test_mentions_jsonl_with_crisis_categories_runs_the_per_category_series(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(17)
    lines: list[dict[str, object]] = []
    for minute in range(3 * 1440):
        t = START + timedelta(minutes=minute)
        outages = int(rng.poisson(2.0))  # a topic that hears of an outage every minute
        for i in range(10):
            named = i < outages
            lines.append(
                {
                    "created_at": (t + timedelta(seconds=5 * i)).isoformat(),
                    "sentiment": "negative" if named else "neutral",
                    "intents": ["crisis_signal"] if named else ["question"],
                    "crisis_categories": ["outage"] if named else [],
                }
            )
    t = START + timedelta(days=2, hours=13, minutes=1)
    for i in range(4):  # four name a data leak: nothing for the total, much for the category
        lines.append(
            {
                "created_at": (t + timedelta(seconds=3 + 10 * i)).isoformat(),
                "sentiment": "negative",
                "intents": ["crisis_signal"],
                "crisis_categories": ["data_leak"],
            }
        )

    def crisis_alerts(items: list[dict[str, object]]) -> list[str]:
        source = tmp_path / "mentions.jsonl"
        source.write_text("\n".join(json.dumps(x) for x in items) + "\n", encoding="utf-8")
        out = io.StringIO()
        run_backtest(source, out, fmt="csv")
        rows = csv.DictReader(io.StringIO(out.getvalue()))
        return [r["timestamp"] for r in rows if r["alert"] == "crisis_signal"]

    assert crisis_alerts(lines) == [t.strftime("%Y-%m-%dT%H:%M:00Z")]
    without = [{k: v for k, v in x.items() if k != "crisis_categories"} for x in lines]
    assert crisis_alerts(without) == []

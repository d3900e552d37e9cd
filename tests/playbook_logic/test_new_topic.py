"""A new topic is not blind for its first day: an all-hours baseline stands in until the
hour-of-day slots are learned."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from services.playbook.detection.backtest import run_backtest


def _series(path: Path, minutes: int, jump_at: int) -> None:
    lines = ["timestamp,value"]
    for i in range(minutes):
        value = 60 if i >= jump_at else 5 + (i * 7919) % 4
        lines.append(f"2026-11-01T{i // 60:02d}:{i % 60:02d}:00Z,{value}")
    path.write_text("\n".join(lines) + "\n")


def test_a_jump_in_the_first_hours_of_a_series_is_flagged(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    _series(source, minutes=300, jump_at=281)
    out = io.StringIO()
    summary = run_backtest(source, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 300 == summary.rows
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)
    assert not any(r["anomaly_score"].startswith("-") for r in rows)
    quiet = rows[:281]
    assert not any(r["alert"] for r in quiet)
    assert rows[281]["alert"] == "volume_spike"
    assert float(rows[281]["anomaly_score"]) > 0.99


def test_nothing_is_scored_before_two_hours_of_history(tmp_path: Path) -> None:
    source = tmp_path / "series.csv"
    _series(source, minutes=100, jump_at=90)
    out = io.StringIO()
    run_backtest(source, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["alert"] for r in rows] == [""] * 100

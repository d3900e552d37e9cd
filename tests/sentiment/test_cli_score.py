"""``uitkijk score FILE`` (score_file): formats, order, alignment, the POST /v1/score shape."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from services.sentiment.cli_score import ScoreFileError, score_file
from services.sentiment.nlp import load_enricher
from services.sentiment.scoring.service import score

pytestmark = pytest.mark.sqlite  # pure: no database, runs everywhere

TEXTS = [
    "Alweer storing bij de app, niemand die reageert",
    'Thanks, "great" support, really',
    "Is de winkel morgen open?",
]


def _expected() -> list[dict[str, object]]:
    return score(load_enricher(), TEXTS, None, 10_000)


def test_jsonl_csv_and_text_give_the_api_results_in_order(tmp_path: Path) -> None:
    enricher = load_enricher()
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps({"text": t, "id": i}) for i, t in enumerate(TEXTS)))
    csv = tmp_path / "in.csv"
    csv.write_text(
        "id,text\n"
        + "".join(f'{i},"{t.replace(chr(34), 2 * chr(34))}"\n' for i, t in enumerate(TEXTS))
    )
    text = tmp_path / "in.txt"
    text.write_text("\n".join(TEXTS) + "\n")
    for path in (jsonl, csv, text):
        out = io.StringIO()
        summary = score_file(path, out, progress=False, enricher=enricher, chunk_size=2)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert lines == _expected(), path.name
        assert (summary.records, summary.errors) == (3, 0)


def test_records_without_text_keep_their_line(tmp_path: Path) -> None:
    path = tmp_path / "in.data"
    path.write_text('{"text": "hallo daar"}\n\n{"body": 1}\nnot json\n{"text": "tot ziens"}\n')
    out = io.StringIO()
    summary = score_file(path, out, fmt="jsonl", progress=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 4 and (summary.records, summary.errors) == (4, 2)
    assert "error" not in lines[0] and "error" not in lines[3]
    assert lines[1]["error"].startswith("line 3") and lines[2]["error"].startswith("line 4")


def test_a_csv_without_a_text_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("body\nhallo\n")
    with pytest.raises(ScoreFileError, match="text"):
        score_file(path, io.StringIO(), progress=False)
    with pytest.raises(ScoreFileError, match="format"):
        score_file(path, io.StringIO(), fmt="xml", progress=False)

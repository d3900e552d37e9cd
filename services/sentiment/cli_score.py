"""``uitkijk score FILE``: score a file of texts, one JSON result a line, in input order.

Input: JSONL (a ``text`` field per line; blank lines skipped), CSV (a ``text`` column) or plain
text (one text per line, every line counts). The format follows the extension (``.jsonl``,
``.ndjson``, ``.json``, ``.csv``; anything else is text) unless ``fmt`` says otherwise. Read and
scored in chunks of 2,000 lines, so memory stays flat for any size. Each output line has the
shape of one ``POST /v1/score`` result; a record without a usable text is scored as an empty
text and its line carries an extra ``"error"`` field, so output lines stay aligned with input
records. Texts are scored on their first 10,000 characters, like the API.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from services.sentiment.nlp import Enricher, load_enricher
from services.sentiment.scoring.service import score

CHUNK = 2000
MAX_CHARS = 10_000
Format = Literal["jsonl", "csv", "text"]


class ScoreFileError(ValueError):
    """The file cannot be read as the format asked for (e.g. a CSV without a ``text`` column)."""


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    records: int
    errors: int


def detect_format(path: Path, fmt: str | None) -> Format:
    if fmt is not None:
        value = fmt.lower()
        if value in ("jsonl", "ndjson", "json"):
            return "jsonl"
        if value in ("csv", "text"):
            return value  # type: ignore[return-value]
        if value in ("txt", "plain"):
            return "text"
        raise ScoreFileError(f"unknown format {fmt!r}; one of jsonl, csv, text")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return "text"


Record = tuple[str, str | None]  # (text, error)


def _jsonl(stream: IO[str]) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value: Any = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield "", f"line {number}: not JSON ({exc})"
            continue
        text = value.get("text") if isinstance(value, dict) else None
        if isinstance(text, str):
            yield text, None
        else:
            yield "", f"line {number}: no string `text` field"


def _csv(stream: IO[str]) -> Iterator[Record]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        raise ScoreFileError(f"the CSV has no `text` column (columns: {reader.fieldnames})")
    for row in reader:
        text = row.get("text")
        if isinstance(text, str):
            yield text, None
        else:
            yield "", f"line {reader.line_num}: no `text` value"


def _text(stream: IO[str]) -> Iterator[Record]:
    for line in stream:
        yield line.rstrip("\r\n"), None


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def score_file(
    path: Path | str,
    out_stream: IO[str],
    fmt: str | None = None,
    progress: bool = True,
    *,
    enricher: Enricher | None = None,
    chunk_size: int = CHUNK,
) -> ScoreSummary:
    """Score every record of ``path`` onto ``out_stream``; a progress bar on stderr if asked."""
    path = Path(path)
    form = detect_format(path, fmt)
    enricher = enricher or load_enricher()
    readers = {"jsonl": _jsonl, "csv": _csv, "text": _text}
    size = path.stat().st_size
    records = errors = 0
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("scoring"),
        BarColumn(),
        TextColumn("{task.fields[records]:,} texts"),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not progress,
        transient=False,
    )
    with path.open("rb") as raw, bar:
        task = bar.add_task("score", total=size, records=0)
        stream = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        for chunk in _chunks(readers[form](stream), chunk_size):
            results = score(enricher, [t for t, _ in chunk], None, MAX_CHARS)
            lines = []
            for result, (_, error) in zip(results, chunk, strict=True):
                if error is not None:
                    result["error"] = error
                    errors += 1
                lines.append(orjson.dumps(result))
            out_stream.write(b"\n".join(lines).decode() + "\n")
            records += len(chunk)
            bar.update(task, completed=raw.tell(), records=records)
        bar.update(task, completed=size, records=records)
    out_stream.flush()
    if errors:
        console.print(f"{errors} record(s) without a usable text (see their `error` field)")
    return ScoreSummary(records=records, errors=errors)

"""Streaming parsers for bulk imports (JSONL and CSV): bytes in, numbered items out.

Nothing holds the whole file: bytes are split into lines as they arrive, and a CSV record that
spans lines (a quoted newline) is joined before it is parsed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from enum import StrEnum

import orjson
from pydantic import JsonValue

#: CSV columns that map onto nested fields of the mention.
_NESTED = {
    "author_handle": ("author", "handle"),
    "author_name": ("author", "name"),
    "author_followers": ("author", "followers"),
    "author_verified": ("author", "verified"),
    "author_bio": ("author", "bio"),
    "author_url": ("author", "url"),
    "likes": ("engagement", "likes"),
    "shares": ("engagement", "shares"),
    "replies": ("engagement", "replies"),
    "views": ("engagement", "views"),
}
_MAX_LINE = 1024 * 1024


class ImportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


class LineParser:
    """Feed bytes, get ``(line_number, item_or_error)``; an error is a string saying what is wrong."""

    def __init__(self, fmt: ImportFormat) -> None:
        self.fmt = fmt
        self._buffer = b""
        self._line = 0
        self._header: list[str] | None = None
        self._record: list[str] = []
        self._record_start = 0

    def feed(self, chunk: bytes) -> Iterator[tuple[int, JsonValue | str]]:
        self._buffer += chunk
        while True:
            cut = self._buffer.find(b"\n")
            if cut < 0:
                if len(self._buffer) > _MAX_LINE:
                    self._line += 1
                    self._buffer = b""
                    yield self._line, f"line longer than {_MAX_LINE} bytes"
                return
            raw, self._buffer = self._buffer[:cut], self._buffer[cut + 1 :]
            self._line += 1
            yield from self._handle(raw)

    def finish(self) -> Iterator[tuple[int, JsonValue | str]]:
        if self._buffer:
            raw, self._buffer = self._buffer, b""
            self._line += 1
            yield from self._handle(raw)
        if self._record:
            self._record = []
            yield self._record_start, "unterminated quoted field at the end of the file"

    def _handle(self, raw: bytes) -> Iterator[tuple[int, JsonValue | str]]:
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            yield self._line, f"not UTF-8: {exc.reason} at byte {exc.start}"
            return
        if self._line == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if self.fmt is ImportFormat.JSONL:
            if not line.strip():
                return
            try:
                yield self._line, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield self._line, f"invalid JSON: {exc}"
            return
        if not self._record:
            if not line.strip():
                return
            self._record_start = self._line
        self._record.append(line)
        record = "\n".join(self._record)
        if record.count('"') % 2:
            return  # a quoted field goes on on the next line
        self._record = []
        try:
            fields = next(csv.reader([record]))
        except csv.Error as exc:
            yield self._record_start, f"invalid CSV: {exc}"
            return
        if self._header is None:
            self._header = [h.strip().lower() for h in fields]
            if "text" not in self._header:
                yield self._record_start, "the CSV header has no `text` column"
            return
        if len(fields) != len(self._header):
            yield self._record_start, f"expected {len(self._header)} fields, got {len(fields)}"
            return
        yield self._record_start, csv_row_to_item(dict(zip(self._header, fields, strict=True)))


def csv_row_to_item(row: dict[str, str]) -> JsonValue:
    """Flat CSV columns to the nested mention shape; empty cells are absent values."""
    item: dict[str, JsonValue] = {}
    for column, value in row.items():
        if value == "":
            continue
        target = _NESTED.get(column)
        if target is None and "." in column:
            parent, child = column.split(".", 1)
            target = (parent, child)
        if target is None:
            item[column] = value
            continue
        parent, child = target
        nested = item.setdefault(parent, {})
        assert isinstance(nested, dict)
        nested[child] = value
    return item

from __future__ import annotations

from pydantic import BaseModel


class LineError(BaseModel):
    line: int
    error: str


class ImportReport(BaseModel):
    import_id: str
    format: str
    lines: int
    accepted: int
    duplicates: int
    rejected: int
    #: The first 1,000 rejected lines, with their line numbers.
    errors: list[LineError]
    errors_truncated: bool

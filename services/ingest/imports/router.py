"""``POST /v1/imports``: a JSONL or CSV file streamed in, stored in chunks, never held whole."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common.db import new_id
from services.common.problems import PROBLEM_RESPONSES
from services.ingest.deps import Queue, Sent, Sessions, Settings, Writer
from services.ingest.imports.parsing import ImportFormat, LineParser
from services.ingest.imports.schemas import ImportReport, LineError
from services.ingest.mentions import service
from services.ingest.mentions.schemas import MentionIn

router = APIRouter(prefix="/v1", tags=["imports"], responses=PROBLEM_RESPONSES)

MAX_REPORTED_ERRORS = 1000


def _format_of(request: Request, explicit: ImportFormat | None) -> ImportFormat:
    if explicit is not None:
        return explicit
    content_type = request.headers.get("content-type", "")
    return ImportFormat.CSV if "csv" in content_type else ImportFormat.JSONL


@router.post(
    "/imports",
    response_model=ImportReport,
    summary="Bulk import a JSONL or CSV file (streamed)",
    description=(
        "Send the file as the request body (`application/x-ndjson` or `text/csv`, or say "
        "`?format=`). Lines are stored in chunks as they arrive, so any size imports in bounded "
        "memory. CSV columns: the mention's fields, with `author_handle`, `author_followers`, "
        "`likes`... (or dotted `author.handle`) for nested ones. The report lists rejected lines "
        "by number."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def bulk_import(
    request: Request,
    caller: Writer,
    sessions: Sessions,
    sent_log: Sent,
    queue: Queue,
    settings: Settings,
    format: Annotated[ImportFormat | None, Query(description="jsonl or csv")] = None,
) -> ImportReport:
    fmt = _format_of(request, format)
    parser = LineParser(fmt)
    report = ImportReport(
        import_id=new_id(),
        format=fmt.value,
        lines=0,
        accepted=0,
        duplicates=0,
        rejected=0,
        errors=[],
        errors_truncated=False,
    )
    pending: list[tuple[int, MentionIn | str]] = []

    async def flush() -> None:
        if not pending:
            return
        async with sessions() as tx:
            accepted = await service.accept_batch(
                tx,
                caller.tenant,
                [item for _, item in pending],
                job_batch_size=settings.job_batch_size,
            )
            await tx.commit()
        await service.deliver(queue, sent_log, accepted.batches)
        report.accepted += accepted.result.accepted
        report.duplicates += accepted.result.duplicates
        for outcome in accepted.result.results:
            if outcome.status == "rejected":
                report.rejected += 1
                line = pending[outcome.index][0]
                _note_error(report, line, outcome.error or "rejected")
        pending.clear()

    async for chunk in request.stream():
        for line, item in parser.feed(chunk):
            await _take(report, pending, line, item)
            if len(pending) >= settings.max_batch:
                await flush()
    for line, item in parser.finish():
        await _take(report, pending, line, item)
    await flush()
    report.errors.sort(key=lambda e: e.line)
    return report


async def _take(
    report: ImportReport,
    pending: list[tuple[int, MentionIn | str]],
    line: int,
    item: object,
) -> None:
    report.lines = max(report.lines, line)
    if isinstance(item, str):
        report.rejected += 1
        _note_error(report, line, item)
        return
    validated = service.validate_items([item])  # type: ignore[list-item]
    pending.append((line, validated[0]))


def _note_error(report: ImportReport, line: int, error: str) -> None:
    if len(report.errors) < MAX_REPORTED_ERRORS:
        report.errors.append(LineError(line=line, error=error))
    else:
        report.errors_truncated = True

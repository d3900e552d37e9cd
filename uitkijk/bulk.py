"""The client side of bulk imports: stream a file to ``POST /v1/imports`` with a progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

CHUNK = 256 * 1024


def stream_import(path: Path, *, url: str, token: str, fmt: str | None) -> dict[str, Any]:
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    size = path.stat().st_size
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )

    def chunks(task: Any) -> Iterator[bytes]:
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                progress.update(task, advance=len(block))
                yield block

    with progress:
        task = progress.add_task(f"importing {path.name}", total=size)
        response = httpx.post(
            f"{url.rstrip('/')}/v1/imports",
            params={"format": fmt},
            content=chunks(task),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "text/csv" if fmt == "csv" else "application/x-ndjson",
            },
            timeout=httpx.Timeout(30.0, read=None),
        )
    if response.status_code != 200:
        raise SystemExit(f"import failed ({response.status_code}): {response.text}")
    report: dict[str, Any] = response.json()
    return report

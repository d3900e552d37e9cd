"""``uitkijk``: the product's command line (see ../shared/API.md for the stable output shapes)."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from uitkijk.registry import APIS, DATABASE_SERVICES, WORKERS

app = typer.Typer(
    name="uitkijk",
    help="Uitkijk: social listening and crisis playbooks, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Integration and development tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="ingest, sentiment, playbook or gateway")],
    host: Annotated[str, typer.Option(envvar="HOST")] = "0.0.0.0",
    port: Annotated[int | None, typer.Option(envvar="PORT")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run one service's REST API (settings from the environment)."""
    import uvicorn

    from services.common.serving import CoalescingHttpToolsProtocol

    spec = APIS.get(service)
    if spec is None:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(APIS)}")
    uvicorn.run(
        spec.app_factory,
        factory=True,
        host=host,
        port=port or spec.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        http=CoalescingHttpToolsProtocol,  # a response's head leaves with its body
    )


@app.command()
def worker(
    queue: Annotated[str, typer.Argument(help="sentiment or playbook")],
    check: Annotated[
        bool, typer.Option("--check", help="exit 0 when the worker is healthy")
    ] = False,
    burst: Annotated[bool, typer.Option("--burst", help="drain the queue, then exit")] = False,
    metrics_port: Annotated[int, typer.Option(envvar="METRICS_PORT")] = 9100,
) -> None:
    """Run a queue worker (arq) for one service."""
    spec = WORKERS.get(queue)
    if spec is None or not spec.available:
        raise typer.BadParameter(f"unknown worker {queue!r}; one of {', '.join(WORKERS)}")
    module = importlib.import_module(spec.factory.split(":")[0])
    if check:
        raise typer.Exit(asyncio.run(module.check_health()))
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    worker_ = _load(spec.factory)(burst=burst)
    worker_.run()


@app.command()
def migrate(
    service: Annotated[list[str] | None, typer.Option(help="only these services")] = None,
    database_url: Annotated[str | None, typer.Option(envvar="DATABASE_URL")] = None,
) -> None:
    """Bring every service's tables up to date (idempotent). PostgreSQL: one schema per service."""
    from services.common.db import is_postgres
    from services.common.migrate import upgrade

    for name in service or DATABASE_SERVICES:
        if not APIS[name].available:
            continue
        url = database_url or os.environ.get(f"{name.upper()}_DATABASE_URL")
        if url is None:
            url = f"sqlite+aiosqlite:///./data/{name}.db"
        upgrade(name, url, name if is_postgres(url) else None)
        typer.echo(f"migrated {name}")


@token_app.command("create")
def token_create(
    tenant: Annotated[str, typer.Option(help="the tenant the token acts for")],
    scope: Annotated[list[str], typer.Option(help="repeat for several scopes")],
    ttl: Annotated[int, typer.Option(help="days until it expires")] = 365,
    subject: Annotated[str | None, typer.Option(help="who or what holds it")] = None,
    department: Annotated[str | None, typer.Option(help="department, for approvals")] = None,
) -> None:
    """Print a signed, long-lived token (HS256 with JWT_SECRET)."""
    from services.common.auth import mint_token
    from services.common.settings import TokenSettings

    try:
        token = mint_token(
            TokenSettings(),
            tenant=tenant,
            scopes=scope,
            subject=subject,
            ttl_seconds=ttl * 24 * 3600,
            department=department,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scope") from exc
    typer.echo(token)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    token: Annotated[str, typer.Option(envvar="UITKIJK_TOKEN", help="a token with mentions:write")],
    url: Annotated[str, typer.Option(envvar="INGEST_URL")] = "http://127.0.0.1:8001",
    format: Annotated[str | None, typer.Option(help="jsonl or csv (default: by extension)")] = None,
) -> None:
    """Stream a JSONL or CSV file of mentions into ingest, with a progress bar."""
    from uitkijk.bulk import stream_import

    report = stream_import(file, url=url, token=token, fmt=format)
    for error in report.get("errors", []):
        typer.echo(f"line {error['line']}: {error['error']}", err=True)
    typer.echo(
        f"{report['accepted']} accepted, {report['duplicates']} duplicates, "
        f"{report['rejected']} rejected of {report['lines']} lines"
    )
    if report.get("errors_truncated"):
        typer.echo("(only the first 1,000 rejected lines are listed)", err=True)


@app.command()
def score(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[
        str | None, typer.Option(help="jsonl, csv or text (default: by extension)")
    ] = None,
    progress: Annotated[bool, typer.Option(help="a progress bar on stderr")] = True,
) -> None:
    """Score a file of texts: one JSON result a line on stdout, in input order."""
    from services.sentiment.cli_score import score_file

    score_file(file, sys.stdout, fmt=format, progress=progress)


@app.command()
def backtest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str, typer.Option(help="csv or jsonl output")] = "csv",
    bucket_seconds: Annotated[int | None, typer.Option(help="override the inferred bucket")] = None,
) -> None:
    """Run the detectors over a CSV series (timestamp,value) or a JSONL of mentions."""
    from services.playbook.detection.backtest import BacktestInputError, run_backtest

    if format not in ("csv", "jsonl"):
        raise typer.BadParameter("csv or jsonl", param_hint="--format")
    try:
        summary = run_backtest(file, sys.stdout, format, bucket_seconds=bucket_seconds)  # type: ignore[arg-type]
    except BacktestInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"{summary.rows} {summary.input_kind} rows, {summary.alerts} alerts, "
        f"bucket {summary.bucket_seconds} s",
        err=True,
    )


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(envvar="UITKIJK_DATA")] = Path(".uitkijk"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """Start every API, worker and the gateway on this machine (SQLite and embedded Redis)."""
    from uitkijk.launcher import run_stack

    sys.exit(run_stack(data_dir=data_dir, host=host))


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(envvar="UITKIJK_DATA")] = Path(".uitkijk"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """Start the stack and replay the Dutch data-leak scenario: scored, incident, approval, webhook."""
    from uitkijk.demo import run_scenario
    from uitkijk.launcher import run_stack

    extra = {
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        # The demo's receiver listens on this machine: allow loopback targets here only.
        "ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
    }
    sys.exit(
        run_stack(data_dir, host, extra_env=extra, after_ready=lambda s: run_scenario(s, host))
    )


def main() -> None:
    app()

"""The operator's command line: tokens and migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from services.common.auth import TokenVerifier
from services.common.settings import TokenSettings
from uitkijk.cli import app

runner = CliRunner()


async def test_token_create_prints_a_verifiable_token() -> None:
    result = runner.invoke(
        app, ["token", "create", "--tenant", "acme", "--scope", "mentions:write", "--ttl", "30"]
    )
    assert result.exit_code == 0, result.output
    caller = await TokenVerifier(TokenSettings()).verify(result.output.strip())
    assert caller.tenant == "acme"
    assert caller.scopes == frozenset({"mentions:write"})


def test_token_create_refuses_unknown_scopes() -> None:
    result = runner.invoke(app, ["token", "create", "--tenant", "acme", "--scope", "nope"])
    assert result.exit_code != 0
    assert "unknown scope" in result.output


def test_migrate_creates_each_services_tables_and_is_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "uitkijk", "migrate", "--service", "ingest"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "data" / "ingest.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"mentions", "outbox", "idempotency_keys", "alembic_version"} <= tables

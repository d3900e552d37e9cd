"""One million mentions through `uitkijk import` in bounded memory.

    .venv/bin/python bench/import_memory.py [--lines 1000000] [--database postgres|sqlite]

Writes a JSONL file of N mentions (streamed to disk, a few bad lines among them), starts the ingest
API, runs the real CLI command (`uitkijk import FILE`) against it, and prints the time, the rate,
and the peak resident memory (VmHWM) of the server and of the CLI process, beside the file size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import orjson

from services.common.auth import mint_token
from services.common.embedded_redis import free_port
from services.common.migrate import upgrade
from services.common.settings import TokenSettings

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_file(path: Path, lines: int) -> int:
    bad = 0
    with path.open("wb") as out:
        for i in range(lines):
            if i % 100_000 == 99_999:
                out.write(b'{"platform": "x", "broken json\n')
                bad += 1
                continue
            out.write(
                orjson.dumps(
                    {
                        "platform": "x",
                        "external_id": f"imp-{i}",
                        "text": f"Bericht {i} over de storing bij de app #storing",
                        "created_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                        "author": {"handle": f"user{i % 5000}", "followers": i % 10_000},
                    }
                )
                + b"\n"
            )
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = work / "mentions.jsonl"
        bad = write_file(data, args.lines)
        name = f"uitkijk_import_{uuid.uuid4().hex[:8]}"
        if args.database == "postgres":
            subprocess.run(["psql", ADMIN, "-qc", f'CREATE DATABASE "{name}"'], check=True)
            url = (
                ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
                + f"/{name}"
            )
            schema = "ingest"
        else:
            url = f"sqlite+aiosqlite:///{work / 'ingest.db'}"
            schema = ""
        upgrade("ingest", url, schema or None)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "DATABASE_SCHEMA": schema, "LOG_LEVEL": "WARNING",
               "QUEUE_PREFIX": f"import-{uuid.uuid4().hex[:6]}", "RATE_LIMIT_PER_SECOND": "0"}  # fmt: skip
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uitkijk",
                "serve",
                "ingest",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            env=env,
        )
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            token = mint_token(TokenSettings(), tenant="import", scopes=["mentions:write"])
            started = time.perf_counter()
            cli = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uitkijk",
                    "import",
                    str(data),
                    "--url",
                    f"http://127.0.0.1:{port}",
                ],
                env={**env, "UITKIJK_TOKEN": token},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            cli_peak = 0.0
            while cli.poll() is None:
                cli_peak = max(cli_peak, peak_rss_mb(cli.pid))
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            out, err = cli.communicate()
            server_peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
            # The sentiment queue of this run is left for nobody: drop it.
            subprocess.run(["redis-cli", "DEL", f"{env['QUEUE_PREFIX']}:queue:sentiment"],
                           capture_output=True, check=False)  # fmt: skip
            if args.database == "postgres":
                subprocess.run(
                    ["psql", ADMIN, "-qc", f'DROP DATABASE "{name}" WITH (FORCE)'], check=False
                )
        print(f"file: {args.lines:,} lines, {data.stat().st_size / 1e6:,.0f} MB, {bad} bad lines")
        print(f"CLI said: {out.strip().splitlines()[-1] if out.strip() else err[-300:]}")
        print(
            f"rejected lines reported on stderr: {sum(1 for row in err.splitlines() if row.startswith('line '))}"
        )
        print(f"time: {elapsed:.1f} s, {args.lines / elapsed:,.0f} lines/s ({args.database})")
        print(f"peak RSS: server {server_peak:.0f} MB, CLI {cli_peak:.0f} MB")


if __name__ == "__main__":
    main()

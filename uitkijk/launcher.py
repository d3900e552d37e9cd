"""``uitkijk up``: every API, worker and the gateway as separate processes on one machine.

SQLite files in a data folder (or PostgreSQL when ``DATABASE_URL`` is set), Redis at ``REDIS_URL``
or on the default port, or else an embedded one. Waits until all are ready, prints where they are,
streams their logs with a prefix each, restarts what dies, and stops everything on Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.common.auth import SCOPES, mint_token
from services.common.db import is_postgres
from services.common.embedded_redis import EmbeddedRedis, redis_answers, start_embedded_redis
from services.common.migrate import upgrade
from services.common.settings import TokenSettings
from uitkijk.registry import APIS, WORKERS

COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m", "\033[31m", "\033[96m"]
RESET = "\033[0m"
_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


@dataclass
class Proc:
    name: str
    command: list[str]
    env: dict[str, str]
    colour: str
    ready_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        thread = threading.Thread(target=self._pump, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _pump(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        prefix = f"{self.colour}{self.name:<17}|{RESET} "
        for raw in iter(self.process.stdout.readline, b""):
            say(prefix + raw.decode("utf-8", "replace").rstrip())

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Stack:
    redis_url: str
    database_urls: dict[str, str]
    jwt_secret: str
    embedded_redis: EmbeddedRedis | None


def choose_redis(data_dir: Path) -> tuple[str, EmbeddedRedis | None]:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    if redis_answers(port=6379):
        return "redis://127.0.0.1:6379/0", None
    port = 6379 if not redis_answers(port=6379) else None
    try:
        server = start_embedded_redis(data_dir / "redis", port=port)
    except RuntimeError:
        server = start_embedded_redis(data_dir / "redis")
    return server.url, server


def database_urls(data_dir: Path) -> dict[str, str]:
    shared = os.environ.get("DATABASE_URL")
    urls: dict[str, str] = {}
    for name, api in APIS.items():
        if not api.migrations:
            continue
        urls[name] = shared or f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').resolve()}"
    return urls


def jwt_secret(data_dir: Path) -> str:
    if os.environ.get("JWT_SECRET"):
        return os.environ["JWT_SECRET"]
    path = data_dir / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare(data_dir: Path) -> Stack:
    data_dir.mkdir(parents=True, exist_ok=True)
    redis_url, embedded = choose_redis(data_dir)
    urls = database_urls(data_dir)
    for name, url in urls.items():
        if APIS[name].available:
            upgrade(name, url, name if is_postgres(url) else None)
    return Stack(redis_url, urls, jwt_secret(data_dir), embedded)


def process_table(stack: Stack, host: str, extra_env: dict[str, str] | None = None) -> list[Proc]:
    base = {
        **os.environ,
        **(extra_env or {}),
        "REDIS_URL": stack.redis_url,
        "JWT_SECRET": stack.jwt_secret,
        "LOG_JSON": os.environ.get("LOG_JSON", "false"),
        "PYTHONUNBUFFERED": "1",
        "INGEST_URL": f"http://{host}:{APIS['ingest'].port}",
        "SENTIMENT_URL": f"http://{host}:{APIS['sentiment'].port}",
        "PLAYBOOK_URL": f"http://{host}:{APIS['playbook'].port}",
    }
    procs: list[Proc] = []
    colours = iter(COLOURS * 3)
    for name, api in APIS.items():
        if not api.available:
            continue
        env = dict(base)
        if name in stack.database_urls:
            url = stack.database_urls[name]
            env["DATABASE_URL"] = url
            env["DATABASE_SCHEMA"] = name if is_postgres(url) else ""
        command = [
            sys.executable,
            "-m",
            "uitkijk",
            "serve",
            name,
            "--host",
            host,
            "--port",
            str(api.port),
        ]
        procs.append(Proc(name, command, env, next(colours), f"http://{host}:{api.port}/readyz"))
    for offset, (name, spec) in enumerate(WORKERS.items()):
        if not spec.available:
            continue
        env = dict(base)
        url = stack.database_urls[name]
        env["DATABASE_URL"] = url
        env["DATABASE_SCHEMA"] = name if is_postgres(url) else ""
        command = [
            sys.executable,
            "-m",
            "uitkijk",
            "worker",
            name,
            "--metrics-port",
            str(9101 + offset),
        ]
        procs.append(Proc(f"{name}-worker", command, env, next(colours)))
    return procs


def wait_ready(procs: list[Proc], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    pending = [p for p in procs if p.ready_url]
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            for proc in list(pending):
                try:
                    if client.get(proc.ready_url or "").status_code == 200:
                        pending.remove(proc)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
    return not pending


def run_stack(
    data_dir: Path,
    host: str = "127.0.0.1",
    *,
    extra_env: dict[str, str] | None = None,
    after_ready: Callable[[Stack], None] | None = None,
) -> int:
    """Run until Ctrl-C. ``after_ready`` runs in a thread once every API answers (the demo)."""
    stack = prepare(data_dir)
    procs = process_table(stack, host, extra_env)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for proc in procs:
        proc.start()
    try:
        if not wait_ready(procs):
            say("some services did not become ready; see their logs above")
        else:
            announce(stack, host)
            if after_ready is not None:
                threading.Thread(target=after_ready, args=(stack,), daemon=True).start()
        while not stopping.is_set():
            for proc in procs:
                if (
                    proc.process is not None
                    and proc.process.poll() is not None
                    and not stopping.is_set()
                ):
                    code = proc.process.returncode
                    delay = (
                        min(30.0, 2.0**proc.restarts)
                        if time.monotonic() - proc.started_at < 30
                        else 1.0
                    )
                    say(f"{proc.name} exited with {code}; restarting in {delay:.0f} s")
                    proc.restarts += 1
                    stopping.wait(delay)
                    if not stopping.is_set():
                        proc.start()
            stopping.wait(0.5)
    finally:
        say("stopping …")
        for proc in reversed(procs):
            proc.stop()
        if stack.embedded_redis is not None:
            stack.embedded_redis.stop()
        say("stopped")
    return 0


def dev_token(stack: Stack, department: str | None = None) -> str:
    """A 30-day token for tenant ``demo`` with every scope (development only)."""
    return mint_token(
        TokenSettings(secret=stack.jwt_secret),
        tenant="demo",
        scopes=sorted(SCOPES),
        subject=f"dev:{department}" if department else "dev",
        ttl_seconds=30 * 24 * 3600,
        department=department,
    )


def announce(stack: Stack, host: str) -> None:
    token = dev_token(stack)
    lines = ["", "Uitkijk is up.", ""]
    if APIS["gateway"].available:
        lines.append(f"  GraphQL (GraphiQL)   http://{host}:{APIS['gateway'].port}/graphql")
    for name, api in APIS.items():
        if name != "gateway" and api.available:
            lines.append(f"  {name:<20} http://{host}:{api.port}/docs")
    lines += [
        f"  Redis                {stack.redis_url}{' (embedded)' if stack.embedded_redis else ''}",
        "",
        "  Development token (tenant 'demo', every scope, 30 days):",
        f"  {token}",
        "",
        "  Ctrl-C stops everything.",
        "",
    ]
    say("\n".join(lines))

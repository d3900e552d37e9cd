"""Small typed factories: mentions as integrators send them, scored through the real pipeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool, queue_name, ready_depth
from tests.gateway.conftest import Stack
from tests.gateway.support import run_worker_burst

DATALEK_NL = [
    "Mijn gegevens staan online, groot datalek bij de bank! Schandalig",
    "Datalek bij de bank: mijn adres en IBAN zijn gelekt. Wie is verantwoordelijk?",
    "Weer een datalek, gehackt en niemand zegt iets. Waardeloos",
]

NEGATIVE_NL = [
    "Alweer storing bij de app, niemand die reageert. Schandalig slechte service #storing",
    "Mijn gegevens zijn gelekt, dit is een datalek! Waardeloos, ik wil mijn geld terug",
    "Al drie dagen kan ik niet inloggen. Belachelijk, boos en teleurgesteld",
]


def mention(**overrides: Any) -> dict[str, Any]:
    created = datetime.now(UTC) - timedelta(minutes=5)
    body: dict[str, Any] = {
        "platform": "x",
        "external_id": uuid.uuid4().hex,
        "url": "https://x.com/someone/status/1",
        "text": NEGATIVE_NL[0],
        "language": None,
        "created_at": created.isoformat(),
        "author": {
            "handle": "someone",
            "name": "Some One",
            "followers": 1200,
            "verified": True,
            "bio": "Journalist bij een landelijke krant",
            "url": "https://x.com/someone",
        },
        "engagement": {"likes": 3, "shares": 1, "replies": 0, "views": 250},
        "raw": {},
    }
    body.update(overrides)
    return body


def mentions(n: int, texts: list[str] = NEGATIVE_NL, **overrides: Any) -> list[dict[str, Any]]:
    start = datetime.now(UTC) - timedelta(minutes=30)
    return [
        mention(
            text=texts[i % len(texts)] + f" ({i})",
            created_at=(start + timedelta(seconds=i)).isoformat(),
            **overrides,
        )
        for i in range(n)
    ]


async def ingest(stack: Stack, token: str, items: list[dict[str, Any]]) -> list[str]:
    """Posts to ingest itself (as an integration does); returns the stored ids in order."""
    ids: list[str] = []
    for start in range(0, len(items), 500):
        response = await stack.clients["ingest"].post(
            "/v1/mentions",
            json={"mentions": items[start : start + 500]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 202, response.text
        ids.extend(r["id"] for r in response.json()["results"])
    return ids


async def score(stack: Stack) -> None:
    """Runs the sentiment worker (burst) over what ingest queued."""
    await run_worker_burst("services.sentiment.worker", stack.service_settings["sentiment"])


async def evaluate(stack: Stack) -> None:
    """Runs the playbook worker (burst) over the jobs that are ready now (not the deadlines)."""
    settings = stack.service_settings["playbook"]
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    try:
        # arq may stop a little short of max_burst_jobs when it runs jobs concurrently: go again.
        for _ in range(10):
            ready = await ready_depth(pool, queue_name(settings.queue_prefix, PLAYBOOK_QUEUE))
            if not ready:
                return
            await run_worker_burst("services.playbook.worker", settings, max_jobs=ready)
        raise AssertionError("the playbook queue never drained")
    finally:
        await pool.aclose()


async def ingest_and_score(stack: Stack, token: str, items: list[dict[str, Any]]) -> list[str]:
    ids = await ingest(stack, token, items)
    await score(stack)
    return ids

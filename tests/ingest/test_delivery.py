"""Nothing accepted is lost: Redis down at arrival, the sweeper delivers once it is back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from services.common.contracts import MentionBatchV1
from services.common.embedded_redis import free_port, start_embedded_redis
from services.ingest.mentions import repository as repo
from services.ingest.mentions.service import sweep_once
from tests.conftest import TokenFactory
from tests.ingest.conftest import IngestFactory
from tests.ingest.factories import auth, mention


async def test_redis_down_then_up_loses_nothing(
    ingest_factory: IngestFactory,
    tenant: str,
    make_token: TokenFactory,
    queue_reader: Any,
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    ingest = await ingest_factory(redis_url=url, redis_timeout_seconds=0.5)
    headers = auth(make_token(tenant, "mentions:write"))
    items = [mention() for _ in range(7)]
    response = await ingest.client.post("/v1/mentions", json={"mentions": items}, headers=headers)
    assert response.status_code == 202
    ids = {r["id"] for r in response.json()["results"]}
    assert response.json()["accepted"] == 7

    async with ingest.app.state.sessions() as session:
        assert await repo.count_unsent(session) >= 1
    assert (
        await sweep_once(ingest.app.state.queue, ingest.app.state.sessions, grace=timedelta(0)) == 0
    )

    server = start_embedded_redis(tmp_path / "redis", port=port)
    try:
        sent = await sweep_once(
            ingest.app.state.queue, ingest.app.state.sessions, grace=timedelta(0)
        )
        assert sent >= 1
        pool = await queue_reader("sentiment", url)
        jobs = await pool.queued_jobs()
        batches = [MentionBatchV1.model_validate(j.args[0]) for j in jobs]
        delivered = {m.id for b in batches if b.tenant == tenant for m in b.mentions}
        assert delivered == ids
        async with ingest.app.state.sessions() as session:
            assert await repo.count_unsent(session) == 0
        # A second sweep has nothing left to send.
        assert (
            await sweep_once(ingest.app.state.queue, ingest.app.state.sessions, grace=timedelta(0))
            == 0
        )
    finally:
        server.stop()


async def test_replay_requeues_a_time_range(
    ingest_factory: IngestFactory, tenant: str, make_token: TokenFactory, queue_reader: Any
) -> None:
    ingest = await ingest_factory(job_batch_size=2)
    headers = auth(make_token(tenant, "mentions:write"))
    items = [mention(created_at=f"2026-11-20T0{h}:00:00Z") for h in range(5)]
    await ingest.client.post("/v1/mentions", json={"mentions": items}, headers=headers)
    replay = await ingest.client.post(
        "/v1/replays",
        json={"since": "2026-11-20T01:00:00Z", "until": "2026-11-20T04:00:00Z"},
        headers=headers,
    )
    assert replay.status_code == 202, replay.text
    body = replay.json()
    assert (body["mentions"], body["batches"], body["enqueued_batches"]) == (3, 2, 2)
    pool = await queue_reader("sentiment", ingest.settings.redis_url)
    replays = [
        MentionBatchV1.model_validate(j.args[0])
        for j in await pool.queued_jobs()
        if j.args[0]["tenant"] == tenant and j.args[0]["reason"] == "replay"
    ]
    hours = sorted(m.created_at.hour for b in replays for m in b.mentions)
    assert hours == [1, 2, 3]
    backwards = await ingest.client.post(
        "/v1/replays",
        json={"since": "2026-11-20T04:00:00Z", "until": "2026-11-20T01:00:00Z"},
        headers=headers,
    )
    assert backwards.status_code == 422
    assert backwards.json()["type"].endswith("/invalid-time-range")

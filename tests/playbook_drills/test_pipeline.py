"""A drill's mentions enter the real pipeline: through ingest's REST API as the sandbox tenant,
or as ``MentionBatchV1`` jobs on the sentiment queue.

(The sentiment and playbook workers are not run here: the end of the chain is covered by the
recorded-events test in test_drills.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.common.contracts import MentionBatchV1
from services.common.migrate import upgrade_async
from services.common.queue import SENTIMENT_QUEUE, create_queue_pool, queue_name
from services.common.settings import TokenSettings
from services.ingest.app import create_app as create_ingest
from services.ingest.settings import IngestSettings
from services.playbook.drills.runner import run_drill_tick
from services.playbook.drills.senders import IngestSender, QueueSender
from services.playbook.drills.settings import DrillSettings
from services.playbook.scenarios.generator import load_datalek_nl
from services.sentiment.app import create_app as create_sentiment
from services.sentiment.settings import SentimentSettings
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness

MakeDrills = Callable[..., Coroutine[Any, Any, Harness]]


async def test_a_drill_posts_to_ingest_as_its_sandbox_tenant(
    make_drills: MakeDrills,
    tenant: str,
    make_token: TokenFactory,
    postgres_url: str,
    redis_url: str,
    queue_prefix: str,
) -> None:
    await upgrade_async("ingest", postgres_url, "ingest")
    ingest = create_ingest(
        IngestSettings(
            database_url=postgres_url,
            database_schema="ingest",
            redis_url=redis_url,
            queue_prefix=queue_prefix,
            run_sweeper=False,
            rate_limit_per_second=0,
        )
    )
    h = await make_drills()
    headers = {"Authorization": f"Bearer {make_token(tenant, 'drills:write', 'incidents:read')}"}
    drill = (
        await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
    ).json()
    sandbox = drill["sandbox_tenant"]
    started = datetime.fromisoformat(drill["started_at"])
    quiet = sum(1 for m in load_datalek_nl() if m.offset_seconds <= 5400)

    async with ingest.router.lifespan_context(ingest):
        transport = httpx.ASGITransport(app=ingest)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            sender = IngestSender(DrillSettings(), TokenSettings(), client=client)
            sent = await run_drill_tick(
                h.sessions,
                DrillSettings(),
                sender,
                now=started + timedelta(seconds=90),
                only=[drill["id"]],
            )
            assert sent == quiet

            as_sandbox = {"Authorization": f"Bearer {make_token(sandbox, 'mentions:read')}"}
            page = await client.get("/v1/mentions?limit=500", headers=as_sandbox)
            stored = page.json()["items"]
            assert len(stored) == quiet
            latest = max(datetime.fromisoformat(m["created_at"]) for m in stored)
            assert started <= latest <= started + timedelta(seconds=5400)
            as_tenant = {"Authorization": f"Bearer {make_token(tenant, 'mentions:read')}"}
            assert (await client.get("/v1/mentions", headers=as_tenant)).json()["items"] == []

            # A resend of the same slice (a crash before the commit) stores nothing twice.
            batch = [
                {**m.model_dump(mode="json"), "created_at": stored[0]["created_at"]}
                for m in sorted(load_datalek_nl(), key=lambda m: m.offset_seconds)[:3]
            ]
            for m in batch:
                m.pop("offset_seconds")
            await sender.send(sandbox, f"drill-{drill['id']}-replay", batch)
            again = await client.get("/v1/mentions?limit=500", headers=as_sandbox)
            assert len(again.json()["items"]) == quiet

    pool = await create_queue_pool(redis_url, queue_prefix, SENTIMENT_QUEUE)
    try:
        jobs = await pool.queued_jobs(queue_name=queue_name(queue_prefix, SENTIMENT_QUEUE))
        ours = [j for j in jobs if j.args and j.args[0].get("tenant") == sandbox]
        assert sum(len(j.args[0]["mentions"]) for j in ours) == quiet
    finally:
        await pool.aclose()


async def test_queue_mode_enqueues_contract_batches_once(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory, redis_url: str
) -> None:
    prefix = f"test-drill-{uuid.uuid4().hex[:8]}"
    h = await make_drills(delivery="queue", batch_size=40)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'drills:write')}"}
    drill = (
        await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
    ).json()
    started = datetime.fromisoformat(drill["started_at"])
    sender = QueueSender.connect(redis_url, prefix)
    settings = DrillSettings(delivery="queue", batch_size=40)
    try:
        at = started + timedelta(seconds=90)
        sent = await run_drill_tick(h.sessions, settings, sender, now=at, only=[drill["id"]])
        # The same slice again (as after a crash between enqueue and commit) is refused by arq.
        await sender.send(
            drill["sandbox_tenant"],
            f"drill-{drill['id']}-0-{sent}",
            [{"platform": "x", "external_id": "dup", "text": "x", "created_at": at.isoformat()}],
        )
    finally:
        await sender.aclose()

    pool = await create_queue_pool(redis_url, prefix, SENTIMENT_QUEUE)
    try:
        jobs = await pool.queued_jobs(queue_name=queue_name(prefix, SENTIMENT_QUEUE))
        assert {j.function for j in jobs} == {"score_batch"}
        batches = [MentionBatchV1.model_validate(j.args[0]) for j in jobs]
        assert {j.job_id for j in jobs} == {b.batch_id for b in batches}
        assert all(b.tenant == drill["sandbox_tenant"] for b in batches)
        assert sum(len(b.mentions) for b in batches) == sent
        assert all(len(b.mentions) <= 40 for b in batches)
        assert not any(m.external_id == "dup" for b in batches for m in b.mentions)
        await pool.delete(queue_name(prefix, SENTIMENT_QUEUE))
    finally:
        await pool.aclose()


async def test_the_sandbox_gets_the_tenants_topics_and_known_accounts(
    make_drills: MakeDrills,
    tenant: str,
    make_token: TokenFactory,
    postgres_url: str,
    redis_url: str,
    queue_prefix: str,
) -> None:
    await upgrade_async("sentiment", postgres_url, "sentiment")
    sentiment = create_sentiment(
        SentimentSettings(
            database_url=postgres_url,
            redis_url=redis_url,
            queue_prefix=queue_prefix,
            rate_limit_per_second=0,
        )
    )
    async with sentiment.router.lifespan_context(sentiment):
        transport = httpx.ASGITransport(app=sentiment)
        async with httpx.AsyncClient(transport=transport, base_url="http://sentiment") as client:
            own = {"Authorization": f"Bearer {make_token(tenant, 'topics:write')}"}
            for name, query in (("Duinzorg", "duinzorg OR @duinzorg"), ("Datalek", "datalek*")):
                created = await client.post(
                    "/v1/topics", json={"name": name, "query": query}, headers=own
                )
                assert created.status_code == 201, created.text
            await client.put(
                "/v1/known-accounts",
                json={"accounts": [{"handle": "lisa_onderzoekt", "stakeholder": "media"}]},
                headers=own,
            )

            h = await make_drills()
            h.app.state.drill_sentiment_client = client
            headers = {"Authorization": f"Bearer {make_token(tenant, 'drills:write')}"}
            drill = await h.client.post(
                "/v1/drills", json={"scenario": "datalek_nl"}, headers=headers
            )
            assert drill.status_code == 201 and drill.json()["error"] is None

            sandbox = {
                "Authorization": f"Bearer {make_token(drill.json()['sandbox_tenant'], 'topics:write')}"
            }
            topics = (await client.get("/v1/topics", headers=sandbox)).json()["items"]
            assert sorted(t["name"] for t in topics) == ["Datalek", "Duinzorg"]
            accounts = (await client.get("/v1/known-accounts", headers=sandbox)).json()["items"]
            assert [(a["handle"], a["stakeholder"]) for a in accounts] == [
                ("lisa_onderzoekt", "media")
            ]


async def test_a_drill_starts_even_when_topics_cannot_be_copied(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills(sentiment_url="http://127.0.0.1:9", timeout_seconds=2)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'drills:write')}"}
    drill = await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
    assert drill.status_code == 201 and drill.json()["status"] == "running"
    assert drill.json()["error"].startswith("topics not copied")

"""POST/GET /v1/mentions: per-item outcomes, exactly-once storage, idempotency, tenant isolation."""

from __future__ import annotations

from typing import Any

from services.common.contracts import MentionBatchV1
from tests.conftest import TokenFactory
from tests.ingest.conftest import Ingest
from tests.ingest.factories import auth, mention


async def _queued_for(queue_reader: Any, tenant: str, url: str) -> list[MentionBatchV1]:
    pool = await queue_reader("sentiment", url)
    jobs = await pool.queued_jobs()
    batches = [
        MentionBatchV1.model_validate(job.args[0]) for job in jobs if job.function == "score_batch"
    ]
    return [b for b in batches if b.tenant == tenant]


async def test_batch_reports_each_item_and_stores_once(
    ingest: Ingest, tenant: str, make_token: TokenFactory, queue_reader: Any
) -> None:
    good = mention()
    bad = mention(text="", created_at="not a date")
    naive = mention(created_at="2026-11-28T09:15:00")
    same_as_first = dict(good)
    response = await ingest.client.post(
        "/v1/mentions",
        json={"mentions": [good, bad, naive, same_as_first, 42]},
        headers=auth(make_token(tenant, "mentions:write")),
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "accepted", "rejected", "rejected", "duplicate", "rejected",
    ]  # fmt: skip
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3, 4]
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, 3)
    assert "text" in body["results"][1]["error"] and "created_at" in body["results"][1]["error"]
    assert "timezone" in body["results"][2]["error"]
    assert "object" in body["results"][4]["error"]
    assert body["results"][3]["id"] == body["results"][0]["id"]

    batches = await _queued_for(queue_reader, tenant, ingest.settings.redis_url)
    assert len(batches) == 1
    assert [m.id for m in batches[0].mentions] == [body["results"][0]["id"]]
    assert batches[0].mentions[0].author.followers == 1200


async def test_duplicate_mention_is_reported_and_not_requeued(
    ingest: Ingest, tenant: str, make_token: TokenFactory, queue_reader: Any
) -> None:
    headers = auth(make_token(tenant, "mentions:write"))
    items = [mention(), mention()]
    first = (
        await ingest.client.post("/v1/mentions", json={"mentions": items}, headers=headers)
    ).json()
    again = await ingest.client.post(
        "/v1/mentions", json={"mentions": [*items, mention()]}, headers=headers
    )
    body = again.json()
    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate", "accepted"]
    assert [r["id"] for r in body["results"][:2]] == [r["id"] for r in first["results"]]
    batches = await _queued_for(queue_reader, tenant, ingest.settings.redis_url)
    queued_ids = [m.id for b in batches for m in b.mentions]
    assert len(queued_ids) == 3 and len(set(queued_ids)) == 3


async def test_idempotency_key_returns_first_answer(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    headers = {**auth(make_token(tenant, "mentions:write")), "Idempotency-Key": "abc-123"}
    payload = {"mentions": [mention()]}
    first = await ingest.client.post("/v1/mentions", json=payload, headers=headers)
    second = await ingest.client.post("/v1/mentions", json=payload, headers=headers)
    assert first.status_code == second.status_code == 202
    assert second.json() == first.json()
    assert second.json()["results"][0]["status"] == "accepted"
    assert second.headers["idempotent-replayed"] == "true"

    other = await ingest.client.post(
        "/v1/mentions", json={"mentions": [mention()]}, headers=headers
    )
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_tenants_never_see_each_other(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    other_tenant = tenant + "-other"
    item = mention()
    mine = await ingest.client.post(
        "/v1/mentions",
        json={"mentions": [item]},
        headers=auth(make_token(tenant, "mentions:write")),
    )
    mention_id = mine.json()["results"][0]["id"]
    theirs = auth(make_token(other_tenant, "mentions:read", "mentions:write"))

    missing = await ingest.client.get(f"/v1/mentions/{mention_id}", headers=theirs)
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("/mention-not-found")
    listed = await ingest.client.get("/v1/mentions", params={"ids": mention_id}, headers=theirs)
    assert listed.json()["items"] == []
    # The same platform id in another tenant is that tenant's own, new mention.
    pushed = await ingest.client.post("/v1/mentions", json={"mentions": [item]}, headers=theirs)
    result = pushed.json()["results"][0]
    assert result["status"] == "accepted" and result["id"] != mention_id


async def test_list_filters_and_cursor_pages(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "mentions:write", "mentions:read"))
    items = [
        mention(created_at=f"2026-11-28T10:{minute:02d}:00Z", text=f"post {minute} over de app")
        for minute in range(7)
    ]
    items.append(mention(platform="reddit", created_at="2026-11-28T11:00:00Z", text="Reddit KPN draad",
                         author={"handle": "Redditor"}))  # fmt: skip
    await ingest.client.post("/v1/mentions", json={"mentions": items}, headers=headers)

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "platform": "x"}
        if cursor:
            params["cursor"] = cursor
        page = (await ingest.client.get("/v1/mentions", params=params, headers=headers)).json()
        seen.extend(m["text"] for m in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"post {minute} over de app" for minute in reversed(range(7))]

    window = await ingest.client.get(
        "/v1/mentions",
        params={"since": "2026-11-28T10:02:00Z", "until": "2026-11-28T10:04:00Z"},
        headers=headers,
    )
    assert [m["text"] for m in window.json()["items"]] == [
        "post 3 over de app",
        "post 2 over de app",
    ]
    by_author = await ingest.client.get(
        "/v1/mentions", params={"author": "@redditor"}, headers=headers
    )
    assert [m["platform"] for m in by_author.json()["items"]] == ["reddit"]
    by_text = await ingest.client.get("/v1/mentions", params={"q": "kpn"}, headers=headers)
    assert [m["text"] for m in by_text.json()["items"]] == ["Reddit KPN draad"]
    one = by_text.json()["items"][0]
    fetched = await ingest.client.get(f"/v1/mentions/{one['id']}", headers=headers)
    assert fetched.json() == one

    bad_cursor = await ingest.client.get(
        "/v1/mentions", params={"cursor": "nonsense"}, headers=headers
    )
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["type"].endswith("/invalid-cursor")


async def test_an_expired_idempotency_key_may_be_used_afresh(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from services.ingest.mentions.tables import IdempotencyKey

    headers = {**auth(make_token(tenant, "mentions:write")), "Idempotency-Key": "old-key"}
    first = await ingest.client.post(
        "/v1/mentions", json={"mentions": [mention()]}, headers=headers
    )
    async with ingest.app.state.sessions() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.tenant == tenant)  # type: ignore[arg-type]
            .values(created_at=datetime.now(UTC) - timedelta(days=2))
        )
        await session.commit()
    fresh = await ingest.client.post(
        "/v1/mentions", json={"mentions": [mention()]}, headers=headers
    )
    assert fresh.status_code == 202
    assert "idempotent-replayed" not in fresh.headers
    assert fresh.json()["results"][0]["id"] != first.json()["results"][0]["id"]

"""Webhooks leave through the outbox: signed per Standard Webhooks, retried on a stored schedule,
logged, and replayable once they have failed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.db import transaction
from services.playbook.notifications.delivery import create_http_client, deliver_due, prune
from services.playbook.notifications.service import notify
from services.playbook.notifications.tables import WebhookSubscription
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]


def independent_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The spec, written out: HMAC-SHA256 over ``{id}.{timestamp}.{body}`` with the decoded key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def auth(make_token: TokenFactory, tenant: str, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(tenant, *scopes)}"}


async def subscribe(
    h: Harness, headers: dict[str, str], url: str, **body: object
) -> dict[str, Any]:
    response = await h.client.post("/v1/webhooks", json={"url": url, **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def emit(h: Harness, tenant: str, event_type: str, payload: dict[str, Any]) -> int:
    async with transaction(h.sessions) as session:
        return await notify(session, tenant, event_type, payload)


async def test_a_delivery_is_signed_and_verifies_with_an_independent_hmac(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    created = await subscribe(h, headers, hooks.url, event_types=["incident.opened"])
    assert created["secret"].startswith("whsec_")
    assert await emit(h, tenant, "incident.opened", {"incident_id": "i-1", "severity": "sev1"}) == 1

    async with create_http_client(h.settings.notifications) as http:
        assert await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant]) == 1

    [request] = hooks.requests
    assert request.method == "POST" and request.path == "/hooks/uitkijk"
    assert request.headers["content-type"] == "application/json"
    msg_id, timestamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    assert abs(int(timestamp) - datetime.now(UTC).timestamp()) < 60
    expected = independent_signature(created["secret"], msg_id, timestamp, request.body)
    assert expected in request.headers["webhook-signature"].split(" ")
    tampered = independent_signature(created["secret"], msg_id, timestamp, request.body + b" ")
    assert tampered not in request.headers["webhook-signature"].split(" ")
    body = json.loads(request.body)
    assert body["type"] == "incident.opened"
    assert body["data"] == {"incident_id": "i-1", "severity": "sev1"}
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None

    log = await h.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=headers)
    assert log.status_code == 200
    [delivery] = log.json()["items"]
    assert delivery["id"] == msg_id
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    [attempt] = delivery["log"]
    assert attempt["ok"] is True and attempt["status_code"] == 200
    assert attempt["latency_ms"] >= 0 and attempt["response_snippet"] == "answer 200"


async def test_failures_retry_on_the_stored_schedule_then_fail_and_can_be_replayed(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, retry_schedule_seconds=[10, 60])
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    created = await subscribe(h, headers, hooks.url)
    hooks.script = [500, 503, 502]
    t0 = datetime.now(UTC)
    async with transaction(h.sessions) as session:
        await notify(session, tenant, "step.escalated", {"step": "Holding statement"}, now=t0)
    settings = h.settings.notifications

    async with create_http_client(settings) as http:
        assert await deliver_due(h.sessions, settings, http, now=t0, tenants=[tenant]) == 1
        assert (
            await deliver_due(
                h.sessions, settings, http, now=t0 + timedelta(seconds=9), tenants=[tenant]
            )
            == 0
        )
        assert (
            await deliver_due(
                h.sessions, settings, http, now=t0 + timedelta(seconds=10), tenants=[tenant]
            )
            == 1
        )
        at = t0 + timedelta(seconds=69)
        assert await deliver_due(h.sessions, settings, http, now=at, tenants=[tenant]) == 0
        at = t0 + timedelta(seconds=70)
        assert await deliver_due(h.sessions, settings, http, now=at, tenants=[tenant]) == 1
        # The schedule is spent: nothing is due, however late.
        assert (
            await deliver_due(
                h.sessions, settings, http, now=t0 + timedelta(days=30), tenants=[tenant]
            )
            == 0
        )

        assert len(hooks.requests) == 3
        assert len({r.headers["webhook-id"] for r in hooks.requests}) == 1
        page = await h.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=headers)
        [delivery] = page.json()["items"]
        assert delivery["status"] == "failed" and delivery["attempts"] == 3
        assert delivery["next_attempt_at"] is None and delivery["last_status_code"] == 502
        assert [a["status_code"] for a in delivery["log"]] == [500, 503, 502]
        assert [a["error"] for a in delivery["log"]] == ["HTTP 500", "HTTP 503", "HTTP 502"]
        attempted = [datetime.fromisoformat(a["attempted_at"]) for a in delivery["log"]]
        assert [round((a - t0).total_seconds()) for a in attempted] == [0, 10, 70]
        failed = await h.client.get(
            f"/v1/webhooks/{created['id']}/deliveries?status=failed", headers=headers
        )
        assert len(failed.json()["items"]) == 1

        # Replay: pending again, sent at once, with a fresh schedule.
        reader_only = auth(make_token, tenant, "incidents:read")
        refused = await h.client.post(
            f"/v1/webhooks/deliveries/{delivery['id']}/retry", headers=reader_only
        )
        assert refused.status_code == 403
        replay = await h.client.post(
            f"/v1/webhooks/deliveries/{delivery['id']}/retry", headers=headers
        )
        assert replay.status_code == 202 and replay.json()["status"] == "pending"
        again = await h.client.post(
            f"/v1/webhooks/deliveries/{delivery['id']}/retry", headers=headers
        )
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        assert await deliver_due(h.sessions, settings, http, tenants=[tenant]) == 1

    one = await h.client.get(f"/v1/webhooks/deliveries/{delivery['id']}", headers=headers)
    assert one.json()["status"] == "delivered" and one.json()["attempts"] == 4
    assert [a["attempt"] for a in one.json()["log"]] == [1, 2, 3, 4]
    assert one.json()["log"][-1]["ok"] is True


async def test_redirects_are_not_followed(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, retry_schedule_seconds=[])
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    created = await subscribe(h, headers, hooks.url)
    hooks.script = [302]
    hooks.headers_for[302] = {"Location": "http://169.254.169.254/latest/meta-data/"}
    await emit(h, tenant, "incident.updated", {"incident_id": "i-9"})
    async with create_http_client(h.settings.notifications) as http:
        await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant])
    assert len(hooks.requests) == 1
    page = await h.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=headers)
    [delivery] = page.json()["items"]
    assert delivery["status"] == "failed"
    assert "redirects are not followed" in delivery["last_error"]


async def test_event_filter_and_inactive_subscriptions(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    only_opened = await subscribe(h, headers, hooks.url, event_types=["incident.opened"])
    everything = await subscribe(h, headers, hooks.url)
    paused = await subscribe(h, headers, hooks.url, active=False)
    assert await emit(h, tenant, "step.escalated", {"step": "x"}) == 1
    assert await emit(h, tenant, "incident.opened", {"incident_id": "i"}) == 2
    assert await emit(h, "another-tenant", "incident.opened", {"incident_id": "i"}) == 0

    async def count(webhook: dict[str, Any]) -> int:
        page = await h.client.get(f"/v1/webhooks/{webhook['id']}/deliveries", headers=headers)
        return len(page.json()["items"])

    assert [await count(w) for w in (only_opened, everything, paused)] == [1, 2, 0]

    # Paused after queueing: the delivery is kept as failed, never sent, and can be replayed.
    await h.client.patch(
        f"/v1/webhooks/{everything['id']}", json={"active": False}, headers=headers
    )
    async with create_http_client(h.settings.notifications) as http:
        assert await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant]) == 3
    assert len(hooks.requests) == 1
    failed = await h.client.get(
        f"/v1/webhooks/{everything['id']}/deliveries?status=failed", headers=headers
    )
    assert {d["last_error"] for d in failed.json()["items"]} == {"the subscription is inactive"}


async def test_concurrent_delivery_rounds_send_each_delivery_once(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, batch_size=3)
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    await subscribe(h, headers, hooks.url)
    for n in range(6):
        await emit(h, tenant, "incident.updated", {"incident_id": f"i-{n}"})
    hooks.delay = 0.2
    settings = h.settings.notifications
    async with create_http_client(settings) as http:
        counts = await asyncio.gather(
            deliver_due(h.sessions, settings, http, tenants=[tenant]),
            deliver_due(h.sessions, settings, http, tenants=[tenant]),
        )
    assert sorted(counts) == [3, 3]
    ids = [r.headers["webhook-id"] for r in hooks.requests]
    assert len(ids) == 6 and len(set(ids)) == 6


async def test_a_rotated_secret_signs_the_next_delivery(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    created = await subscribe(h, headers, hooks.url)
    rotated = await h.client.post(f"/v1/webhooks/{created['id']}/rotate-secret", headers=headers)
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != created["secret"] and new_secret.startswith("whsec_")
    listed = await h.client.get("/v1/webhooks", headers=headers)
    assert "secret" not in listed.json()["items"][0]
    await emit(h, tenant, "statement.ready", {"statement_id": "s-1"})
    async with create_http_client(h.settings.notifications) as http:
        await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant])
    [request] = hooks.requests
    signature = request.headers["webhook-signature"]
    msg_id, ts = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    assert independent_signature(new_secret, msg_id, ts, request.body) == signature
    assert independent_signature(created["secret"], msg_id, ts, request.body) != signature


async def test_a_delivery_that_cannot_be_built_is_logged_and_does_not_block_others(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, retry_schedule_seconds=[30])
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    broken = await subscribe(h, headers, hooks.url)
    healthy = await subscribe(h, headers, hooks.url)
    async with transaction(h.sessions) as session:
        row = await session.get(WebhookSubscription, broken["id"])
        assert row is not None
        row.secret = "whsec_"  # an empty key: signing raises
    await emit(h, tenant, "incident.opened", {"incident_id": "i-1"})
    async with create_http_client(h.settings.notifications) as http:
        assert await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant]) == 2
    assert len(hooks.requests) == 1
    page = await h.client.get(f"/v1/webhooks/{broken['id']}/deliveries", headers=headers)
    [delivery] = page.json()["items"]
    assert delivery["status"] == "pending" and delivery["last_error"].startswith("could not send")
    page = await h.client.get(f"/v1/webhooks/{healthy['id']}/deliveries", headers=headers)
    assert page.json()["items"][0]["status"] == "delivered"


async def test_finished_deliveries_are_pruned_after_the_retention(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, retention_days=7, retry_schedule_seconds=[])
    headers = auth(make_token, tenant, "webhooks:write", "incidents:read")
    created = await subscribe(h, headers, hooks.url)
    t0 = datetime.now(UTC) - timedelta(days=10)
    async with transaction(h.sessions) as session:
        await notify(session, tenant, "incident.opened", {"incident_id": "old"}, now=t0)
    settings = h.settings.notifications
    async with create_http_client(settings) as http:
        await deliver_due(h.sessions, settings, http, now=t0, tenants=[tenant])
        await emit(h, tenant, "incident.opened", {"incident_id": "new"})
        hooks.script = [500]
        await deliver_due(h.sessions, settings, http, tenants=[tenant])
    assert await prune(h.sessions, settings) >= 1
    page = await h.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=headers)
    [kept] = page.json()["items"]
    assert kept["status"] == "failed" and len(kept["log"]) == 1

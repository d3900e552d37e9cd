"""``/v1/webhooks``: create, list, get, update, delete, with scopes and tenant isolation."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from services.playbook.notifications.delivery import create_http_client, deliver_due
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]
PUBLIC = "https://93.184.216.34/hooks/uitkijk"


async def test_subscription_lifecycle(
    make_harness: MakeHarness, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness()
    writer = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    created = await h.client.post(
        "/v1/webhooks",
        json={
            "url": PUBLIC,
            "event_types": ["incident.opened", "step.escalated", "incident.opened"],
            "format": "teams",
            "description": "war room channel",
        },
        headers=writer,
    )
    assert created.status_code == 201
    webhook = created.json()
    assert webhook["event_types"] == ["incident.opened", "step.escalated"]
    assert webhook["active"] is True and len(webhook["secret"]) > 40

    got = await h.client.get(f"/v1/webhooks/{webhook['id']}", headers=writer)
    assert got.status_code == 200 and "secret" not in got.json()

    for n in range(3):
        await h.client.post("/v1/webhooks", json={"url": f"{PUBLIC}/{n}"}, headers=writer)
    first = await h.client.get("/v1/webhooks?limit=2", headers=writer)
    second = await h.client.get(
        f"/v1/webhooks?limit=2&cursor={first.json()['next_cursor']}", headers=writer
    )
    ids = [w["id"] for w in first.json()["items"] + second.json()["items"]]
    assert len(ids) == 4 == len(set(ids)) and second.json()["next_cursor"] is None

    patched = await h.client.patch(
        f"/v1/webhooks/{webhook['id']}",
        json={"active": False, "event_types": [], "format": "slack"},
        headers=writer,
    )
    assert patched.status_code == 200
    assert patched.json()["active"] is False and patched.json()["event_types"] == []
    assert patched.json()["format"] == "slack"
    assert patched.json()["description"] == "war room channel"

    unknown_event = await h.client.post(
        "/v1/webhooks", json={"url": PUBLIC, "event_types": ["incident.exploded"]}, headers=writer
    )
    assert unknown_event.status_code == 422

    deleted = await h.client.delete(f"/v1/webhooks/{webhook['id']}", headers=writer)
    assert deleted.status_code == 204
    gone = await h.client.get(f"/v1/webhooks/{webhook['id']}", headers=writer)
    assert gone.status_code == 404 and gone.json()["type"].endswith("/webhook-not-found")


async def test_scopes_and_tenants_are_respected(
    make_harness: MakeHarness, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness()
    writer = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write')}"}
    reader = {"Authorization": f"Bearer {make_token(tenant, 'incidents:read')}"}
    stranger = {"Authorization": f"Bearer {make_token(tenant + '-x', 'admin')}"}

    assert (await h.client.post("/v1/webhooks", json={"url": PUBLIC})).status_code == 401
    refused = await h.client.post("/v1/webhooks", json={"url": PUBLIC}, headers=reader)
    assert refused.status_code == 403
    created = (await h.client.post("/v1/webhooks", json={"url": PUBLIC}, headers=writer)).json()
    assert (await h.client.get("/v1/webhooks", headers=writer)).status_code == 403
    assert (await h.client.get(f"/v1/webhooks/{created['id']}", headers=reader)).status_code == 200

    path = f"/v1/webhooks/{created['id']}"
    assert (await h.client.get(path, headers=stranger)).status_code == 404
    assert (await h.client.get(f"{path}/deliveries", headers=stranger)).status_code == 404
    assert (await h.client.delete(path, headers=stranger)).status_code == 404
    assert (await h.client.post(f"{path}/rotate-secret", headers=stranger)).status_code == 404
    assert (await h.client.get("/v1/webhooks", headers=stranger)).json()["items"] == []


async def test_a_test_event_reaches_the_target_whatever_the_filter(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    writer = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    created = await h.client.post(
        "/v1/webhooks",
        json={"url": hooks.url, "event_types": ["incident.opened"], "format": "slack"},
        headers=writer,
    )
    queued = await h.client.post(f"/v1/webhooks/{created.json()['id']}/test", headers=writer)
    assert queued.status_code == 202 and queued.json()["event_type"] == "webhook.test"
    async with create_http_client(h.settings.notifications) as http:
        assert await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant]) == 1
    [request] = hooks.requests
    assert json.loads(request.body)["text"].startswith("Test event: Uitkijk test event")

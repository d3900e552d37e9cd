"""The social freeze follows open incidents of the chosen severities, can be forced by hand, and
tells publishing tools through a ``social_freeze.changed`` webhook whenever it flips."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from services.common.db import transaction
from services.playbook.notifications.delivery import create_http_client, deliver_due
from services.playbook.notifications.freeze import is_frozen, refresh_freeze
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]


async def freeze_events(h: Harness, hooks: Receiver, tenant: str) -> list[dict[str, Any]]:
    """Deliver what is due; return the ``data`` of each freeze event received so far."""
    async with create_http_client(h.settings.notifications) as http:
        await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant])
    bodies = [json.loads(r.body) for r in hooks.requests]
    assert all(b["type"] == "social_freeze.changed" for b in bodies)
    return [b["data"] for b in bodies]


async def test_the_freeze_follows_open_incidents_of_the_chosen_severities(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    await h.client.post(
        "/v1/webhooks",
        json={"url": hooks.url, "event_types": ["social_freeze.changed"]},
        headers=headers,
    )
    default = await h.client.get("/v1/social-freeze/policy", headers=headers)
    assert default.json()["severities"] == ["sev1"]
    policy = await h.client.put(
        "/v1/social-freeze/policy", json={"severities": ["sev2", "sev1"]}, headers=headers
    )
    assert policy.status_code == 200 and policy.json()["severities"] == ["sev1", "sev2"]
    bad = await h.client.put(
        "/v1/social-freeze/policy", json={"severities": ["critical"]}, headers=headers
    )
    assert bad.status_code == 422

    async with transaction(h.sessions) as session:
        state = await refresh_freeze(session, tenant, [("i-low", "sev3")])
    assert state.active is False
    assert await freeze_events(h, hooks, tenant) == []

    async with transaction(h.sessions) as session:
        state = await refresh_freeze(session, tenant, [("i-low", "sev3"), ("i-leak", "sev1")])
        assert await is_frozen(session, tenant)
    assert state.active is True and state.incident_ids == ["i-leak"]
    flag = (await h.client.get("/v1/social-freeze", headers=headers)).json()
    assert flag["active"] is True and flag["incident_ids"] == ["i-leak"]
    assert flag["since"] is not None and "sev1" in flag["reason"] and flag["override"] is None
    [on] = await freeze_events(h, hooks, tenant)
    assert on["active"] is True and on["incident_ids"] == ["i-leak"]
    assert on["since"] is not None and on["reason"] == flag["reason"]

    # Reported again, or with a second freezing incident: still on, no new event.
    async with transaction(h.sessions) as session:
        await refresh_freeze(session, tenant, [("i-leak", "sev1"), ("i-outage", "sev2")])
    assert len(await freeze_events(h, hooks, tenant)) == 1
    assert (await h.client.get("/v1/social-freeze", headers=headers)).json()["incident_ids"] == [
        "i-leak",
        "i-outage",
    ]

    # A policy change recomputes from the open incidents at once.
    await h.client.put("/v1/social-freeze/policy", json={"severities": []}, headers=headers)
    events = await freeze_events(h, hooks, tenant)
    assert [e["active"] for e in events] == [True, False]

    await h.client.put("/v1/social-freeze/policy", json={"severities": ["sev2"]}, headers=headers)
    async with transaction(h.sessions) as session:
        await refresh_freeze(session, tenant, [])
    events = await freeze_events(h, hooks, tenant)
    assert [e["active"] for e in events] == [True, False, True, False]
    flag = (await h.client.get("/v1/social-freeze", headers=headers)).json()
    assert flag == {
        "active": False,
        "since": None,
        "reason": None,
        "incident_ids": [],
        "override": None,
        "severities": ["sev2"],
        "updated_at": flag["updated_at"],
    }


async def test_a_manual_override_wins_until_set_back_to_auto(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True)
    writer = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    reader = {"Authorization": f"Bearer {make_token(tenant, 'incidents:read')}"}
    await h.client.post("/v1/webhooks", json={"url": hooks.url}, headers=writer)

    refused = await h.client.put("/v1/social-freeze", json={"mode": "on"}, headers=reader)
    assert refused.status_code == 403
    forced = await h.client.put(
        "/v1/social-freeze",
        json={"mode": "on", "reason": "Rumours before the results"},
        headers=writer,
    )
    assert forced.status_code == 200
    assert forced.json()["active"] is True and forced.json()["override"] == "on"
    assert forced.json()["reason"] == "Rumours before the results"

    # Incidents come and go; the override holds.
    async with transaction(h.sessions) as session:
        await refresh_freeze(session, tenant, [])
    assert (await h.client.get("/v1/social-freeze", headers=reader)).json()["active"] is True

    async with transaction(h.sessions) as session:
        await refresh_freeze(session, tenant, [("i-1", "sev1")])
    lifted = await h.client.put("/v1/social-freeze", json={"mode": "off"}, headers=writer)
    assert lifted.json()["active"] is False and lifted.json()["incident_ids"] == ["i-1"]
    back = await h.client.put("/v1/social-freeze", json={"mode": "auto"}, headers=writer)
    assert back.json()["active"] is True and back.json()["override"] is None

    events = await freeze_events(h, hooks, tenant)
    assert [(e["active"], e["override"]) for e in events] == [
        (True, "on"),
        (False, "off"),
        (True, None),
    ]
    unknown = await h.client.put("/v1/social-freeze", json={"mode": "maybe"}, headers=writer)
    assert unknown.status_code == 422


async def test_another_tenant_sees_its_own_flag(
    make_harness: MakeHarness, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness()
    async with transaction(h.sessions) as session:
        await refresh_freeze(session, tenant, [("i-1", "sev1")])
    other = {"Authorization": f"Bearer {make_token(tenant + '-other', 'incidents:read')}"}
    flag = (await h.client.get("/v1/social-freeze", headers=other)).json()
    assert flag["active"] is False and flag["updated_at"] is None

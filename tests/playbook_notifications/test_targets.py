"""Webhook targets on internal addresses are refused, when saved and again when sent."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from services.common.db import transaction
from services.playbook.notifications.delivery import create_http_client, deliver_due
from services.playbook.notifications.service import notify
from services.playbook.notifications.targets import blocked_reason
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "reserved"),
    ],
)
def test_internal_addresses_are_named(address: str, kind: str) -> None:
    reason = blocked_reason(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9000/hook", "loopback"),
        ("http://10.0.0.5/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("https://localhost/hook", "loopback"),
        ("http://2130706433/hook", "loopback"),
        ("http://0x7f.1/hook", "loopback"),
        ("http://[::ffff:a9fe:a9fe]/latest", "link-local"),
        ("http://LocalHost:8080/hook", "loopback"),
        ("ftp://example.com/hook", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("https://does-not-exist.invalid/hook", "does not resolve"),
    ],
)
async def test_internal_or_odd_targets_are_refused_with_a_problem(
    make_harness: MakeHarness, tenant: str, make_token: TokenFactory, url: str, reason: str
) -> None:
    h = await make_harness()
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write')}"}
    response = await h.client.post("/v1/webhooks", json={"url": url}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/webhook-target-not-allowed")
    assert reason in problem["reason"] and "allow_private_targets" in problem["detail"]


async def test_updating_to_an_internal_target_is_refused(
    make_harness: MakeHarness, tenant: str, make_token: TokenFactory
) -> None:
    lab = await make_harness(allow_private_targets=True)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    created = await lab.client.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=headers
    )
    assert created.status_code == 201
    strict = await make_harness()
    moved = await strict.client.patch(
        f"/v1/webhooks/{created.json()['id']}",
        json={"url": "http://192.168.0.10/x"},
        headers=headers,
    )
    assert moved.status_code == 422


async def test_a_name_that_resolves_internally_at_delivery_time_is_not_called(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    """DNS rebinding: the target passed when it was saved; at delivery it resolves to loopback."""
    lab = await make_harness(allow_private_targets=True)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    url = hooks.url.replace("127.0.0.1", "localhost")
    created = await lab.client.post("/v1/webhooks", json={"url": url}, headers=headers)
    assert created.status_code == 201
    async with transaction(lab.sessions) as session:
        await notify(session, tenant, "incident.opened", {"incident_id": "i-1"})

    strict = await make_harness(retry_schedule_seconds=[60])
    async with create_http_client(strict.settings.notifications) as http:
        assert (
            await deliver_due(
                strict.sessions, strict.settings.notifications, http, tenants=[tenant]
            )
            == 1
        )
    assert hooks.requests == []
    page = await strict.client.get(
        f"/v1/webhooks/{created.json()['id']}/deliveries", headers=headers
    )
    [delivery] = page.json()["items"]
    assert delivery["status"] == "pending" and delivery["next_attempt_at"] is not None
    [attempt] = delivery["log"]
    assert attempt["status_code"] is None and "loopback" in attempt["error"]
    assert attempt["error"].startswith("target refused")

    # With internal targets allowed the same name is called, on the address it resolved to,
    # with the name kept in the Host header.
    async with transaction(lab.sessions) as session:
        await notify(session, tenant, "incident.opened", {"incident_id": "i-2"})
    async with create_http_client(lab.settings.notifications) as http:
        await deliver_due(lab.sessions, lab.settings.notifications, http, tenants=[tenant])
    assert hooks.requests and hooks.requests[0].headers["host"] == f"localhost:{hooks.port}"

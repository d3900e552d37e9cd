"""Slack and Microsoft Teams subscriptions receive bodies those tools accept."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import pytest

from services.common.db import transaction
from services.playbook.notifications.delivery import create_http_client, deliver_due
from services.playbook.notifications.formats import slack_body, teams_body
from services.playbook.notifications.service import notify
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]

INCIDENT = {
    "incident_id": "0193-abc",
    "title": "Datalek bij klantenportaal",
    "severity": "sev1",
    "status": "open",
    "playbook": "datalek",
    "description": "Volume and negativity spike on *datalek*.",
    "evidence": {"mentions": 412},
}


async def delivered_body(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, token: str, fmt: str
) -> dict[str, Any]:
    h = await make_harness(
        allow_private_targets=True,
        incident_url_template="https://app.example/incidents/{incident_id}",
    )
    headers = {"Authorization": f"Bearer {token}"}
    created = await h.client.post(
        "/v1/webhooks", json={"url": hooks.url, "format": fmt}, headers=headers
    )
    assert created.status_code == 201 and created.json()["format"] == fmt
    async with transaction(h.sessions) as session:
        await notify(session, tenant, "incident.opened", INCIDENT)
    async with create_http_client(h.settings.notifications) as http:
        await deliver_due(h.sessions, h.settings.notifications, http, tenants=[tenant])
    [request] = hooks.requests
    assert request.headers["webhook-signature"].startswith("v1,")
    body: dict[str, Any] = json.loads(request.body)
    return body


async def test_slack_subscribers_get_text_and_blocks(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    body = await delivered_body(
        make_harness, hooks, tenant, make_token(tenant, "webhooks:write"), "slack"
    )
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("Incident opened: Datalek bij klantenportaal")
    assert "Severity: sev1" in body["text"]
    types = [b["type"] for b in body["blocks"]]
    assert types == ["header", "section", "section", "actions", "context"]
    header = body["blocks"][0]["text"]
    assert header["type"] == "plain_text" and len(header["text"]) <= 150
    fields = body["blocks"][2]["fields"]
    assert {"type": "mrkdwn", "text": "*Severity*\nsev1"} in fields
    assert all(f["type"] == "mrkdwn" for f in fields) and len(fields) <= 10
    button = body["blocks"][3]["elements"][0]
    assert button["url"] == "https://app.example/incidents/0193-abc"


async def test_teams_subscribers_get_an_adaptive_card(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    body = await delivered_body(
        make_harness, hooks, tenant, make_token(tenant, "webhooks:write"), "teams"
    )
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    title, description, facts, footer = card["body"]
    assert title["type"] == "TextBlock" and title["color"] == "attention"
    assert title["text"] == "Incident opened: Datalek bij klantenportaal"
    assert description["text"].startswith("Volume and negativity")
    assert facts["type"] == "FactSet"
    assert {"title": "Severity", "value": "sev1"} in facts["facts"]
    assert footer["isSubtle"] is True
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Uitkijk",
            "url": "https://app.example/incidents/0193-abc",
        }
    ]


@pytest.mark.parametrize("render", [slack_body, teams_body])
def test_a_freeze_message_says_what_to_do(render: Callable[..., dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    body = render("social_freeze.changed", {"active": True, "incident_ids": ["a", "b"]}, now)
    text = json.dumps(body)
    assert "Social freeze on: hold scheduled posts" in text
    assert "a, b" in text

"""Subscriptions over graphql-transport-ws with a real client (``websockets``) against uvicorn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from gateway.app import create_app
from gateway.ids import to_global_id
from services.common.contracts.events import IncidentEventV1, events_channel
from tests.conftest import TokenFactory
from tests.gateway.conftest import Stack
from tests.gateway.factories import DATALEK_NL, evaluate, ingest_and_score, mention, mentions
from tests.gateway.support import GraphQL, serve

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
async def server(stack: Stack) -> AsyncIterator[str]:
    app = create_app(stack.settings, transports=stack.counters)
    async with serve(app) as address:
        yield address


async def _open(address: str, token: str | None) -> ClientConnection:
    ws = await connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL])  # type: ignore[list-item]
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def _subscribe(ws: ClientConnection, query: str, op: str = "1") -> None:
    ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": query}}))


async def _next(ws: ClientConnection, within: float = 10.0) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), within))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        assert message["type"] == "next", message
        data: dict[str, Any] = message["payload"]["data"]
        return data


async def _wait_subscribed(stack: Stack, tenant: str) -> None:
    redis = Redis.from_url(stack.settings.redis_url)
    channel = events_channel(stack.settings.queue_prefix, tenant)
    try:
        for _ in range(500):
            counts = await redis.pubsub_numsub(channel)
            if counts and int(counts[0][1]) > 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the gateway never subscribed to {channel}")
    finally:
        await redis.aclose()


async def _publish(stack: Stack, tenant: str, event: IncidentEventV1) -> None:
    redis = Redis.from_url(stack.settings.redis_url)
    try:
        await redis.publish(
            events_channel(stack.settings.queue_prefix, tenant), event.model_dump_json()
        )
    finally:
        await redis.aclose()


def _incident_event(tenant: str, kind: str = "incident.opened") -> IncidentEventV1:
    return IncidentEventV1(
        type=kind,
        tenant=tenant,
        at=datetime.now(UTC),
        incident_id="inc-1",
        title="Storing in de app",
        state="open",
        severity="sev2",
        event_kind="opened" if kind == "incident.opened" else "severity_changed",
        summary="Negatieve piek rond #storing",
    )


async def test_mention_scored_streams_scored_mentions_through_the_filter(
    stack: Stack, server: str, tenant: str, make_token: TokenFactory
) -> None:
    token = make_token(tenant)
    ws = await _open(server, token)
    try:
        await _subscribe(
            ws,
            "subscription { mentionScored(filter: {platform: REDDIT, minRisk: 0.0}) "
            "{ id platform text sentiment { label } risk author { handle } } }",
        )
        await _wait_subscribed(stack, tenant)
        # One on X (filtered out), then one on Reddit.
        items = [mention(), mention(platform="reddit", text="Reddit: storing, niemand helpt")]
        ids = await ingest_and_score(stack, token, items)
        data = (await _next(ws))["mentionScored"]
        assert data["id"] == to_global_id("Mention", ids[1])
        assert data["platform"] == "REDDIT" and data["author"]["handle"] == "someone"
    finally:
        await ws.close()


async def test_incident_subscriptions_follow_the_callers_tenant_only(
    stack: Stack, server: str, tenant: str, make_token: TokenFactory
) -> None:
    ws = await _open(server, make_token(tenant, "incidents:read"))
    try:
        await _subscribe(
            ws, "subscription { incidentOpened { incidentId title severity eventKind summary } }"
        )
        await _wait_subscribed(stack, tenant)
        other = f"{tenant}-other"
        # Another tenant's event on its own channel, and a forged one on ours: neither arrives.
        await _publish(stack, other, _incident_event(other))
        await _publish_raw(stack, tenant, _incident_event(other).model_dump_json())
        await _publish(stack, tenant, _incident_event(tenant, "incident.updated"))
        await _publish(stack, tenant, _incident_event(tenant))
        data = (await _next(ws))["incidentOpened"]
        assert data == {
            "incidentId": to_global_id("Incident", "inc-1"),
            "title": "Storing in de app",
            "severity": "sev2",
            "eventKind": "opened",
            "summary": "Negatieve piek rond #storing",
        }
    finally:
        await ws.close()


async def _publish_raw(stack: Stack, tenant: str, body: str) -> None:
    redis = Redis.from_url(stack.settings.redis_url)
    try:
        await redis.publish(events_channel(stack.settings.queue_prefix, tenant), body)
    finally:
        await redis.aclose()


async def test_incident_updated_sees_every_timeline_event(
    stack: Stack, server: str, tenant: str, make_token: TokenFactory
) -> None:
    ws = await _open(server, make_token(tenant, "incidents:read"))
    try:
        await _subscribe(ws, "subscription { incidentUpdated { eventKind } }")
        await _wait_subscribed(stack, tenant)
        await _publish(stack, tenant, _incident_event(tenant))
        await _publish(stack, tenant, _incident_event(tenant, "incident.updated"))
        kinds = [(await _next(ws))["incidentUpdated"]["eventKind"] for _ in range(2)]
        assert kinds == ["opened", "severity_changed"]
    finally:
        await ws.close()


async def test_a_connection_without_a_valid_token_is_refused(server: str) -> None:
    for token in (None, "not-a-jwt"):
        ws = await _open(server, token)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_subscription_without_the_scope_gets_an_error(
    server: str, tenant: str, make_token: TokenFactory
) -> None:
    ws = await _open(server, make_token(tenant, "incidents:read"))
    try:
        await _subscribe(ws, "subscription { mentionScored { id } }")
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_ALLOWED"
    finally:
        await ws.close()


async def test_the_legacy_graphql_ws_protocol_is_refused(server: str) -> None:
    ws = await connect(f"ws://{server}/graphql", subprotocols=["graphql-ws"])  # type: ignore[list-item]
    # The server accepts the socket and closes it at once with 4406.
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406


async def test_many_mentions_scored_arrive_in_order(
    stack: Stack, server: str, tenant: str, make_token: TokenFactory
) -> None:
    token = make_token(tenant)
    ws = await _open(server, token)
    try:
        await _subscribe(ws, "subscription { mentionScored { id } }")
        await _wait_subscribed(stack, tenant)
        ids = await ingest_and_score(stack, token, mentions(5))
        seen = {(await _next(ws))["mentionScored"]["id"] for _ in range(5)}
        assert seen == {to_global_id("Mention", i) for i in ids}
    finally:
        await ws.close()


async def test_incident_opened_arrives_after_mentions_are_posted_to_ingest(
    stack: Stack, server: str, tenant: str, make_token: TokenFactory
) -> None:
    """The whole way: ingest → sentiment worker → playbook worker → Redis → graphql-transport-ws."""
    if not stack.has("playbook"):
        pytest.skip("the playbook service is not in this tree yet")
    token = make_token(tenant)
    gql = GraphQL(stack.client, token)
    await gql("mutation { loadPlaybookLibrary { __typename } }")
    ws = await _open(server, token)
    try:
        await _subscribe(
            ws,
            "subscription { incidentOpened { incidentId title severity eventKind "
            "incident { state playbook { key } evidence(first: 2) { text } } } }",
        )
        await _wait_subscribed(stack, tenant)
        await ingest_and_score(stack, token, mentions(6, texts=DATALEK_NL))
        await evaluate(stack)
        opened = (await _next(ws))["incidentOpened"]
        assert opened["incident"]["state"] == "OPEN"
        assert opened["incident"]["playbook"]["key"] == "datalek"
        assert len(opened["incident"]["evidence"]) == 2
        listed = await gql("{ incidents(first: 1) { edges { node { id } } } }")
        assert listed["incidents"]["edges"][0]["node"]["id"] == opened["incidentId"]
    finally:
        await ws.close()


async def test_a_subscription_ends_with_an_error_when_its_token_expires(
    stack: Stack, server: str, tenant: str, token_settings: Any
) -> None:
    from services.common.auth import mint_token

    short = mint_token(token_settings, tenant=tenant, scopes=["incidents:read"], ttl_seconds=2)
    ws = await _open(server, short)
    try:
        await _subscribe(ws, "subscription { incidentUpdated { eventKind } }")
        await _wait_subscribed(stack, tenant)
        await _publish(stack, tenant, _incident_event(tenant))
        assert (await _next(ws))["incidentUpdated"]["eventKind"] == "opened"
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "expired" in errors[0]["message"]
    finally:
        await ws.close()

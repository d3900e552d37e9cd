"""Incident lifecycle, assignment, notes, the timeline, reports, scopes and tenant isolation."""

from __future__ import annotations

from datetime import timedelta

import orjson
from redis.asyncio import Redis

from services.common.contracts import EVENT_ADAPTER, IncidentEventV1, events_channel
from tests.playbook.conftest import (
    Harness,
    batch,
    datalek_burst,
    open_datalek,
    scored,
    steps_of,
    timeline,
)


async def test_transitions_follow_the_lifecycle_and_refuse_the_rest(
    pb: Harness, tenant: str
) -> None:
    incident = await open_datalek(pb, tenant)
    url = f"/v1/incidents/{incident['id']}/transitions"
    headers = pb.auth(tenant)
    assert incident["allowed_transitions"] == [
        "acknowledged",
        "responding",
        "monitoring",
        "resolved",
    ]

    pb.clock.advance(minutes=3)
    ack = await pb.client.post(url, json={"to": "acknowledged"}, headers=headers)
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    assert ack.json()["acknowledged_at"] is not None

    back = await pb.client.post(url, json={"to": "open"}, headers=headers)
    assert back.status_code == 409
    assert back.headers["content-type"].startswith("application/problem+json")
    problem = back.json()
    assert problem["type"] == "https://uitkijk.dev/problems/invalid-transition"
    assert problem["status"] == 409 and problem["current"] == "acknowledged"
    assert problem["allowed"] == ["responding", "monitoring", "resolved"]

    for state in ("responding", "monitoring", "resolved"):
        moved = await pb.client.post(
            url, json={"to": state, "note": f"now {state}"}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    assert moved.json()["resolved_at"] is not None and moved.json()["allowed_transitions"] == [
        "open"
    ]
    reopened = await pb.client.post(f"/v1/incidents/{incident['id']}/reopen", headers=headers)
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    assert reopened.json()["resolved_at"] is None

    unknown = await pb.client.post(url, json={"to": "closed"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == "body.to"
    kinds = [e["kind"] for e in await timeline(pb, tenant, incident["id"])]
    assert kinds.count("state") == 6  # opened + five moves


async def test_assign_severity_notes_and_a_paged_timeline(pb: Harness, tenant: str) -> None:
    incident = await open_datalek(pb, tenant)
    headers = pb.auth(tenant)
    base = f"/v1/incidents/{incident['id']}"
    assigned = await pb.client.post(
        f"{base}/assign",
        json={"assignee": "anna@bank.nl", "department": "webcare"},
        headers=headers,
    )
    assert (
        assigned.json()["assignee"] == "anna@bank.nl" and assigned.json()["department"] == "webcare"
    )
    bad = await pb.client.post(f"{base}/assign", json={"department": "it"}, headers=headers)
    assert bad.status_code == 422
    severity = await pb.client.post(
        f"{base}/severity", json={"severity": "sev1", "reason": "press calls"}, headers=headers
    )
    assert severity.json()["severity"] == "sev1"
    for i in range(3):
        note = await pb.client.post(f"{base}/notes", json={"text": f"note {i}"}, headers=headers)
        assert note.status_code == 201 and note.json()["kind"] == "note"

    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await pb.client.get(f"{base}/timeline", params=params, headers=headers)).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    events = [e for p in pages for e in p]
    assert all(len(p) <= 2 for p in pages) and len(pages) >= 3
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "state" and kinds[-3:] == ["note", "note", "note"]
    assert "assignment" in kinds and "severity" in kinds
    assert all(e["actor"] for e in events)


async def test_list_filters_and_cursor(pb: Harness, tenant: str) -> None:
    first = await open_datalek(pb, tenant)
    await pb.client.post(f"/v1/incidents/{first['id']}/resolve", headers=pb.auth(tenant))
    pb.clock.advance(minutes=5)
    outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    second = outcome.opened[0]
    headers = pb.auth(tenant, "incidents:read")
    everything = (await pb.client.get("/v1/incidents", headers=headers)).json()["items"]
    assert [i["id"] for i in everything] == [second, first["id"]]
    open_only = (
        await pb.client.get("/v1/incidents", params={"state": "open"}, headers=headers)
    ).json()
    assert [i["id"] for i in open_only["items"]] == [second]
    page = (await pb.client.get("/v1/incidents", params={"limit": 1}, headers=headers)).json()
    assert [i["id"] for i in page["items"]] == [second] and page["next_cursor"]
    rest = (
        await pb.client.get(
            "/v1/incidents", params={"limit": 1, "cursor": page["next_cursor"]}, headers=headers
        )
    ).json()
    assert [i["id"] for i in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
    later = (
        await pb.client.get(
            "/v1/incidents", params={"since": everything[0]["opened_at"]}, headers=headers
        )
    ).json()
    assert [i["id"] for i in later["items"]] == [second]
    bad = await pb.client.get("/v1/incidents", params={"cursor": "nonsense!"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-cursor")


async def test_the_report_in_json_and_markdown(pb: Harness, tenant: str) -> None:
    incident = await open_datalek(pb, tenant)
    headers = pb.auth(tenant)
    steps = await steps_of(pb, tenant, incident["id"])
    pb.clock.advance(minutes=4)
    await pb.client.post(f"/v1/incidents/{incident['id']}/acknowledge", headers=headers)
    pb.clock.advance(minutes=6)
    await pb.client.post(f"/v1/steps/{steps['triage']['id']}/complete", headers=headers)
    draft = await pb.client.post(
        f"/v1/incidents/{incident['id']}/statements",
        json={"platform": "x", "text": "We onderzoeken het.", "step_id": "social_freeze"},
        headers=headers,
    )
    assert draft.status_code == 201, draft.text
    sid = draft.json()["id"]
    pb.clock.advance(minutes=10)
    assert (await pb.client.post(f"/v1/statements/{sid}/ready", headers=headers)).status_code == 200
    assert (
        await pb.client.post(f"/v1/statements/{sid}/publish", headers=headers)
    ).status_code == 200
    pb.clock.advance(hours=1)
    await pb.client.post(f"/v1/incidents/{incident['id']}/resolve", headers=headers)

    report = (await pb.client.get(f"/v1/incidents/{incident['id']}/report", headers=headers)).json()
    assert report["time_to_acknowledge_seconds"] == 240
    assert report["time_to_first_statement_seconds"] == 20 * 60
    assert report["time_to_resolve_seconds"] == 80 * 60
    assert 0 < report["time_to_detect_seconds"] <= 120
    triage = next(s for s in report["steps"] if s["key"] == "triage")
    assert triage["met_deadline"] is True and triage["late_seconds"] == 0
    legal = next(s for s in report["steps"] if s["key"] == "legal_assessment")
    assert legal["met_deadline"] is None  # open, and its two hours are not up yet
    curve = report["sentiment_curve"]
    assert sum(p["total"] for p in curve) == 4 and sum(p["negative"] for p in curve) == 4
    assert [p["crisis_signal"] for p in report["crisis_signal_curve"]] == [0] * len(curve)
    assert report["statements"] == 1 and report["signals"] >= 1

    md = await pb.client.get(
        f"/v1/incidents/{incident['id']}/report", params={"format": "markdown"}, headers=headers
    )
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    text = md.text
    assert text.startswith("# Post-incident report: Datalek")
    assert "| time to acknowledge | 4m 00s |" in text and "| time to resolve | 1h 20m 00s |" in text
    assert "## Sentiment curve" in text and "## Crisis-signal curve" in text


async def test_the_report_shows_the_crisis_signal_curve_beside_the_sentiment_curve(
    pb: Harness, tenant: str
) -> None:
    incident = await open_datalek(pb, tenant)
    headers = pb.auth(tenant)
    at = pb.clock.now() - timedelta(seconds=30)
    signalled = [
        {**scored("datalek", at=at), "intents": ["crisis_signal"], "crisis_categories": c}
        for c in (["leak"], ["leak", "outage"], [])
    ]
    await pb.evaluate(batch(tenant, [*signalled, scored("storing", at=at)]))
    pb.clock.advance(minutes=5)

    report = (await pb.client.get(f"/v1/incidents/{incident['id']}/report", headers=headers)).json()
    sentiment, crisis = report["sentiment_curve"], report["crisis_signal_curve"]
    assert [p["start"] for p in crisis] == [p["start"] for p in sentiment]
    assert [p["total"] for p in crisis] == [p["total"] for p in sentiment]
    assert sum(p["total"] for p in crisis) == 8 and sum(p["crisis_signal"] for p in crisis) == 3
    (hot,) = [p for p in crisis if p["crisis_signal"]]
    assert hot["categories"] == {"leak": 2, "outage": 1}
    assert hot["crisis_share"] == round(3 / hot["total"], 4)
    assert all(p["categories"] == {} and p["crisis_share"] == 0 for p in crisis if p is not hot)

    md = await pb.client.get(
        f"/v1/incidents/{incident['id']}/report", params={"format": "markdown"}, headers=headers
    )
    text = md.text
    assert text.index("## Sentiment curve") < text.index(
        "## Crisis-signal curve (1-minute buckets)"
    )
    share = f"{3 / hot['total']:.0%}"
    assert f"| {hot['total']} | 3 | {share} | leak 2, outage 1 |" in text


async def test_scopes_and_tenant_isolation(pb: Harness, tenant: str) -> None:
    incident = await open_datalek(pb, tenant)
    other = f"{tenant}-other"
    intruder = pb.auth(other)
    for path in (
        f"/v1/incidents/{incident['id']}",
        f"/v1/incidents/{incident['id']}/timeline",
        f"/v1/incidents/{incident['id']}/report",
        "/v1/playbooks/datalek",
    ):
        response = await pb.client.get(path, headers=intruder)
        assert response.status_code == 404, path
        assert response.json()["type"].startswith("https://uitkijk.dev/problems/")
    moved = await pb.client.post(f"/v1/incidents/{incident['id']}/acknowledge", headers=intruder)
    assert moved.status_code == 404
    steps = await steps_of(pb, tenant, incident["id"])
    done = await pb.client.post(f"/v1/steps/{steps['triage']['id']}/complete", headers=intruder)
    assert done.status_code == 404
    batch_read = await pb.client.get(
        "/v1/incidents", params={"ids": incident["id"]}, headers=intruder
    )
    assert batch_read.json()["items"] == []
    steps_read = await pb.client.get(
        "/v1/steps", params={"incident_ids": incident["id"]}, headers=intruder
    )
    assert steps_read.json()["items"] == []

    reader = pb.auth(tenant, "incidents:read")
    refused = await pb.client.post(f"/v1/incidents/{incident['id']}/acknowledge", headers=reader)
    assert refused.status_code == 403 and refused.json()["required_scope"] == "incidents:write"
    anonymous = await pb.client.get("/v1/incidents")
    assert anonymous.status_code == 401


async def test_batch_reads_serve_a_page_of_incidents_in_a_fixed_number_of_calls(
    pb: Harness, tenant: str
) -> None:
    ids: list[str] = []
    for _ in range(3):
        incident = await open_datalek(pb, tenant) if not ids else None
        if incident is None:
            await pb.client.post(f"/v1/incidents/{ids[-1]}/resolve", headers=pb.auth(tenant))
            pb.clock.advance(minutes=2)
            outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
            ids.append(outcome.opened[0])
        else:
            ids.append(incident["id"])
    headers = pb.auth(tenant, "incidents:read")
    joined = ",".join(ids)
    incidents = (
        await pb.client.get("/v1/incidents", params={"ids": joined}, headers=headers)
    ).json()
    assert sorted(i["id"] for i in incidents["items"]) == sorted(ids)
    latest = (
        await pb.client.get(
            "/v1/timeline", params={"incident_ids": joined, "per_incident": 2}, headers=headers
        )
    ).json()["items"]
    per: dict[str, list[str]] = {}
    for event in latest:
        per.setdefault(event["incident_id"], []).append(event["id"])
    assert set(per) == set(ids) and all(len(v) == 2 for v in per.values())
    assert all(v == sorted(v, reverse=True) for v in per.values())  # newest first
    steps = (
        await pb.client.get("/v1/steps", params={"incident_ids": joined}, headers=headers)
    ).json()
    assert len(steps["items"]) == 21
    signals = (
        await pb.client.get("/v1/signals", params={"incident_ids": joined}, headers=headers)
    ).json()
    assert {s["incident_id"] for s in signals["items"]} == set(ids)
    assert all(s["mention_ids"] for s in signals["items"])
    statements = (
        await pb.client.get("/v1/statements", params={"incident_ids": joined}, headers=headers)
    ).json()
    assert statements["items"] == []


async def test_incident_events_are_published_on_the_tenants_channel(
    pb: Harness, tenant: str
) -> None:
    redis = Redis.from_url(pb.settings.redis_url)
    pubsub = redis.pubsub()
    await pubsub.subscribe(events_channel(pb.settings.queue_prefix, tenant))
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    try:
        incident = await open_datalek(pb, tenant)
        await pb.client.post(f"/v1/incidents/{incident['id']}/acknowledge", headers=pb.auth(tenant))
        received: list[IncidentEventV1] = []
        for _ in range(20):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is None:
                if len(received) >= 3:
                    break
                continue
            event = EVENT_ADAPTER.validate_python(orjson.loads(message["data"]))
            assert isinstance(event, IncidentEventV1)
            received.append(event)
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
        await redis.aclose()
    assert received[0].type == "incident.opened" and received[0].incident_id == incident["id"]
    assert received[0].event_kind == "state" and received[0].severity == "sev2"
    assert [e.event_kind for e in received[1:]] == ["signal", "state"]
    assert received[-1].type == "incident.updated" and received[-1].state == "acknowledged"

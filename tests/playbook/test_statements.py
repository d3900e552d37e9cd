"""Statements: approval gating by department, conflicts for the same platform and audience."""

from __future__ import annotations

from typing import Any

from tests.playbook.conftest import Harness, open_datalek, steps_of, timeline


async def _started_holding_step(pb: Harness, tenant: str) -> tuple[dict[str, Any], dict[str, Any]]:
    incident = await open_datalek(pb, tenant)
    steps = await steps_of(pb, tenant, incident["id"])
    await pb.client.post(f"/v1/steps/{steps['triage']['id']}/complete", headers=pb.auth(tenant))
    return incident, (await steps_of(pb, tenant, incident["id"]))["holding_statement"]


async def test_a_statement_is_ready_only_after_every_required_approval(
    pb: Harness, tenant: str
) -> None:
    incident, step = await _started_holding_step(pb, tenant)
    writer = pb.auth(tenant, "incidents:read", "incidents:write")
    draft = await pb.client.post(
        f"/v1/incidents/{incident['id']}/statements",
        json={
            "step_id": step["id"],
            "platform": "x",
            "template": "holding_statement",
            "variables": {"status_url": "https://status.bank.nl"},
        },
        headers=writer,
    )
    assert draft.status_code == 201, draft.text
    statement = draft.json()
    assert statement["text"].startswith("We onderzoeken signalen over een mogelijk datalek")
    assert "https://status.bank.nl" in statement["text"] and statement["language"] == "nl"
    assert statement["status"] == "draft"
    assert statement["required_approvals"] == ["legal", "management"]
    sid = statement["id"]

    early = await pb.client.post(f"/v1/statements/{sid}/ready", headers=writer)
    assert early.status_code == 409
    assert early.json()["type"] == "https://uitkijk.dev/problems/approval-required"
    assert early.json()["missing_departments"] == ["legal", "management"]

    no_department = await pb.client.post(
        f"/v1/statements/{sid}/approve", headers=pb.auth(tenant, "statements:approve")
    )
    assert no_department.status_code == 403
    assert no_department.json()["type"].endswith("/not-an-approver")
    wrong = await pb.client.post(
        f"/v1/statements/{sid}/approve",
        headers=pb.auth(tenant, "statements:approve", department="marketing"),
    )
    assert wrong.status_code == 403 and wrong.json()["pending_departments"] == [
        "legal",
        "management",
    ]
    no_scope = await pb.client.post(
        f"/v1/statements/{sid}/approve",
        headers=pb.auth(tenant, "incidents:write", department="legal"),
    )
    assert no_scope.status_code == 403 and no_scope.json()["required_scope"] == "statements:approve"

    legal = await pb.client.post(
        f"/v1/statements/{sid}/approve",
        json={"comment": "ok, geen erkenning van aansprakelijkheid"},
        headers=pb.auth(tenant, "statements:approve", department="legal"),
    )
    assert legal.status_code == 200 and legal.json()["missing_approvals"] == ["management"]
    assert legal.json()["status"] == "draft"
    twice = await pb.client.post(
        f"/v1/statements/{sid}/approve",
        headers=pb.auth(tenant, "statements:approve", department="legal"),
    )
    assert twice.status_code == 403
    still = await pb.client.post(f"/v1/statements/{sid}/ready", headers=writer)
    assert still.status_code == 409 and still.json()["missing_departments"] == ["management"]

    management = await pb.client.post(
        f"/v1/statements/{sid}/approve",
        headers=pb.auth(tenant, "statements:approve", department="management"),
    )
    assert (
        management.json()["status"] == "approved" and management.json()["missing_approvals"] == []
    )
    assert [a["department"] for a in management.json()["approvals"]] == ["legal", "management"]
    ready = await pb.client.post(f"/v1/statements/{sid}/ready", headers=writer)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    published = await pb.client.post(f"/v1/statements/{sid}/publish", headers=writer)
    assert published.json()["status"] == "published"
    kinds = [e["kind"] for e in await timeline(pb, tenant, incident["id"])]
    assert kinds.count("approval") == 2 and kinds.count("statement") == 3


async def test_a_rejection_stops_the_statement(pb: Harness, tenant: str) -> None:
    incident, step = await _started_holding_step(pb, tenant)
    sid = (
        await pb.client.post(
            f"/v1/incidents/{incident['id']}/statements",
            json={"step_id": step["id"], "platform": "press", "text": "Wij weten van niets."},
            headers=pb.auth(tenant),
        )
    ).json()["id"]
    rejected = await pb.client.post(
        f"/v1/statements/{sid}/reject",
        json={"comment": "te stellig"},
        headers=pb.auth(tenant, "statements:approve", department="legal"),
    )
    assert rejected.json()["status"] == "rejected"
    ready = await pb.client.post(f"/v1/statements/{sid}/ready", headers=pb.auth(tenant))
    assert ready.status_code == 409 and ready.json()["allowed"] == ["withdrawn"]


async def test_two_different_drafts_for_one_platform_and_audience_are_a_conflict(
    pb: Harness, tenant: str
) -> None:
    incident = await open_datalek(pb, tenant)
    headers = pb.auth(tenant)
    url = f"/v1/incidents/{incident['id']}/statements"
    social = (await steps_of(pb, tenant, incident["id"]))["social_freeze"]  # needs no approval
    first = await pb.client.post(
        url,
        json={"step_id": social["id"], "platform": "x", "text": "We onderzoeken het."},
        headers=headers,
    )
    same_again = await pb.client.post(
        url,
        json={"step_id": social["id"], "platform": "x", "text": "We  onderzoeken het."},
        headers=headers,
    )
    other_audience = await pb.client.post(
        url,
        json={
            "step_id": social["id"],
            "platform": "x",
            "audience": "press",
            "text": "Geen commentaar.",
        },
        headers=headers,
    )
    assert not any(r.json()["conflict"] for r in (first, same_again, other_audience))
    second = await pb.client.post(
        url,
        json={"step_id": social["id"], "platform": "x", "text": "Er is niets aan de hand."},
        headers=headers,
    )
    assert second.status_code == 201
    assert second.json()["conflict"] is True
    assert set(second.json()["conflicting_statement_ids"]) == {
        first.json()["id"],
        same_again.json()["id"],
    }
    listed = {s["id"]: s for s in (await pb.client.get(url, headers=headers)).json()}
    assert listed[first.json()["id"]]["conflict"] is True
    assert listed[other_audience.json()["id"]]["conflict"] is False
    events = await timeline(pb, tenant, incident["id"])
    flagged = [e for e in events if e["kind"] == "statement" and e["data"].get("conflict") is True]
    assert len(flagged) == 1 and "x/public" in flagged[0]["summary"]

    blocked = await pb.client.post(f"/v1/statements/{first.json()['id']}/ready", headers=headers)
    assert blocked.status_code == 409
    assert blocked.json()["type"].endswith("/statement-conflict")
    assert second.json()["id"] in blocked.json()["conflicting_statement_ids"]

    withdrawn = await pb.client.post(
        f"/v1/statements/{second.json()['id']}/withdraw", headers=headers
    )
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["conflict"] is False
    after = {s["id"]: s for s in (await pb.client.get(url, headers=headers)).json()}
    assert after[first.json()["id"]]["conflict"] is False
    cleared = [
        e for e in await timeline(pb, tenant, incident["id"]) if e["data"].get("conflict") is False
    ]
    assert len(cleared) == 1
    ready = await pb.client.post(f"/v1/statements/{first.json()['id']}/ready", headers=headers)
    assert ready.status_code == 200


async def test_a_template_needs_its_variables(pb: Harness, tenant: str) -> None:
    incident, step = await _started_holding_step(pb, tenant)
    response = await pb.client.post(
        f"/v1/incidents/{incident['id']}/statements",
        json={
            "step_id": step["id"],
            "platform": "press",
            "template": "holding_statement",
            "language": "en",
        },
        headers=pb.auth(tenant),
    )
    assert response.status_code == 422
    assert response.json()["missing_variables"] == ["brand", "contact_email", "contact_phone"]

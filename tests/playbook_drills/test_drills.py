"""``/v1/drills`` and the runner: a drill replays its scenario into a sandbox tenant on the
scenario clock, and reports time to detect and time to each step from what happens there."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.auth import TokenVerifier
from services.common.db import transaction
from services.common.settings import TokenSettings
from services.playbook.clock import FakeClock
from services.playbook.drills.runner import run_drill_tick
from services.playbook.drills.service import record_drill_event, scenario_now
from services.playbook.notifications.service import notify
from services.playbook.playbook_store.service import active_playbooks
from services.playbook.scenarios.generator import load_datalek_nl
from tests.conftest import TokenFactory
from tests.playbook_drills.conftest import RecordingSender
from tests.playbook_notifications.support import Harness

MakeDrills = Callable[..., Coroutine[Any, Any, Harness]]


def auth(make_token: TokenFactory, tenant: str, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(tenant, *scopes)}"}


async def start(h: Harness, headers: dict[str, str], **body: object) -> dict[str, Any]:
    response = await h.client.post("/v1/drills", json=body, headers=headers)
    assert response.status_code == 201, response.text
    drill: dict[str, Any] = response.json()
    return drill


async def test_the_runner_replays_the_scenario_on_its_clock(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills(batch_size=50)
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl", speed=60)
    assert drill["status"] == "running" and drill["sent"] == 0
    assert drill["sandbox_tenant"] == f"{tenant}~drill-{drill['id']}"
    assert drill["total"] == len(load_datalek_nl()) and drill["metrics"]["onset_seconds"] == 5700
    started = datetime.fromisoformat(drill["started_at"])
    offsets = sorted(m.offset_seconds for m in load_datalek_nl())
    sender = RecordingSender()
    settings = h.settings.drills

    async def tick(wall_seconds: float) -> int:
        return await run_drill_tick(
            h.sessions,
            settings,
            sender,
            now=started + timedelta(seconds=wall_seconds),
            only=[drill["id"]],
        )

    # 90 s of wall clock at 60x is the 90 quiet minutes before the journalist's question.
    quiet = sum(1 for o in offsets if o <= 5400)
    assert await tick(90) == quiet
    assert await tick(90) == 0  # nothing new became due: nothing is sent twice
    assert all(tenant_ == drill["sandbox_tenant"] for tenant_, _, _ in sender.batches)
    sent = [m for _, _, batch in sender.batches for m in batch]
    assert len(sent) == quiet and not any("datalek" in str(m["text"]).lower() for m in sent)
    # Dated on the scenario clock: the detectors see the real per-minute volumes.
    last = max(datetime.fromisoformat(str(m["created_at"])) for m in sent)
    assert last <= started + timedelta(seconds=5400)

    # A failed hand-over is retried on the next tick, from where it stopped.
    sender.fail_next = 1
    assert await tick(120) == 0
    progress = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
    assert progress["sent"] == quiet and "503" in progress["error"]
    due = sum(1 for o in offsets if o <= 7200)
    assert await tick(120) == due - quiet
    keys = [key for _, key, _ in sender.batches]
    assert len(keys) == len(set(keys))
    assert all(len(batch) <= 50 for _, _, batch in sender.batches)

    # To the end: every mention once, in scenario order, and the drill is replayed.
    assert await tick(offsets[-1] / 60 + 1) == len(offsets) - due
    sent = [m for _, _, batch in sender.batches for m in batch]
    assert [m["external_id"] for m in sent] == [
        m.external_id
        for m in sorted(load_datalek_nl(), key=lambda m: (m.offset_seconds, m.external_id))
    ]
    done = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
    assert done["status"] == "replayed" and done["progress"] == 1.0 and done["error"] is None
    assert done["scenario_clock_seconds"] == done["duration_seconds"] == offsets[-1]


async def test_time_to_detect_and_to_each_step_come_from_the_sandbox(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills()
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl", speed=60)
    sandbox = drill["sandbox_tenant"]
    started = datetime.fromisoformat(drill["started_at"])

    async with transaction(h.sessions) as session:
        # The detector's signal about the window ending 6 scenario minutes after the onset.
        assert await record_drill_event(
            session,
            sandbox,
            "signal",
            "sig-1",
            at=started + timedelta(seconds=101),
            observed_at=started + timedelta(seconds=5700 + 360),
        )
        # The core opens the incident and notifies, as it does for real tenants.
        await notify(
            session,
            sandbox,
            "incident.opened",
            {"incident_id": "inc-1", "title": "Datalek"},
            now=started + timedelta(seconds=102),
        )
        await notify(
            session,
            sandbox,
            "step.completed",
            {"step_id": "st-1", "step": "Holding statement"},
            now=started + timedelta(seconds=102 + 600),
        )
        await notify(
            session,
            sandbox,
            "step.escalated",
            {"step_id": "st-2"},
            now=started + timedelta(seconds=102 + 900),
        )
        # Repeats change nothing; real tenants are not drills.
        assert not await record_drill_event(session, sandbox, "signal", "sig-1")
        assert not await record_drill_event(session, tenant, "signal", "sig-2")

    got = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
    metrics = got["metrics"]
    assert metrics["detected"] is True
    assert metrics["time_to_first_signal_seconds"] == 360
    assert metrics["time_to_detect_seconds"] == 360
    assert metrics["time_to_incident_seconds"] == 102 * 60 - 5700
    assert metrics["escalations"] == 1
    [step] = metrics["steps"]
    assert step["label"] == "Holding statement" and step["ref_id"] == "st-1"
    assert step["seconds_from_incident"] == 600
    assert step["scenario_seconds_from_onset"] == (102 + 600) * 60 - 5700
    assert [e["kind"] for e in got["events"]] == [
        "signal",
        "incident_opened",
        "step_completed",
        "step_escalated",
    ]


async def test_generated_scenarios_stop_and_list(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills()
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(
        h,
        headers,
        generate={
            "topic": "storing",
            "language": "nl",
            "volume_curve": [[0, 1.0], [1800, 1.0], [2400, 15.0], [3600, 3.0]],
            "seed": 7,
        },
        speed=120,
    )
    assert drill["scenario"] == "generated:storing" and drill["speed"] == 120
    assert drill["total"] > 50 and drill["metrics"]["onset_seconds"] == 1800
    assert drill["spec"]["topic"] == "storing"

    stopped = await h.client.post(f"/v1/drills/{drill['id']}/stop", headers=headers)
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    again = await h.client.post(f"/v1/drills/{drill['id']}/stop", headers=headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/drill-finished")
    sender = RecordingSender()
    later = datetime.fromisoformat(drill["started_at"]) + timedelta(hours=5)
    settings = h.settings.drills
    assert await run_drill_tick(h.sessions, settings, sender, now=later, only=[drill["id"]]) == 0
    assert sender.batches == []

    second = await start(h, headers, scenario="datalek_nl")
    assert second["speed"] == 60
    page = await h.client.get("/v1/drills?limit=1", headers=headers)
    assert [d["id"] for d in page.json()["items"]] == [second["id"]]
    rest = await h.client.get(f"/v1/drills?cursor={page.json()['next_cursor']}", headers=headers)
    assert [d["id"] for d in rest.json()["items"]] == [drill["id"]]
    scenarios = await h.client.get("/v1/drills/scenarios", headers=headers)
    assert [s["name"] for s in scenarios.json()] == ["datalek_nl"]


async def test_bad_requests_scopes_and_tenants(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills(max_speed=600)
    writer = auth(make_token, tenant, "drills:write", "incidents:read")
    reader = auth(make_token, tenant, "incidents:read")

    async def post(headers: dict[str, str], **body: object) -> Any:
        return await h.client.post("/v1/drills", json=body, headers=headers)

    unknown = await post(writer, scenario="brand_fire")
    assert unknown.status_code == 422 and unknown.json()["known"] == ["datalek_nl"]
    assert (await post(writer)).status_code == 422
    both = await post(writer, scenario="datalek_nl", generate={"topic": "x", "volume_curve": []})
    assert both.status_code == 422
    fast = await post(writer, scenario="datalek_nl", speed=6000)
    assert fast.status_code == 422 and fast.json()["type"].endswith("/invalid-scenario")
    assert (await post(reader, scenario="datalek_nl")).status_code == 403

    drill = (await post(writer, scenario="datalek_nl")).json()
    assert (await h.client.get(f"/v1/drills/{drill['id']}", headers=reader)).status_code == 200
    stranger = auth(make_token, tenant + "-x", "admin")
    assert (await h.client.get(f"/v1/drills/{drill['id']}", headers=stranger)).status_code == 404
    assert (
        await h.client.post(f"/v1/drills/{drill['id']}/stop", headers=stranger)
    ).status_code == 404


async def test_participants_get_a_token_for_the_sandbox_only(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills()
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl")
    participant = {
        "Authorization": "Bearer "
        + make_token(tenant, "incidents:read", "incidents:write", department="legal")
    }
    issued = await h.client.post(f"/v1/drills/{drill['id']}/token", headers=participant)
    assert issued.status_code == 201
    body = issued.json()
    assert body["sandbox_tenant"] == drill["sandbox_tenant"]
    assert body["scopes"] == ["incidents:read", "incidents:write"]
    caller = await TokenVerifier(TokenSettings()).verify(body["token"])
    assert caller.tenant == drill["sandbox_tenant"] and caller.department == "legal"
    assert caller.scopes == frozenset({"incidents:read", "incidents:write"})

    await h.client.post(f"/v1/drills/{drill['id']}/stop", headers=headers)
    late = await h.client.post(f"/v1/drills/{drill['id']}/token", headers=participant)
    assert late.status_code == 409


async def test_progress_follows_the_app_clock(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    clock = FakeClock()
    h = await make_drills(clock=clock)
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl", speed=60)
    assert datetime.fromisoformat(drill["started_at"]) == clock.now()
    clock.advance(seconds=95)
    got = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
    assert got["scenario_clock_seconds"] == 5700 and got["sent"] == 0
    sender = RecordingSender()
    sent = await run_drill_tick(
        h.sessions,
        h.settings.drills,
        sender,
        now=clock.now(),
        only=[drill["id"]],
    )
    sent_texts = [str(m["text"]) for _, _, batch in sender.batches for m in batch]
    assert sent == len(sent_texts) and "datalek" in sent_texts[-1].lower()
    clock.advance(hours=10)
    got = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
    assert got["scenario_clock_seconds"] == got["duration_seconds"]


async def test_the_sandbox_gets_the_tenants_active_playbooks(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills()
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl")
    async with h.sessions() as session:
        copied = await active_playbooks(session, drill["sandbox_tenant"])
        real = await active_playbooks(session, tenant)
    # The tenant has none of its own: the sandbox gets the shipped library, the tenant nothing.
    assert {p.playbook.id for p in copied} >= {"datalek"} and real == []


async def test_the_worker_can_read_a_sandboxs_scenario_clock(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    clock = FakeClock()
    h = await make_drills(clock=clock)
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    drill = await start(h, headers, scenario="datalek_nl", speed=60)
    started = clock.now()
    async with h.sessions() as session:
        assert await scenario_now(session, tenant, started) == started
        at = started + timedelta(seconds=95)
        assert await scenario_now(session, drill["sandbox_tenant"], at) == started + timedelta(
            seconds=5700
        )


async def test_every_running_drill_gets_its_turn(
    make_drills: MakeDrills, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_drills()
    headers = auth(make_token, tenant, "drills:write", "incidents:read")
    ids = [(await start(h, headers, scenario="datalek_nl", speed=600))["id"] for _ in range(5)]
    sender = RecordingSender()
    # 5 s at 600x: the first 50 scenario minutes are due, so every drill stays running.
    later = datetime.now(UTC) + timedelta(seconds=5)
    for _ in range(3):
        await run_drill_tick(h.sessions, h.settings.drills, sender, now=later, only=ids, limit=2)
    served = {key.split("-", 1)[1].rsplit("-", 2)[0] for _, key, _ in sender.batches}
    assert served == set(ids)


async def test_a_tenant_id_too_long_for_a_sandbox_is_refused(
    make_drills: MakeDrills, make_token: TokenFactory
) -> None:
    h = await make_drills()
    tenant = "t" * 100
    headers = auth(make_token, tenant, "drills:write")
    refused = await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
    assert refused.status_code == 422 and "too long" in refused.json()["detail"]

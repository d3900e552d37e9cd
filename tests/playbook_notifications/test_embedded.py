"""The embedded default (SQLite): webhooks, the freeze and drills work there too."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.common.db import transaction
from services.playbook.drills.router import router as drills_router
from services.playbook.drills.runner import run_drill_tick
from services.playbook.drills.settings import DrillSettings
from services.playbook.notifications.delivery import create_http_client, deliver_due
from services.playbook.notifications.freeze import refresh_freeze
from services.playbook.notifications.router import router as notifications_router
from services.playbook.notifications.service import notify
from services.playbook.notifications.settings import NotificationSettings
from tests.conftest import TokenFactory
from tests.playbook_drills.conftest import RecordingSender
from tests.playbook_notifications.support import (
    Receiver,
    TestSettings,
    harness,
    prepare_sqlite,
)


@pytest.mark.sqlite
async def test_webhooks_freeze_and_drills_on_sqlite(
    scratch_dir: Path, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    url = f"sqlite+aiosqlite:///{scratch_dir / 'playbook-notifications.db'}"
    await prepare_sqlite(url)
    settings = TestSettings(
        database_url=url,
        rate_limit_per_second=0,
        notifications=NotificationSettings(allow_private_targets=True, retry_schedule_seconds=[5]),
    )
    headers = {"Authorization": f"Bearer {make_token(tenant)}"}
    async with harness(url, None, [notifications_router, drills_router], settings) as h:
        created = await h.client.post("/v1/webhooks", json={"url": hooks.url}, headers=headers)
        assert created.status_code == 201
        hooks.script = [500]
        async with transaction(h.sessions) as session:
            await notify(session, tenant, "incident.opened", {"incident_id": "i-1"})
            await refresh_freeze(session, tenant, [("i-1", "sev1")])
        async with create_http_client(settings.notifications) as http:
            assert (
                await deliver_due(h.sessions, settings.notifications, http, tenants=[tenant]) == 2
            )
            later = datetime.now(UTC) + timedelta(seconds=6)
            assert (
                await deliver_due(
                    h.sessions, settings.notifications, http, now=later, tenants=[tenant]
                )
                == 1
            )
        types = [json.loads(r.body)["type"] for r in hooks.requests]
        assert sorted(types) == ["incident.opened", "incident.opened", "social_freeze.changed"]
        flag = (await h.client.get("/v1/social-freeze", headers=headers)).json()
        assert flag["active"] is True and flag["incident_ids"] == ["i-1"]

        drill = (
            await h.client.post("/v1/drills", json={"scenario": "datalek_nl"}, headers=headers)
        ).json()
        sender = RecordingSender()
        started = datetime.fromisoformat(drill["started_at"])
        sent = await run_drill_tick(
            h.sessions,
            DrillSettings(),
            sender,
            now=started + timedelta(seconds=90),
            only=[drill["id"]],
        )
        assert sent > 0
        async with transaction(h.sessions) as session:
            await notify(session, drill["sandbox_tenant"], "incident.opened", {"incident_id": "d"})
        got = (await h.client.get(f"/v1/drills/{drill['id']}", headers=headers)).json()
        assert got["sent"] == sent and got["metrics"]["detected"] is True

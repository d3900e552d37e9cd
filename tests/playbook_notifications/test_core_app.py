"""The notifications as the playbook app wires them: its routers, its operator switch for private
targets, and its background delivery loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from services.playbook.app import create_app
from services.playbook.notifications.settings import NotificationSettings
from services.playbook.settings import PlaybookSettings
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Receiver


@asynccontextmanager
async def playbook(
    postgres_url: str, schema: str, redis_url: str, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    settings = PlaybookSettings.model_validate(
        {
            "database_url": postgres_url,
            "database_schema": schema,
            "redis_url": redis_url,
            "run_drills": False,
            "publish_events": False,
            "rate_limit_per_second": 0,
            **overrides,
        }
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://playbook") as client:
            yield client


async def wait_for(condition: Callable[[], bool], polls: int = 200) -> None:
    """The app's loop runs on its own schedule: look every 50 ms, for up to 10 s."""
    for _ in range(polls):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the delivery loop did not deliver in time")


async def test_the_app_delivers_in_the_background_and_honours_the_operator_switch(
    postgres_url: str,
    playbook_schema: str,
    redis_url: str,
    hooks: Receiver,
    tenant: str,
    make_token: TokenFactory,
) -> None:
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write', 'incidents:read')}"}
    async with playbook(postgres_url, playbook_schema, redis_url, run_delivery=False) as strict:
        refused = await strict.post("/v1/webhooks", json={"url": hooks.url}, headers=headers)
        assert refused.status_code == 422

    async with playbook(
        postgres_url,
        playbook_schema,
        redis_url,
        allow_private_webhook_targets=True,
        notifications=NotificationSettings(poll_interval_seconds=0.05),
    ) as lab:
        created = await lab.post("/v1/webhooks", json={"url": hooks.url}, headers=headers)
        assert created.status_code == 201
        await lab.post(f"/v1/webhooks/{created.json()['id']}/test", headers=headers)
        forced = await lab.put("/v1/social-freeze", json={"mode": "on"}, headers=headers)
        assert forced.json()["active"] is True
        await wait_for(lambda: len(hooks.requests) == 2)
    types = sorted(json.loads(r.body)["type"] for r in hooks.requests)
    assert types == ["social_freeze.changed", "webhook.test"]

"""The background loops the playbook app runs in its lifespan."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from services.common.db import transaction
from services.common.queue import SENTIMENT_QUEUE, create_queue_pool, queue_name
from services.common.settings import TokenSettings
from services.playbook.drills.runner import running_drills
from services.playbook.drills.schemas import DrillStart
from services.playbook.drills.service import start_drill
from services.playbook.drills.settings import DrillSettings
from services.playbook.notifications.delivery import delivering
from services.playbook.notifications.service import notify
from tests.conftest import TokenFactory
from tests.playbook_notifications.support import Harness, Receiver

MakeHarness = Callable[..., Coroutine[Any, Any, Harness]]


async def eventually(check: Callable[[], Coroutine[Any, Any, bool]], polls: int = 200) -> None:
    """Poll a background effect (a loop running on its own clock) for up to ``polls`` x 50 ms."""
    for _ in range(polls):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the background loop did not get there in time")


async def test_the_delivery_loop_sends_what_is_committed(
    make_harness: MakeHarness, hooks: Receiver, tenant: str, make_token: TokenFactory
) -> None:
    h = await make_harness(allow_private_targets=True, poll_interval_seconds=0.05)
    headers = {"Authorization": f"Bearer {make_token(tenant, 'webhooks:write')}"}
    await h.client.post("/v1/webhooks", json={"url": hooks.url}, headers=headers)
    async with delivering(h.sessions, h.settings.notifications):
        async with transaction(h.sessions) as session:
            await notify(session, tenant, "incident.opened", {"incident_id": "i-1"})

        async def received() -> bool:
            return len(hooks.requests) == 1

        await eventually(received)


async def test_the_drill_runner_plays_in_the_background(
    make_harness: MakeHarness, tenant: str, redis_url: str
) -> None:
    h = await make_harness()
    prefix = f"test-drill-{uuid.uuid4().hex[:8]}"
    settings = DrillSettings(delivery="queue", tick_seconds=0.05)
    async with transaction(h.sessions) as session:
        drill = await start_drill(
            session, tenant, DrillStart(scenario="datalek_nl", speed=3600), settings, actor="t"
        )
    pool = await create_queue_pool(redis_url, prefix, SENTIMENT_QUEUE)
    name = queue_name(prefix, SENTIMENT_QUEUE)
    try:
        async with running_drills(
            h.sessions, settings, tokens=TokenSettings(), redis_url=redis_url, queue_prefix=prefix
        ):

            async def enqueued() -> bool:
                jobs = await pool.queued_jobs(queue_name=name)
                return any(j.args[0]["tenant"] == drill.sandbox_tenant for j in jobs)

            await eventually(enqueued)
        await pool.delete(name)
    finally:
        await pool.aclose()

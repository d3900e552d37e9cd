from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from services.playbook.notifications.router import router
from services.playbook.notifications.settings import NotificationSettings
from tests.playbook_notifications.support import (
    Harness,
    Receiver,
    TestSettings,
    harness,
    prepare_schema,
    receiver,
)


@pytest.fixture(scope="session")
async def playbook_schema(postgres_url: str) -> str:
    return await prepare_schema(postgres_url)


HarnessFactory = Callable[..., object]


@pytest.fixture
async def make_harness(
    postgres_url: str, playbook_schema: str
) -> AsyncIterator[Callable[..., object]]:
    opened: list[object] = []

    async def make(**notification_settings: object) -> Harness:
        settings = TestSettings(
            database_url=postgres_url,
            database_schema=playbook_schema,
            rate_limit_per_second=0,
            notifications=NotificationSettings.model_validate(notification_settings),
        )
        context = harness(postgres_url, playbook_schema, [router], settings)
        opened.append(context)
        return await context.__aenter__()

    yield make
    for context in reversed(opened):
        await context.__aexit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
async def hooks() -> AsyncIterator[Receiver]:
    async with receiver() as state:
        yield state

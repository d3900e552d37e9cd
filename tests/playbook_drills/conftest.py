from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import pytest

from services.playbook.drills.router import router as drills_router
from services.playbook.drills.settings import DrillSettings
from services.playbook.notifications.router import router as notifications_router
from tests.playbook_notifications.support import Harness, TestSettings, harness, prepare_schema


@dataclass
class RecordingSender:
    """Stands in for ingest where a test looks only at what the runner hands over."""

    batches: list[tuple[str, str, list[dict[str, object]]]] = field(default_factory=list)
    fail_next: int = 0

    async def send(
        self, sandbox_tenant: str, batch_key: str, mentions: Sequence[dict[str, object]]
    ) -> None:
        from services.playbook.drills.senders import SendFailed

        if self.fail_next:
            self.fail_next -= 1
            raise SendFailed("ingest answered 503")
        self.batches.append((sandbox_tenant, batch_key, list(mentions)))

    async def aclose(self) -> None:
        return None


@pytest.fixture(scope="session")
async def drills_schema(postgres_url: str) -> str:
    return await prepare_schema(postgres_url)


@pytest.fixture
async def make_drills(
    postgres_url: str, drills_schema: str
) -> AsyncIterator[Callable[..., object]]:
    opened: list[object] = []

    async def make(clock: object | None = None, **drill_settings: object) -> Harness:
        settings = TestSettings(
            database_url=postgres_url,
            database_schema=drills_schema,
            rate_limit_per_second=0,
            drills=DrillSettings.model_validate(drill_settings),
        )
        context = harness(
            postgres_url, drills_schema, [drills_router, notifications_router], settings, clock
        )
        opened.append(context)
        return await context.__aenter__()

    yield make
    for context in reversed(opened):
        await context.__aexit__(None, None, None)  # type: ignore[attr-defined]

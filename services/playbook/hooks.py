"""The seams to the notifications and drills packages, looked up once and guarded by existence,
so the core runs (and its tests pass) whichever of them is installed."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


@cache
def _attr(module: str, name: str) -> Any:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(module), name, None)


async def notify(
    session: AsyncSession,
    tenant: str,
    event_type: str,
    payload: Mapping[str, object],
    *,
    now: datetime,
) -> int:
    """Queue a webhook event in the caller's transaction (the notifications outbox)."""
    function: Callable[..., Awaitable[int]] | None = _attr(
        "services.playbook.notifications.service", "notify"
    )
    if function is None:
        return 0
    return await function(session, tenant, event_type, payload, now=now)


async def refresh_freeze(
    session: AsyncSession, tenant: str, open_incidents: Sequence[tuple[str, str]], *, now: datetime
) -> None:
    """Tell the social freeze which incidents are open, with their severities."""
    function: Callable[..., Awaitable[object]] | None = _attr(
        "services.playbook.notifications.freeze", "refresh_freeze"
    )
    if function is not None:
        await function(session, tenant, open_incidents, now=now)


def is_sandbox(tenant: str) -> bool:
    function: Callable[[str], bool] | None = _attr("services.playbook.drills.service", "is_sandbox")
    return bool(function and function(tenant))


async def record_signal_for_drill(
    session: AsyncSession,
    tenant: str,
    signal_id: str,
    label: str,
    *,
    at: datetime,
    observed_at: datetime,
) -> None:
    """A drill measures time to detect from its sandbox's first signal."""
    if not is_sandbox(tenant):
        return
    function: Callable[..., Awaitable[bool]] | None = _attr(
        "services.playbook.drills.service", "record_drill_event"
    )
    if function is not None:
        await function(
            session, tenant, "signal", signal_id, label=label, at=at, observed_at=observed_at
        )


async def scenario_now(session: AsyncSession, tenant: str, now: datetime) -> datetime:
    """The clock the tenant's mentions are dated on: a running drill's sandbox plays its scenario
    faster than the wall clock, so its detector minutes close on the scenario clock."""
    if not is_sandbox(tenant):
        return now
    function: Callable[..., Awaitable[datetime]] | None = _attr(
        "services.playbook.drills.service", "scenario_now"
    )
    return now if function is None else await function(session, tenant, now)

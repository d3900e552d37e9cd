"""The social freeze: while an incident of a chosen severity is open, publishing tools hold posts.

The core incident code reports the tenant's open incidents with :func:`refresh_freeze` whenever one
opens, resolves or changes severity; an operator may force the flag either way. Each flip sends a
``social_freeze.changed`` webhook through the outbox, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.notifications import repository as repo
from services.playbook.notifications.events import EventType
from services.playbook.notifications.schemas import FreezePolicyRead, FreezeRead
from services.playbook.notifications.service import notify
from services.playbook.notifications.tables import SocialFreezePolicy, SocialFreezeState

#: What freezes when a tenant has chosen nothing: the most severe incidents only.
DEFAULT_SEVERITIES = ["sev1"]

OverrideMode = Literal["on", "off", "auto"]


async def _severities(session: AsyncSession, tenant: str) -> list[str]:
    policy = await repo.get_policy(session, tenant)
    return list(policy.severities) if policy is not None else list(DEFAULT_SEVERITIES)


async def _locked_state(session: AsyncSession, tenant: str, now: datetime) -> SocialFreezeState:
    """The tenant's row, created on first use and locked for this transaction."""
    values = {
        "tenant": tenant,
        "active": False,
        "open_incidents": [],
        "incident_ids": [],
        "updated_at": now,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(SocialFreezeState).values(**values).on_conflict_do_nothing(index_elements=["tenant"])
    )
    state = await repo.get_state(session, tenant, lock=True)
    assert state is not None
    await session.refresh(state)
    return state


def _read(state: SocialFreezeState | None, severities: list[str]) -> FreezeRead:
    if state is None:
        return FreezeRead(
            active=False,
            since=None,
            reason=None,
            incident_ids=[],
            override=None,
            severities=severities,
            updated_at=None,
        )
    override = state.override if state.override in ("on", "off") else None
    return FreezeRead(
        active=state.active,
        since=state.since,
        reason=state.reason,
        incident_ids=list(state.incident_ids),
        override=override,
        severities=severities,
        updated_at=state.updated_at,
    )


async def _recompute(
    session: AsyncSession, tenant: str, state: SocialFreezeState, now: datetime
) -> FreezeRead:
    severities = await _severities(session, tenant)
    freezing = sorted(
        {incident for incident, severity in state.open_incidents if severity in severities}
    )
    reason: str | None
    if state.override == "on":
        active = True
        reason = state.override_reason or f"Frozen by hand ({state.override_by or 'operator'})"
    elif state.override == "off":
        active = False
        reason = state.override_reason or f"Lifted by hand ({state.override_by or 'operator'})"
    else:
        active = bool(freezing)
        reason = (
            f"{len(freezing)} open incident(s) of severity {', '.join(severities)}"
            if active
            else None
        )
    flipped = active != state.active
    state.incident_ids = freezing
    state.reason = reason
    state.updated_at = now
    if flipped:
        state.active = active
        state.since = now if active else None
    await session.flush()
    result = _read(state, severities)
    if flipped:
        await notify(
            session,
            tenant,
            EventType.SOCIAL_FREEZE_CHANGED,
            {
                "active": result.active,
                "since": result.since.isoformat() if result.since else None,
                "reason": result.reason,
                "incident_ids": list(result.incident_ids),
                "override": result.override,
                "changed_at": now.isoformat(),
            },
            now=now,
        )
    return result


async def refresh_freeze(
    session: AsyncSession,
    tenant: str,
    open_incidents: Sequence[tuple[str, str]],
    *,
    now: datetime | None = None,
) -> FreezeRead:
    """Recompute the tenant's freeze from all its open incidents, as ``(id, severity)`` pairs.

    Call it in the transaction that opens, resolves or re-grades an incident; when the flag flips
    it queues a ``social_freeze.changed`` webhook in the same transaction. Idempotent.
    """
    now = now or datetime.now(UTC)
    state = await _locked_state(session, tenant, now)
    state.open_incidents = [[str(i), str(s)] for i, s in open_incidents]
    return await _recompute(session, tenant, state, now)


async def set_override(
    session: AsyncSession,
    tenant: str,
    mode: OverrideMode,
    *,
    reason: str | None,
    actor: str,
    now: datetime | None = None,
) -> FreezeRead:
    """Force the freeze ``on`` or ``off``, or go back to following incidents (``auto``)."""
    now = now or datetime.now(UTC)
    state = await _locked_state(session, tenant, now)
    state.override = None if mode == "auto" else mode
    state.override_reason = None if mode == "auto" else reason
    state.override_by = None if mode == "auto" else actor
    return await _recompute(session, tenant, state, now)


async def get_freeze(session: AsyncSession, tenant: str) -> FreezeRead:
    severities = await _severities(session, tenant)
    return _read(await repo.get_state(session, tenant), severities)


async def is_frozen(session: AsyncSession, tenant: str) -> bool:
    """The flag alone, for code that is about to publish on the tenant's behalf."""
    state = await repo.get_state(session, tenant)
    return bool(state and state.active)


async def get_policy(session: AsyncSession, tenant: str) -> FreezePolicyRead:
    policy = await repo.get_policy(session, tenant)
    if policy is None:
        return FreezePolicyRead(severities=list(DEFAULT_SEVERITIES), updated_at=None)
    return FreezePolicyRead(severities=list(policy.severities), updated_at=policy.updated_at)


async def set_policy(
    session: AsyncSession, tenant: str, severities: Sequence[str], *, now: datetime | None = None
) -> FreezePolicyRead:
    """Choose the freezing severities; the flag is recomputed from the open incidents at once."""
    now = now or datetime.now(UTC)
    chosen = sorted(set(severities))
    policy = await repo.get_policy(session, tenant)
    if policy is None:
        policy = SocialFreezePolicy(tenant=tenant, severities=chosen, updated_at=now)
        session.add(policy)
    else:
        policy.severities = chosen
        policy.updated_at = now
    await session.flush()
    state = await _locked_state(session, tenant, now)
    await _recompute(session, tenant, state, now)
    return FreezePolicyRead(severities=chosen, updated_at=now)

"""SQL for subscriptions, the delivery outbox, its log and the social freeze."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.notifications.tables import (
    SocialFreezePolicy,
    SocialFreezeState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

_S = WebhookSubscription.__table__.c  # type: ignore[attr-defined]
_D = WebhookDelivery.__table__.c  # type: ignore[attr-defined]
_A = WebhookAttempt.__table__.c  # type: ignore[attr-defined]


async def get_subscription(
    session: AsyncSession, tenant: str, webhook_id: str
) -> WebhookSubscription | None:
    statement = select(WebhookSubscription).where(_S.tenant == tenant, _S.id == webhook_id)
    return (await session.execute(statement)).scalars().first()


async def list_subscriptions(
    session: AsyncSession, tenant: str, *, limit: int, after: str | None = None
) -> list[WebhookSubscription]:
    statement = select(WebhookSubscription).where(_S.tenant == tenant)
    if after is not None:
        statement = statement.where(_S.id > after)
    statement = statement.order_by(_S.id).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def active_subscriptions(session: AsyncSession, tenant: str) -> list[WebhookSubscription]:
    statement = select(WebhookSubscription).where(_S.tenant == tenant, _S.active.is_(True))
    return list((await session.execute(statement)).scalars().all())


async def subscriptions_by_ids(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, WebhookSubscription]:
    if not ids:
        return {}
    statement = select(WebhookSubscription).where(_S.id.in_(list(set(ids))))
    return {s.id: s for s in (await session.execute(statement)).scalars().all()}


async def delete_subscription(session: AsyncSession, subscription: WebhookSubscription) -> None:
    await session.execute(delete(WebhookAttempt).where(_A.subscription_id == subscription.id))
    await session.execute(delete(WebhookDelivery).where(_D.subscription_id == subscription.id))
    await session.delete(subscription)


async def add_deliveries(session: AsyncSession, rows: Sequence[WebhookDelivery]) -> None:
    """One multi-row INSERT for every delivery of an event."""
    if rows:
        await session.execute(
            WebhookDelivery.__table__.insert(),  # type: ignore[attr-defined]
            [r.model_dump() for r in rows],
        )


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, *, tenants: Sequence[str] | None = None
) -> list[WebhookDelivery]:
    """Pending deliveries due by ``now``, locked for this transaction.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets several delivery loops share the outbox without
    sending anything twice; SQLite has one writer at a time and ignores the clause.
    """
    statement = (
        select(WebhookDelivery)
        .where(_D.status == "pending", _D.next_attempt_at <= now)
        .where(_D.tenant.in_(list(tenants)) if tenants is not None else true())
        .order_by(_D.next_attempt_at, _D.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(statement)).scalars().all())


async def add_attempts(session: AsyncSession, rows: Sequence[WebhookAttempt]) -> None:
    if rows:
        await session.execute(
            WebhookAttempt.__table__.insert(),  # type: ignore[attr-defined]
            [r.model_dump() for r in rows],
        )


async def get_delivery(
    session: AsyncSession, tenant: str, delivery_id: str, *, lock: bool = False
) -> WebhookDelivery | None:
    statement = select(WebhookDelivery).where(_D.tenant == tenant, _D.id == delivery_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalars().first()


async def list_deliveries(
    session: AsyncSession,
    tenant: str,
    subscription_id: str,
    *,
    status: str | None,
    limit: int,
    after: str | None = None,
) -> list[WebhookDelivery]:
    """Newest first (ids are time-ordered UUIDv7s)."""
    statement = select(WebhookDelivery).where(
        _D.tenant == tenant, _D.subscription_id == subscription_id
    )
    if status is not None:
        statement = statement.where(_D.status == status)
    if after is not None:
        statement = statement.where(_D.id < after)
    statement = statement.order_by(_D.id.desc()).limit(limit)
    return list((await session.execute(statement)).scalars().all())


async def attempts_for(
    session: AsyncSession, delivery_ids: Sequence[str]
) -> dict[str, list[WebhookAttempt]]:
    out: dict[str, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
    if not delivery_ids:
        return out
    statement = (
        select(WebhookAttempt)
        .where(_A.delivery_id.in_(list(delivery_ids)))
        .order_by(_A.delivery_id, _A.attempt)
    )
    for attempt in (await session.execute(statement)).scalars().all():
        out[attempt.delivery_id].append(attempt)
    return out


# --- social freeze -----------------------------------------------------------------------------


async def get_policy(session: AsyncSession, tenant: str) -> SocialFreezePolicy | None:
    return await session.get(SocialFreezePolicy, tenant)


async def get_state(
    session: AsyncSession, tenant: str, *, lock: bool = False
) -> SocialFreezeState | None:
    statement = select(SocialFreezeState).where(
        SocialFreezeState.__table__.c.tenant == tenant  # type: ignore[attr-defined]
    )
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalars().first()


async def prune_finished(session: AsyncSession, older_than: datetime, limit: int = 5000) -> int:
    """Delete delivered and failed deliveries last touched before ``older_than``, with their log."""
    ids = list(
        (
            await session.execute(
                select(_D.id)
                .where(_D.status.in_(["delivered", "failed"]), _D.updated_at < older_than)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    if ids:
        await session.execute(delete(WebhookAttempt).where(_A.delivery_id.in_(ids)))
        await session.execute(delete(WebhookDelivery).where(_D.id.in_(ids)))
    return len(ids)

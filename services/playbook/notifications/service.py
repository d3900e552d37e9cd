"""Webhook subscriptions and the outbox: use cases as plain async functions (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import new_id
from services.playbook.drills.service import is_sandbox, record_drill_event
from services.playbook.notifications import repository as repo
from services.playbook.notifications.errors import (
    DeliveryNotFound,
    DeliveryStillPending,
    WebhookNotFound,
    WebhookTargetNotAllowed,
)
from services.playbook.notifications.events import DeliveryStatus, EventType
from services.playbook.notifications.schemas import (
    AttemptRead,
    DeliveryRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from services.playbook.notifications.settings import NotificationSettings
from services.playbook.notifications.signing import new_secret
from services.playbook.notifications.tables import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.playbook.notifications.targets import TargetRefusedError, check_target


async def notify(
    session: AsyncSession,
    tenant: str,
    event_type: str,
    payload: Mapping[str, object],
    *,
    now: datetime | None = None,
) -> int:
    """Queue ``event_type`` for every active subscription of ``tenant`` that wants it.

    Writes one outbox row per subscription in the caller's transaction, so the event leaves if and
    only if what caused it is committed. Returns the number of deliveries queued. The payload is
    anything orjson serialises (datetimes become ISO strings, enums their values); it is stored as
    JSON and becomes ``data`` in the standard body.
    """
    now = now or datetime.now(UTC)
    if is_sandbox(tenant):
        await _record_for_drill(session, tenant, event_type, payload, now)
    subscriptions = [
        s
        for s in await repo.active_subscriptions(session, tenant)
        if not s.event_types or event_type in s.event_types
    ]
    if not subscriptions:
        return 0
    data: dict[str, object] = orjson.loads(orjson.dumps(dict(payload)))
    rows = [
        WebhookDelivery(
            id=new_id(now),
            tenant=tenant,
            subscription_id=s.id,
            event_type=event_type,
            payload=data,
            status=DeliveryStatus.PENDING,
            attempts=0,
            # Fixed from the operator's settings at the first attempt (see delivery.py).
            retry_schedule=[],
            schedule_start=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        for s in subscriptions
    ]
    await repo.add_deliveries(session, rows)
    return len(rows)


#: Events a drill measures, with the payload key naming what they are about.
_DRILL_EVENTS: dict[str, tuple[str, str]] = {
    "incident.opened": ("incident_opened", "incident_id"),
    "incident.resolved": ("incident_resolved", "incident_id"),
    "step.completed": ("step_completed", "step_id"),
    "step.escalated": ("step_escalated", "step_id"),
    "statement.ready": ("statement_ready", "statement_id"),
}


async def _record_for_drill(
    session: AsyncSession,
    tenant: str,
    event_type: str,
    payload: Mapping[str, object],
    now: datetime,
) -> None:
    """A drill's sandbox has no subscriptions; its events feed the drill's metrics instead."""
    mapped = _DRILL_EVENTS.get(event_type)
    if mapped is None:
        return
    kind, key = mapped
    ref = payload.get(key)
    label = payload.get("title") or payload.get("name") or payload.get("step")
    await record_drill_event(
        session,
        tenant,
        kind,
        str(ref) if ref is not None else None,
        label=label if isinstance(label, str) else None,
        at=now,
    )


def to_read(subscription: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate(subscription, from_attributes=True)


def to_delivery_read(
    delivery: WebhookDelivery, attempts: list[WebhookAttempt] | None = None
) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_type=delivery.event_type,
        status=DeliveryStatus(delivery.status),
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        log=[AttemptRead.model_validate(a, from_attributes=True) for a in attempts or []],
    )


async def _check(url: str, settings: NotificationSettings) -> None:
    try:
        await check_target(url, allow_private=settings.allow_private_targets)
    except TargetRefusedError as exc:
        raise WebhookTargetNotAllowed(url, exc.reason) from exc


async def create_subscription(
    session: AsyncSession,
    tenant: str,
    body: WebhookCreate,
    settings: NotificationSettings,
    *,
    now: datetime | None = None,
) -> WebhookWithSecret:
    await _check(body.url, settings)
    now = now or datetime.now(UTC)
    subscription = WebhookSubscription(
        id=new_id(now),
        tenant=tenant,
        url=body.url,
        event_types=[str(e) for e in dict.fromkeys(body.event_types)],
        format=body.format,
        active=body.active,
        description=body.description,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    await session.flush()
    return WebhookWithSecret(**to_read(subscription).model_dump(), secret=subscription.secret)


async def get_subscription(
    session: AsyncSession, tenant: str, webhook_id: str
) -> WebhookSubscription:
    subscription = await repo.get_subscription(session, tenant, webhook_id)
    if subscription is None:
        raise WebhookNotFound(webhook_id)
    return subscription


async def update_subscription(
    session: AsyncSession,
    tenant: str,
    webhook_id: str,
    body: WebhookUpdate,
    settings: NotificationSettings,
    *,
    now: datetime | None = None,
) -> WebhookRead:
    subscription = await get_subscription(session, tenant, webhook_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        await _check(changes["url"], settings)
        subscription.url = changes["url"]
    if changes.get("event_types") is not None:
        subscription.event_types = [str(e) for e in dict.fromkeys(changes["event_types"])]
    if changes.get("format") is not None:
        subscription.format = changes["format"]
    if changes.get("active") is not None:
        subscription.active = changes["active"]
    if "description" in changes:
        subscription.description = changes["description"]
    subscription.updated_at = now or datetime.now(UTC)
    await session.flush()
    return to_read(subscription)


async def rotate_secret(
    session: AsyncSession, tenant: str, webhook_id: str, *, now: datetime | None = None
) -> WebhookWithSecret:
    """A new secret, used from the next attempt on (pending retries are signed with it too)."""
    subscription = await get_subscription(session, tenant, webhook_id)
    subscription.secret = new_secret()
    subscription.updated_at = now or datetime.now(UTC)
    await session.flush()
    return WebhookWithSecret(**to_read(subscription).model_dump(), secret=subscription.secret)


async def delete_subscription(session: AsyncSession, tenant: str, webhook_id: str) -> None:
    subscription = await get_subscription(session, tenant, webhook_id)
    await repo.delete_subscription(session, subscription)
    await session.flush()


async def list_deliveries(
    session: AsyncSession,
    tenant: str,
    webhook_id: str,
    *,
    status: DeliveryStatus | None,
    limit: int,
    after: str | None,
) -> list[DeliveryRead]:
    await get_subscription(session, tenant, webhook_id)
    rows = await repo.list_deliveries(
        session, tenant, webhook_id, status=status, limit=limit, after=after
    )
    log = await repo.attempts_for(session, [r.id for r in rows])
    return [to_delivery_read(r, log[r.id]) for r in rows]


async def get_delivery(session: AsyncSession, tenant: str, delivery_id: str) -> DeliveryRead:
    delivery = await repo.get_delivery(session, tenant, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(delivery_id)
    log = await repo.attempts_for(session, [delivery.id])
    return to_delivery_read(delivery, log[delivery.id])


async def send_test(
    session: AsyncSession, tenant: str, webhook_id: str, *, now: datetime | None = None
) -> DeliveryRead:
    """Queue a ``webhook.test`` event for one subscription, whatever its filter, to try a target."""
    subscription = await get_subscription(session, tenant, webhook_id)
    now = now or datetime.now(UTC)
    delivery = WebhookDelivery(
        id=new_id(now),
        tenant=tenant,
        subscription_id=subscription.id,
        event_type=EventType.WEBHOOK_TEST,
        payload={
            "title": "Uitkijk test event",
            "description": "If you can read this, notifications reach this endpoint.",
            "webhook_id": subscription.id,
        },
        status=DeliveryStatus.PENDING,
        attempts=0,
        retry_schedule=[],
        schedule_start=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    await repo.add_deliveries(session, [delivery])
    return to_delivery_read(delivery)


async def replay_delivery(
    session: AsyncSession, tenant: str, delivery_id: str, *, now: datetime | None = None
) -> DeliveryRead:
    """Send a failed (or delivered) event again, now, with a fresh retry schedule."""
    delivery = await repo.get_delivery(session, tenant, delivery_id, lock=True)
    if delivery is None:
        raise DeliveryNotFound(delivery_id)
    if delivery.status == DeliveryStatus.PENDING:
        raise DeliveryStillPending(delivery_id)
    now = now or datetime.now(UTC)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.schedule_start = delivery.attempts
    delivery.retry_schedule = []
    delivery.updated_at = now
    await session.flush()
    log = await repo.attempts_for(session, [delivery.id])
    return to_delivery_read(delivery, log[delivery.id])

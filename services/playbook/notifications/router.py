"""``/v1/webhooks`` (subscriptions, deliveries, replays) and ``/v1/social-freeze``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.auth import Caller, require
from services.common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_RESPONSES
from services.playbook.notifications import freeze, service
from services.playbook.notifications import repository as repo
from services.playbook.notifications.events import DeliveryStatus
from services.playbook.notifications.schemas import (
    DeliveryRead,
    FreezeOverrideIn,
    FreezePolicyIn,
    FreezePolicyRead,
    FreezeRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from services.playbook.notifications.settings import NotificationSettings

router = APIRouter(prefix="/v1", responses=PROBLEM_RESPONSES)


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


def notification_settings(request: Request) -> NotificationSettings:
    """``settings.notifications`` of the app's settings, or the defaults when it has none."""
    embedded = getattr(request.app.state.settings, "notifications", None)
    return embedded if isinstance(embedded, NotificationSettings) else NotificationSettings()


def _now(request: Request) -> datetime:
    """The app's clock (``app.state.clock``, which tests can move) or the system's."""
    clock = getattr(request.app.state, "clock", None)
    now = clock.now() if clock is not None else None
    return now if isinstance(now, datetime) else datetime.now(UTC)


# scope="function": the session closes before the response is sent (see CONVENTIONS rule 3).
Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Now = Annotated[datetime, Depends(_now)]
Settings = Annotated[NotificationSettings, Depends(notification_settings)]
Reader = Annotated[Caller, require("incidents:read")]
Writer = Annotated[Caller, require("webhooks:write")]


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookWithSecret,
    tags=["webhooks"],
    summary="Subscribe a URL to events",
    description=(
        "The answer carries the `whsec_` signing secret, shown only this once. Every request is "
        "signed per Standard Webhooks: `webhook-signature` is `v1,` + base64 of HMAC-SHA256 over "
        "`{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded part of the secret "
        "after `whsec_`; `webhook-id` stays the same on retries, so dedupe on it. Answer 2xx "
        "within the timeout; anything else (redirects included) is retried on the schedule. "
        "Targets on private, loopback, link-local or reserved addresses are refused (422) unless "
        "the operator allows them. `format`: `standard` (`{type, timestamp, data}`), `slack` "
        "(an incoming-webhook message) or `teams` (an Adaptive Card message)."
    ),
)
async def create_webhook(
    body: WebhookCreate, caller: Writer, tx: Tx, settings: Settings, now: Now
) -> WebhookWithSecret:
    created = await service.create_subscription(tx, caller.tenant, body, settings, now=now)
    await tx.commit()
    return created


@router.get("/webhooks", response_model=Page[WebhookRead], tags=["webhooks"])
async def list_webhooks(
    caller: Reader, tx: Tx, limit: Limit = 50, cursor: Cursor = None
) -> Page[WebhookRead]:
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repo.list_subscriptions(tx, caller.tenant, limit=limit + 1, after=after)
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page[WebhookRead](
        items=[service.to_read(r) for r in rows[:limit]], next_cursor=next_cursor
    )


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    response_model=DeliveryRead,
    tags=["webhooks"],
    summary="One delivery with its attempts",
)
async def get_delivery(delivery_id: str, caller: Reader, tx: Tx) -> DeliveryRead:
    return await service.get_delivery(tx, caller.tenant, delivery_id)


@router.post(
    "/webhooks/deliveries/{delivery_id}/retry",
    status_code=202,
    response_model=DeliveryRead,
    tags=["webhooks"],
    summary="Replay a failed (or delivered) delivery now, with a fresh retry schedule",
)
async def retry_delivery(delivery_id: str, caller: Writer, tx: Tx, now: Now) -> DeliveryRead:
    replayed = await service.replay_delivery(tx, caller.tenant, delivery_id, now=now)
    await tx.commit()
    return replayed


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, tags=["webhooks"])
async def get_webhook(webhook_id: str, caller: Reader, tx: Tx) -> WebhookRead:
    return service.to_read(await service.get_subscription(tx, caller.tenant, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead, tags=["webhooks"])
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, caller: Writer, tx: Tx, settings: Settings, now: Now
) -> WebhookRead:
    updated = await service.update_subscription(
        tx, caller.tenant, webhook_id, body, settings, now=now
    )
    await tx.commit()
    return updated


@router.delete("/webhooks/{webhook_id}", status_code=204, tags=["webhooks"])
async def delete_webhook(webhook_id: str, caller: Writer, tx: Tx) -> Response:
    await service.delete_subscription(tx, caller.tenant, webhook_id)
    await tx.commit()
    return Response(status_code=204)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    tags=["webhooks"],
    summary="Replace the signing secret (shown once); pending retries are signed with the new one",
)
async def rotate_secret(webhook_id: str, caller: Writer, tx: Tx, now: Now) -> WebhookWithSecret:
    rotated = await service.rotate_secret(tx, caller.tenant, webhook_id, now=now)
    await tx.commit()
    return rotated


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=202,
    response_model=DeliveryRead,
    tags=["webhooks"],
    summary="Queue a `webhook.test` event for this subscription (whatever its event filter)",
)
async def test_webhook(webhook_id: str, caller: Writer, tx: Tx, now: Now) -> DeliveryRead:
    queued = await service.send_test(tx, caller.tenant, webhook_id, now=now)
    await tx.commit()
    return queued


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    tags=["webhooks"],
    summary="The delivery log: newest first, each with its attempts",
)
async def list_deliveries(
    webhook_id: str,
    caller: Reader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> Page[DeliveryRead]:
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await service.list_deliveries(
        tx, caller.tenant, webhook_id, status=status, limit=limit + 1, after=after
    )
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page[DeliveryRead](items=rows[:limit], next_cursor=next_cursor)


@router.get("/social-freeze", response_model=FreezeRead, tags=["social freeze"])
async def get_freeze(caller: Reader, tx: Tx) -> FreezeRead:
    return await freeze.get_freeze(tx, caller.tenant)


@router.put(
    "/social-freeze",
    response_model=FreezeRead,
    tags=["social freeze"],
    summary="Force the freeze on or off, or let open incidents decide again (`auto`)",
)
async def override_freeze(body: FreezeOverrideIn, caller: Writer, tx: Tx, now: Now) -> FreezeRead:
    result = await freeze.set_override(
        tx, caller.tenant, body.mode, reason=body.reason, actor=caller.subject, now=now
    )
    await tx.commit()
    return result


@router.get("/social-freeze/policy", response_model=FreezePolicyRead, tags=["social freeze"])
async def get_freeze_policy(caller: Reader, tx: Tx) -> FreezePolicyRead:
    return await freeze.get_policy(tx, caller.tenant)


@router.put("/social-freeze/policy", response_model=FreezePolicyRead, tags=["social freeze"])
async def set_freeze_policy(
    body: FreezePolicyIn, caller: Writer, tx: Tx, now: Now
) -> FreezePolicyRead:
    result = await freeze.set_policy(tx, caller.tenant, body.severities, now=now)
    await tx.commit()
    return result

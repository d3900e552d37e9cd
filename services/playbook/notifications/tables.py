"""Notification tables: webhook subscriptions, the delivery outbox and its log, the social freeze."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class WebhookSubscription(SQLModel, table=True):
    """Where a tenant wants its events sent, in which format, signed with which secret."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_tenant", "tenant", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    url: str = Field(sa_type=Text)
    #: Event types to send; an empty list means every event.
    event_types: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    format: str = Field(default="standard", max_length=16)
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    description: str | None = Field(default=None, sa_type=Text)
    #: ``whsec_`` + base64 key (Standard Webhooks); shown to the tenant once, on create and rotate.
    secret: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: the outbox row, retried on its own stored schedule."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "tenant", "subscription_id", "id"),
    )

    #: Also the ``webhook-id`` header: the same on every retry, so receivers can dedupe.
    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    subscription_id: str = Field(max_length=36, index=True)
    event_type: str = Field(max_length=64)
    payload: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))
    #: pending → delivered | failed (a failed one may be replayed, back to pending).
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    #: Seconds to wait after attempt 1, 2, ...; the delivery fails after the last.
    retry_schedule: list[int] = Field(sa_column=Column(JsonType, nullable=False))
    #: ``attempts`` when the current schedule began (a replay starts the schedule again).
    schedule_start: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(String(500)))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class WebhookAttempt(SQLModel, table=True):
    """The delivery log: one row per HTTP attempt, never changed."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "attempt"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    delivery_id: str = Field(max_length=36)
    subscription_id: str = Field(max_length=36)
    attempt: int
    attempted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ok: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = Field(default=None, sa_column=Column(String(500)))
    response_snippet: str | None = Field(default=None, sa_column=Column(String(1000)))


class SocialFreezePolicy(SQLModel, table=True):
    """Per tenant: the incident severities that freeze scheduled social posts."""

    __tablename__ = "social_freeze_policies"

    tenant: str = Field(primary_key=True, max_length=128)
    severities: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SocialFreezeState(SQLModel, table=True):
    """Per tenant: whether the freeze is on, since when, why, and any manual override."""

    __tablename__ = "social_freeze_states"

    tenant: str = Field(primary_key=True, max_length=128)
    active: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reason: str | None = Field(default=None, sa_type=Text)
    #: Every open incident as ``[id, severity]``, as last reported (a policy change recomputes).
    open_incidents: list[list[str]] = Field(sa_column=Column(JsonType, nullable=False))
    #: The open incidents of a freezing severity (what the automatic flag is computed from).
    incident_ids: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    #: ``"on"`` / ``"off"`` forces the flag; ``None`` follows the incidents.
    override: str | None = Field(default=None, max_length=8)
    override_reason: str | None = Field(default=None, sa_type=Text)
    override_by: str | None = Field(default=None, max_length=256)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

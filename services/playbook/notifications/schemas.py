"""REST bodies for webhook subscriptions, their deliveries, and the social freeze."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.playbook.notifications.events import DeliveryStatus, EventType, WebhookFormat

Url = Annotated[str, StringConstraints(min_length=8, max_length=2048, strip_whitespace=True)]
SeverityName = Annotated[str, StringConstraints(pattern=r"^sev[1-9]$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookCreate(_In):
    url: Url
    event_types: list[EventType] = Field(
        default_factory=list, max_length=50, description="Empty: every event type."
    )
    format: WebhookFormat = WebhookFormat.STANDARD
    active: bool = True
    description: str | None = Field(default=None, max_length=500)


class WebhookUpdate(_In):
    url: Url | None = None
    event_types: list[EventType] | None = Field(default=None, max_length=50)
    format: WebhookFormat | None = None
    active: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class WebhookRead(BaseModel):
    id: str
    url: str
    event_types: list[str]
    format: WebhookFormat
    active: bool
    description: str | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(
        description="The `whsec_` signing secret. Shown only now: store it to verify signatures."
    )


class AttemptRead(BaseModel):
    attempt: int
    attempted_at: datetime
    ok: bool
    status_code: int | None
    latency_ms: int | None
    error: str | None
    response_snippet: str | None


class DeliveryRead(BaseModel):
    id: str = Field(description="Also the `webhook-id` header, the same on every retry.")
    subscription_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    log: list[AttemptRead] = Field(default_factory=list)


class FreezePolicyIn(_In):
    severities: list[SeverityName] = Field(
        max_length=9, description="Incident severities that freeze scheduled posts while open."
    )


class FreezePolicyRead(BaseModel):
    severities: list[str]
    updated_at: datetime | None


class FreezeOverrideIn(_In):
    mode: Literal["on", "off", "auto"] = Field(
        description="`on`/`off` forces the freeze; `auto` follows open incidents again."
    )
    reason: str | None = Field(default=None, max_length=500)


class FreezeRead(BaseModel):
    active: bool
    since: AwareDatetime | None
    reason: str | None
    incident_ids: list[str]
    override: Literal["on", "off"] | None
    severities: list[str]
    updated_at: AwareDatetime | None

"""Tracked topics, known accounts (sentiment), webhook subscriptions and the social freeze (playbook)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.ids import to_global_id
from gateway.rest.playbook import FreezeRest, WebhookRest
from gateway.rest.sentiment import KnownAccountRest, TopicRest
from gateway.schema import fields
from gateway.schema.relay import Node


@strawberry.enum
class TopicKind(Enum):
    BRAND = "brand"
    KEYWORD_GROUP = "keyword_group"


@strawberry.type(description="A tracked brand or keyword group (a boolean query).")
class Topic(Node):
    kind: TopicKind
    name: str
    query: str
    languages: list[str]
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_rest(cls, t: TopicRest) -> Topic:
        try:
            kind = TopicKind(t.kind)
        except ValueError:
            kind = TopicKind.KEYWORD_GROUP
        return cls(
            id=strawberry.ID(to_global_id("Topic", t.id)),
            kind=kind,
            name=t.name,
            query=t.query,
            languages=list(t.languages),
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


@strawberry.type(description="An account whose stakeholder type is known (overrides detection).")
class KnownAccount(Node):
    handle: str
    platform: str | None
    stakeholder: str
    note: str | None
    updated_at: datetime | None

    @classmethod
    def from_rest(cls, a: KnownAccountRest) -> KnownAccount:
        return cls(
            id=strawberry.ID(to_global_id("KnownAccount", a.id)),
            handle=a.handle,
            platform=a.platform,
            stakeholder=a.stakeholder,
            note=a.note,
            updated_at=a.updated_at,
        )


@strawberry.enum
class WebhookFormat(Enum):
    STANDARD = "standard"
    SLACK = "slack"
    TEAMS = "teams"


@strawberry.type(description="A URL that receives signed events (Standard Webhooks, Slack, Teams).")
class WebhookSubscription(Node):
    url: str
    event_types: list[str] = strawberry.field(description="Empty: every event type.")
    format: WebhookFormat
    active: bool
    description: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_rest(cls, w: WebhookRest) -> WebhookSubscription:
        try:
            fmt = WebhookFormat(w.format)
        except ValueError:
            fmt = WebhookFormat.STANDARD
        return cls(
            id=strawberry.ID(to_global_id("WebhookSubscription", w.id)),
            url=w.url,
            event_types=list(w.event_types),
            format=fmt,
            active=w.active,
            description=w.description,
            created_at=w.created_at,
            updated_at=w.updated_at,
        )


@strawberry.type(description="A new subscription with its signing secret, shown only this once.")
class WebhookSubscriptionCreated:
    subscription: WebhookSubscription
    secret: str


@strawberry.enum
class FreezeMode(Enum):
    ON = "on"
    OFF = "off"
    AUTO = "auto"


@strawberry.type(description="Whether scheduled posts are held back, and why.")
class SocialFreeze:
    active: bool
    since: datetime | None
    reason: str | None
    override: str | None
    severities: list[str] = strawberry.field(description="Severities that freeze while open.")
    updated_at: datetime | None
    incident_raw_ids: strawberry.Private[list[str]]

    @fields.field("Global ids of the open incidents that hold the freeze.")
    def incident_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(to_global_id("Incident", i)) for i in self.incident_raw_ids]

    @classmethod
    def from_rest(cls, f: FreezeRest) -> SocialFreeze:
        return cls(
            active=f.active,
            since=f.since,
            reason=f.reason,
            override=f.override,
            severities=list(f.severities),
            updated_at=f.updated_at,
            incident_raw_ids=list(f.incident_ids),
        )

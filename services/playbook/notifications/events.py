"""Event types a subscription can filter on, and the event body every format starts from."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_RESOLVED = "incident.resolved"
    STEP_ESCALATED = "step.escalated"
    STEP_COMPLETED = "step.completed"
    STATEMENT_READY = "statement.ready"
    SOCIAL_FREEZE_CHANGED = "social_freeze.changed"
    WEBHOOK_TEST = "webhook.test"


class WebhookFormat(StrEnum):
    #: Standard Webhooks JSON: ``{"type", "timestamp", "data"}``, signed.
    STANDARD = "standard"
    #: Slack incoming webhook: ``{"text", "blocks"}`` (also signed; Slack ignores the headers).
    SLACK = "slack"
    #: Microsoft Teams (Workflows / incoming webhook): a message with an Adaptive Card.
    TEAMS = "teams"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


TITLES: dict[str, str] = {
    EventType.INCIDENT_OPENED: "Incident opened",
    EventType.INCIDENT_UPDATED: "Incident updated",
    EventType.INCIDENT_RESOLVED: "Incident resolved",
    EventType.STEP_ESCALATED: "Step escalated",
    EventType.STEP_COMPLETED: "Step completed",
    EventType.STATEMENT_READY: "Statement ready",
    EventType.SOCIAL_FREEZE_CHANGED: "Social freeze changed",
    EventType.WEBHOOK_TEST: "Test event",
}

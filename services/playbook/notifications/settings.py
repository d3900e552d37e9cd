"""Operator settings for notifications; ``PlaybookSettings`` embeds them as ``notifications``."""

from __future__ import annotations

from pydantic import BaseModel, Field

#: Roughly the Standard Webhooks recommendation: seconds after attempt 1, 2, ... (about 1.5 days).
DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000, 86400]


class NotificationSettings(BaseModel):
    #: Allow webhook targets on private, loopback, link-local or reserved addresses (tests, labs).
    allow_private_targets: bool = False
    #: Seconds to wait before each retry; a delivery fails for good after the last one.
    retry_schedule_seconds: list[int] = Field(
        default_factory=lambda: list(DEFAULT_RETRY_SCHEDULE), max_length=50
    )
    #: Per attempt: connect, read and write each, and the whole request.
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    #: Due deliveries claimed per round, and sent concurrently within it.
    batch_size: int = Field(default=50, ge=1, le=1000)
    #: Seconds the background loop sleeps when nothing is due.
    poll_interval_seconds: float = Field(default=1.0, gt=0)
    #: Characters of a receiver's answer kept in the delivery log.
    response_snippet_chars: int = Field(default=500, ge=0, le=1000)
    #: Delivered and failed deliveries (and their attempts) are deleted after this many days.
    retention_days: int = Field(default=30, ge=1)
    #: The link the Slack and Teams messages point to (``{incident_id}`` is filled in), if any.
    incident_url_template: str | None = None

"""Settings of the playbook service, its worker and the packages it embeds."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from services.common.settings import ServiceSettings
from services.playbook.detection import DetectorConfig
from services.playbook.drills.settings import DrillSettings
from services.playbook.notifications.settings import NotificationSettings


class PlaybookSettings(ServiceSettings):
    """Playbook: detects, opens incidents, runs their steps and notifies."""

    service_name: str = "playbook"
    database_schema: str | None = "playbook"
    #: Run this service's migrations at start-up (the embedded default; deployments use a Job).
    auto_migrate: bool = False
    #: Detector tuning, the same for every tenant and topic (see ``services.playbook.detection``).
    detector: DetectorConfig = Field(default_factory=DetectorConfig)
    #: A signal within this many minutes of the last one with the same fingerprint folds into it.
    dedupe_window_minutes: float = 60.0
    #: Topics run through the detectors per batch besides ``*`` (the rest are counted only).
    max_topics_per_batch: int = 20
    #: Evidence mention ids kept on a signal and on an incident.
    max_evidence_ids: int = 200
    #: Tenants without any playbook of their own use the shipped library (demo setups).
    library_fallback: bool = False
    #: Webhook targets on private, loopback or link-local addresses (labs and tests only).
    allow_private_webhook_targets: bool = False
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    drills: DrillSettings = Field(default_factory=DrillSettings)
    #: Background loops of the API process: webhook delivery and drill replay.
    run_delivery: bool = True
    run_drills: bool = True
    #: arq: concurrent jobs per worker process, tries per job, retry backoff.
    worker_max_jobs: int = 8
    #: How long an idle worker waits before looking at the queue again (arq's default is 0.5 s).
    worker_poll_delay_seconds: float = 0.05
    worker_max_tries: int = 5
    retry_backoff_seconds: float = 1.0
    retry_backoff_max_seconds: float = 30.0
    #: The worker's housekeeping loop: queue-depth gauge, deadline sweep, idle detector minutes,
    #: pruning of processed batch ids.
    run_housekeeping: bool = True
    housekeeping_interval_seconds: float = 5.0
    #: The sweep also (re)schedules deadlines due within this horizon.
    deadline_horizon_seconds: float = 3600.0
    health_check_interval_seconds: int = 10
    #: How long processed batch ids are kept (a redelivered job older than this runs again).
    processed_batch_retention_hours: float = 72.0
    #: Publish incident events on Redis pub/sub (read by the gateway's subscriptions).
    publish_events: bool = True
    #: Link to an incident in the tenant's frontend (``{incident_id}``), for reports.
    incident_url_template: str | None = None
    #: The deployment's service URLs (``INGEST_URL``, ``SENTIMENT_URL``), used by drills.
    ingest_url: str | None = None
    sentiment_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _private_targets(cls, data: Any) -> Any:
        """One operator switch: ``allow_private_webhook_targets`` also rules the notifications."""
        if isinstance(data, dict) and data.get("allow_private_webhook_targets"):
            notifications = data.get("notifications") or {}
            if isinstance(notifications, NotificationSettings):
                notifications = notifications.model_dump()
            data = {**data, "notifications": {**notifications, "allow_private_targets": True}}
        return data

    @model_validator(mode="after")
    def _share_deployment_urls(self) -> PlaybookSettings:
        """``INGEST_URL``/``SENTIMENT_URL`` and the incident link reach the embedded settings
        unless those were set on their own."""
        if self.ingest_url and "ingest_url" not in self.drills.model_fields_set:
            self.drills = self.drills.model_copy(update={"ingest_url": self.ingest_url})
        if self.sentiment_url and "sentiment_url" not in self.drills.model_fields_set:
            self.drills = self.drills.model_copy(update={"sentiment_url": self.sentiment_url})
        if self.incident_url_template and not self.notifications.incident_url_template:
            self.notifications = self.notifications.model_copy(
                update={"incident_url_template": self.incident_url_template}
            )
        return self

"""Settings of the sentiment service and its worker."""

from __future__ import annotations

from pathlib import Path

from services.common.settings import ServiceSettings


class SentimentSettings(ServiceSettings):
    """Sentiment: enriches mention batches, keeps the read model and aggregates, serves analytics."""

    service_name: str = "sentiment"
    database_schema: str | None = "sentiment"
    #: A folder with ``manifest.json`` and the sentiment models; ``None``: the shipped models.
    model_dir: Path | None = None
    #: An ONNX transformer that replaces the shipped sentiment models for every language.
    sentiment_model_path: str | None = None
    #: Run this service's migrations at start-up (the embedded default; deployments use a Job).
    auto_migrate: bool = False
    #: Texts in one ``POST /v1/score``; more is answered with 413.
    max_score_texts: int = 1000
    #: Characters of one text that are scored (API, CLI and worker; the stored text stays whole).
    max_score_chars: int = 10_000
    #: How long the worker keeps a tenant's compiled topics and known accounts.
    topic_cache_seconds: float = 10.0
    #: arq: concurrent jobs per worker process, tries per job, retry backoff.
    worker_max_jobs: int = 4
    #: arq takes new jobs only when one of ``worker_max_jobs`` slots is free at a poll: with its
    #: default 0.5 s a busy worker idles between jobs. A short poll keeps the slots full.
    worker_poll_delay_seconds: float = 0.05
    worker_max_tries: int = 5
    retry_backoff_seconds: float = 2.0
    retry_backoff_max_seconds: float = 60.0
    #: The worker's housekeeping loop: queue-depth gauge, playbook outbox sweep, health key.
    housekeeping_interval_seconds: float = 5.0
    health_check_interval_seconds: int = 10
    #: Outbox rows younger than this are left to the job that wrote them.
    sweeper_grace_seconds: float = 10.0
    #: Publish a ``mention.scored`` event per mention on Redis pub/sub.
    publish_events: bool = True
    #: The most mentions read from each window to rank emerging terms (newest first).
    emerging_max_mentions: int = 20_000

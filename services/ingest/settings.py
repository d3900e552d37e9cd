from __future__ import annotations

from services.common.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Ingest: accepts, stores once, and hands newly stored mentions to the sentiment queue."""

    service_name: str = "ingest"
    database_schema: str | None = "ingest"
    #: Mentions in one ``POST /v1/mentions`` (and one import chunk).
    max_batch: int = 1000
    #: Mentions in one job on the ``sentiment`` queue.
    job_batch_size: int = 500
    #: How often the sweeper looks for batches that never reached the queue, and how old they must be.
    sweeper_interval_seconds: float = 5.0
    sweeper_grace_seconds: float = 10.0
    idempotency_ttl_hours: int = 24
    run_sweeper: bool = True
    #: Run this service's migrations at start-up (the embedded default; deployments use a Job).
    auto_migrate: bool = False

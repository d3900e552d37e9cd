"""Operator settings for drills; ``PlaybookSettings`` embeds them as ``drills``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DrillSettings(BaseModel):
    #: ``ingest``: POST the mentions to the ingest REST API (the real front door, in production);
    #: ``queue``: enqueue ``MentionBatchV1`` jobs on the sentiment queue (tests, single-box setups).
    delivery: Literal["ingest", "queue"] = "ingest"
    #: Base URL of the ingest API (the deployment's ``INGEST_URL``).
    ingest_url: str = "http://127.0.0.1:8001"
    #: Base URL of the sentiment API (``SENTIMENT_URL``), to copy topics and known accounts into
    #: a drill's sandbox; ``None`` copies none.
    sentiment_url: str | None = None
    default_speed: float = Field(default=60.0, gt=0)
    max_speed: float = Field(default=3600.0, gt=0)
    #: Mentions a generated or shipped scenario may hold.
    max_mentions: int = Field(default=5_000, ge=1)
    #: Mentions per request or job (ingest accepts up to 1,000).
    batch_size: int = Field(default=500, ge=1, le=1000)
    #: How often the runner wakes to send what became due.
    tick_seconds: float = Field(default=1.0, gt=0)
    #: Lifetime of the token minted for a drill's sandbox tenant.
    token_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    timeout_seconds: float = Field(default=10.0, gt=0)

"""The worker's bookkeeping: the playbook outbox and jobs that failed for good."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class PlaybookOutbox(SQLModel, table=True):
    """A scored batch committed but not yet confirmed on the playbook queue.

    Written in the scoring transaction; deleted once arq has the job. The sweeper rebuilds the
    ``ScoredBatchV1`` from the read model and sends it with the same job id.
    """

    __tablename__ = "playbook_outbox"

    job_id: str = Field(primary_key=True, max_length=160)
    batch_id: str = Field(max_length=128)
    tenant: str = Field(max_length=128)
    mention_ids: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    trace_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    last_error: str | None = Field(default=None, sa_column=Column(String(500)))


class FailedJob(SQLModel, table=True):
    """A job that failed for good (a permanent error, or its tries ran out): kept to replay."""

    __tablename__ = "failed_jobs"

    id: str = Field(primary_key=True, max_length=36)
    job_id: str = Field(max_length=160, index=True)
    function: str = Field(max_length=64)
    tenant: str | None = Field(default=None, max_length=128)
    payload: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))
    error: str = Field(sa_type=Text)
    tries: int
    failed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    replayed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))

"""Signals: what the detectors found, folded by fingerprint (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Float, Index, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class SignalRow(SQLModel, table=True):
    """One detector finding; repeats of the same fingerprint within the dedupe window fold in
    (``count`` grows, ``last_at`` moves, evidence ids merge) instead of adding rows."""

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_tenant_id", "tenant", "id"),
        Index("ix_signals_tenant_incident", "tenant", "incident_id"),
        Index("ix_signals_tenant_fingerprint", "tenant", "fingerprint", "last_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    topic: str = Field(max_length=128)
    kind: str = Field(max_length=32)
    detector: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    incident_id: str | None = Field(default=None, max_length=36)
    score: float = Field(sa_column=Column(Float, nullable=False))
    count: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    first_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    #: The detector's ``Evidence`` (why, observed, expected, statistic, keywords ...).
    evidence: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))
    mention_ids: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    #: Until then, signals with this fingerprint are recorded here but open no incident.
    snoozed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

"""Per-minute counts, detector state and processed batches (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Float, Integer, Text, text
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime


class MinuteCount(SQLModel, table=True):
    """Mentions of one tenant and topic in one minute; topic ``*`` counts every mention.

    Written with one upsert per batch (``total = total + excluded.total``), so several workers
    share them and they survive restarts. ``risk`` is the sum of per-mention risk;
    ``crisis_signal`` counts the mentions the sentiment service gave the crisis-signal intent.
    """

    __tablename__ = "minute_counts"

    tenant: str = Field(primary_key=True, max_length=128)
    topic: str = Field(primary_key=True, max_length=128)
    minute: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    negative: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    risk: float = Field(default=0.0, sa_column=Column(Float, nullable=False, default=0.0))
    crisis_signal: int = Field(
        default=0,
        # a server default too: rows written before the column existed read as 0
        sa_column=Column(BigInteger, nullable=False, default=0, server_default=text("0")),
    )


class MinuteCrisisCategory(SQLModel, table=True):
    """Crisis-signal mentions of one tenant, topic and minute per crisis category (``leak``,
    ``outage``, ...), beside :class:`MinuteCount`'s ``crisis_signal`` and written the same way.

    Only minutes with such mentions have rows; a mention with several categories counts in each,
    so the categories of a minute may add up to more than its ``crisis_signal``.
    """

    __tablename__ = "minute_crisis_categories"

    tenant: str = Field(primary_key=True, max_length=128)
    topic: str = Field(primary_key=True, max_length=128)
    minute: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    category: str = Field(primary_key=True, max_length=64)
    mentions: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class DetectorStateRow(SQLModel, table=True):
    """The detectors' JSON state of one tenant and topic (row-locked while a batch uses it)."""

    __tablename__ = "detector_states"

    tenant: str = Field(primary_key=True, max_length=128)
    topic: str = Field(primary_key=True, max_length=128)
    state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    batches: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    #: When the last open minute may be closed (scored) if no batch comes: the idle sweep's cue.
    open_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProcessedBatch(SQLModel, table=True):
    """A scored batch already evaluated: a second run of the same job changes nothing."""

    __tablename__ = "processed_batches"

    batch_id: str = Field(primary_key=True, max_length=64)
    tenant: str = Field(max_length=128)
    mentions: int = 0
    processed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))

"""Drill tables: a drill (a scenario replayed into a sandbox tenant) and what happened during it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Drill(SQLModel, table=True):
    """A scenario replayed at ``speed`` times real time into ``sandbox_tenant``; progress is ``sent`` of ``total``."""

    __tablename__ = "drills"
    __table_args__ = (
        Index("ix_drills_tenant", "tenant", "id"),
        Index("ix_drills_status", "status"),
        Index("ix_drills_sandbox", "sandbox_tenant"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    sandbox_tenant: str = Field(max_length=200)
    #: pending → running → completed | stopped | failed
    status: str = Field(default="pending", max_length=16)
    scenario: str = Field(max_length=128)
    #: The generator spec for generated scenarios (topic, language, curve); ``None`` when shipped.
    spec: dict[str, object] | None = Field(default=None, sa_column=Column(JsonType))
    speed: float = Field(sa_column=Column(Float, nullable=False))
    #: The scenario's mentions, each with ``offset_seconds``, ordered; frozen when the drill starts.
    mentions: list[dict[str, object]] = Field(sa_column=Column(JsonType, nullable=False))
    total: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    sent: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    #: Scenario seconds at which the crisis starts (time to detect counts from here).
    onset_seconds: float | None = Field(default=None, sa_column=Column(Float))
    #: Wall-clock anchor: scenario time ``t`` plays at ``started_at + t / speed``.
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_by: str | None = Field(default=None, max_length=256)
    error: str | None = Field(default=None, sa_column=Column(String(1000)))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class DrillEvent(SQLModel, table=True):
    """Something the pipeline or the team did in a drill's sandbox (signal, incident, step done)."""

    __tablename__ = "drill_events"
    __table_args__ = (
        Index("ix_drill_events_drill", "drill_id", "at"),
        UniqueConstraint("drill_id", "kind", "ref_id", name="uq_drill_events_ref"),
    )

    id: str = Field(primary_key=True, max_length=36)
    drill_id: str = Field(max_length=36)
    #: signal | incident_opened | step_completed | statement_ready | ...
    kind: str = Field(max_length=32)
    ref_id: str | None = Field(default=None, max_length=64)
    label: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    #: ``at`` mapped back onto the scenario's clock (seconds since the scenario's start).
    scenario_seconds: float = Field(sa_column=Column(Float, nullable=False))

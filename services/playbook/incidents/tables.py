"""Incidents, their steps, timeline, statements and approvals (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Index, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Incident(SQLModel, table=True):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_tenant_id", "tenant", "id"),
        Index("ix_incidents_tenant_playbook_state", "tenant", "playbook_id", "state"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    title: str = Field(sa_type=Text)
    #: Why it opened: the first signal's evidence in words.
    summary: str = Field(default="", sa_type=Text)
    #: open → acknowledged → responding → monitoring → resolved (and reopen)
    state: str = Field(default="open", max_length=16)
    severity: str = Field(max_length=8)
    topic: str = Field(max_length=128)
    playbook_id: str = Field(max_length=64)
    playbook_version: int
    language: str = Field(default="nl", max_length=8)
    assignee: str | None = Field(default=None, max_length=256)
    department: str | None = Field(default=None, max_length=64)
    signal_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    evidence_mention_ids: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    #: The earliest evidence (a mention's created_at) of the signals that opened it.
    first_evidence_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    first_statement_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Step(SQLModel, table=True):
    __tablename__ = "incident_steps"
    __table_args__ = (
        Index("ix_incident_steps_incident", "tenant", "incident_id", "position"),
        Index("ix_incident_steps_due", "status", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    incident_id: str = Field(max_length=36)
    #: The step's id in the playbook.
    key: str = Field(max_length=64)
    title: str = Field(sa_type=Text)
    owner: str = Field(max_length=64)
    group: int = Field(sa_column=Column("step_group", Integer, nullable=False))
    position: int
    #: pending → active → done | skipped; overdue once its deadline passed while open
    status: str = Field(default="pending", max_length=16)
    relative_to: str = Field(default="step_start", max_length=16)
    within_seconds: int
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    completed_by: str | None = Field(default=None, max_length=256)
    escalate_to: str | None = Field(default=None, max_length=64)
    raise_severity: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, default=False)
    )
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    approvals: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    #: The arq job that escalates it (``deadline:{id}:{due epoch}``), while one is scheduled.
    deadline_job_id: str | None = Field(default=None, max_length=128)


class TimelineEvent(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_incident", "tenant", "incident_id", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    incident_id: str = Field(max_length=36)
    #: signal | state | severity | assignment | approval | statement | escalation | note | step
    kind: str = Field(max_length=16)
    summary: str = Field(sa_type=Text)
    actor: str = Field(max_length=256)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    data: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))


class Statement(SQLModel, table=True):
    __tablename__ = "statements"
    __table_args__ = (Index("ix_statements_incident", "tenant", "incident_id", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    incident_id: str = Field(max_length=36)
    step_id: str | None = Field(default=None, max_length=36)
    platform: str = Field(max_length=32)
    audience: str = Field(max_length=64)
    language: str = Field(max_length=8)
    text: str = Field(sa_type=Text)
    #: draft → approved → ready → published; rejected; withdrawn
    status: str = Field(default="draft", max_length=16)
    required_approvals: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    conflict: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    author: str = Field(max_length=256)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Approval(SQLModel, table=True):
    __tablename__ = "statement_approvals"
    __table_args__ = (Index("ix_approvals_statement", "tenant", "statement_id"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=200)
    statement_id: str = Field(max_length=36)
    department: str = Field(max_length=64)
    #: approved | rejected
    decision: str = Field(max_length=16)
    approver: str = Field(max_length=256)
    comment: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

"""Versioned playbooks per tenant (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class PlaybookHead(SQLModel, table=True):
    """A tenant's playbook: its latest version and whether it is active."""

    __tablename__ = "playbooks"

    tenant: str = Field(primary_key=True, max_length=200)
    playbook_id: str = Field(primary_key=True, max_length=64)
    latest_version: int = Field(sa_column=Column(Integer, nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PlaybookVersion(SQLModel, table=True):
    """One version, never changed: incidents keep the version they started with."""

    __tablename__ = "playbook_versions"

    tenant: str = Field(primary_key=True, max_length=200)
    playbook_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(sa_column=Column(Integer, primary_key=True))
    yaml: str = Field(sa_column=Column(Text, nullable=False))
    #: The validated document as JSON (what the worker evaluates).
    document: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str | None = Field(default=None, max_length=256)

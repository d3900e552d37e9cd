"""Ingest's tables (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Mention(SQLModel, table=True):
    """A mention as received, stored exactly once per (tenant, platform, external id)."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint(
            "tenant", "platform", "external_id", name="uq_mentions_tenant_platform_xid"
        ),
        Index("ix_mentions_tenant_created", "tenant", "created_at", "id"),
        Index("ix_mentions_tenant_author", "tenant", "author_handle"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    platform: str = Field(max_length=32)
    external_id: str = Field(max_length=256)
    url: str | None = Field(default=None, sa_type=Text)
    text: str = Field(sa_type=Text)
    language: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    author_handle: str | None = Field(default=None, max_length=256)
    author_name: str | None = Field(default=None, sa_type=Text)
    author_followers: int | None = Field(default=None, sa_type=BigInteger)
    author_verified: bool = False
    author_bio: str | None = Field(default=None, sa_type=Text)
    author_url: str | None = Field(default=None, sa_type=Text)
    in_reply_to: str | None = Field(default=None, max_length=256)
    thread_id: str | None = Field(default=None, max_length=256)
    likes: int = Field(default=0, sa_type=BigInteger)
    shares: int = Field(default=0, sa_type=BigInteger)
    replies: int = Field(default=0, sa_type=BigInteger)
    views: int = Field(default=0, sa_type=BigInteger)
    raw: dict[str, object] | None = Field(default=None, sa_column=Column(JsonType))
    ingested_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class OutboxBatch(SQLModel, table=True):
    """A batch stored but not yet confirmed on the queue. Deleted once arq has it."""

    __tablename__ = "outbox"

    batch_id: str = Field(primary_key=True, max_length=64)
    tenant: str = Field(max_length=128)
    reason: str = Field(default="new", max_length=16)
    mention_ids: list[str] = Field(sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    last_error: str | None = Field(default=None, sa_column=Column(String(500)))


class IdempotencyKey(SQLModel, table=True):
    """The first answer to a request that carried an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"

    tenant: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=256)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, object] = Field(sa_column=Column(JsonType, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))

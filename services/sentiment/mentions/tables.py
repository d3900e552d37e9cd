"""The read model: one enriched mention per mention id (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Float, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class EnrichedMention(SQLModel, table=True):
    """A mention with its latest enrichment. Re-scoring (a replay, a new model) updates it in place.

    ``intents``, ``crisis_categories`` and ``topics`` are JSON lists (JSONB on PostgreSQL, with a
    GIN index for the ``@>`` filters).
    """

    __tablename__ = "enriched_mentions"
    __table_args__ = (
        Index("ix_enriched_tenant_created", "tenant", "created_at", "id"),
        Index("ix_enriched_tenant_author", "tenant", "author_handle"),
        Index("ix_enriched_tenant_risk", "tenant", "risk"),
        Index(
            "ix_enriched_topics_gin",
            "topics",
            postgresql_using="gin",
            postgresql_ops={"topics": "jsonb_path_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=128)
    platform: str = Field(max_length=32)
    external_id: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    text: str = Field(sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    author_handle: str | None = Field(default=None, max_length=256)
    author_name: str | None = Field(default=None, sa_type=Text)
    author_followers: int | None = Field(default=None, sa_type=BigInteger)
    language: str = Field(max_length=16)
    sentiment: str = Field(max_length=16)
    sentiment_score: float = Field(sa_type=Float)
    confidence: float = Field(sa_type=Float)
    intents: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    crisis_categories: list[str] = Field(
        default_factory=list, sa_column=Column(JsonType, nullable=False)
    )
    stakeholder: str = Field(max_length=32)
    reach: float = Field(sa_type=Float)
    risk: float = Field(sa_type=Float)
    risk_factors: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JsonType, nullable=False)
    )
    topics: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    model_version: str = Field(max_length=64)
    scored_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

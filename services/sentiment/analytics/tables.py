"""Time-bucketed counts per tenant (private to this service)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from services.common.db import UTCDateTime


class MentionBucket(SQLModel, table=True):
    """How many mentions of a tenant fell in one minute or hour, per dimension value and sentiment.

    ``dimension`` is sentiment, platform, language, intent, stakeholder or topic; ``value`` its
    value. ``topic`` is ``""`` for the rows that count every mention and a topic name for the
    rows that count only that topic's mentions (trends with a topic filter, share of voice).
    Counts are kept by adding the difference a (re-)scored batch makes, so a replay never counts
    a mention twice.
    """

    __tablename__ = "mention_buckets"

    tenant: str = Field(primary_key=True, max_length=128)
    granularity: str = Field(primary_key=True, max_length=8)  # "minute" | "hour"
    bucket_start: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    topic: str = Field(primary_key=True, max_length=128)
    dimension: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=128)
    sentiment: str = Field(primary_key=True, max_length=16)
    count: int = Field(default=0, sa_type=BigInteger)

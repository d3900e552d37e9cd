"""The public shape of a signal."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel


class SignalRead(BaseModel):
    """A detector finding with its evidence; ``mention_ids`` are mentions of the sentiment
    service's read model (the gateway resolves them there)."""

    id: str
    incident_id: str | None
    topic: str
    kind: str
    detector: str
    score: float
    count: int
    first_at: datetime
    last_at: datetime
    at: datetime
    detail: str
    evidence: dict[str, object]
    mention_ids: list[str]
    snoozed_until: datetime | None = None


class SnoozeIn(BaseModel):
    """Until then, this signal's detector rule on this topic opens no incident (its repeats are
    still counted here). ``null`` lifts the snooze."""

    until: AwareDatetime | None

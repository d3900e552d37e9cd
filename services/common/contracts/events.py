"""Live events on Redis pub/sub (``{prefix}:events:{tenant}``), read by the gateway's subscriptions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from services.common.contracts.scored import ScoredMentionV1


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    version: Literal[1] = 1
    tenant: str
    at: AwareDatetime


class IncidentEventV1(_Event):
    type: Literal["incident.opened", "incident.updated"]
    incident_id: str
    title: str
    state: str
    severity: str
    #: The timeline event that caused this message (``kind`` and a human summary).
    event_kind: str
    summary: str = ""


class MentionScoredEventV1(_Event):
    type: Literal["mention.scored"] = "mention.scored"
    mention: ScoredMentionV1


EventV1 = Annotated[IncidentEventV1 | MentionScoredEventV1, Field(discriminator="type")]
EVENT_ADAPTER: TypeAdapter[IncidentEventV1 | MentionScoredEventV1] = TypeAdapter(EventV1)


def events_channel(prefix: str, tenant: str) -> str:
    return f"{prefix}:events:{tenant}"

"""Subscriptions over graphql-transport-ws, fed by Redis pub/sub, strictly per the caller's tenant."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from gateway.context import Info
from gateway.errors import Unauthenticated
from gateway.events import Event
from gateway.ids import to_global_id
from gateway.schema import fields
from gateway.schema.incidents import Incident, load_incident
from gateway.schema.mentions import Mention, Platform, SentimentLabel
from services.common.contracts.events import IncidentEventV1, MentionScoredEventV1
from services.common.contracts.mentions import Platform as PlatformValues


@strawberry.type(description="An incident opened or changed; `incident` is read when asked for.")
class IncidentEvent:
    incident_id: strawberry.ID
    title: str
    state: str
    severity: str
    event_kind: str = strawberry.field(description="The timeline event that caused it.")
    summary: str
    at: datetime
    raw_id: strawberry.Private[str]

    @fields.field("The incident as it is now (one REST read).")
    async def incident(self, info: Info) -> Incident | None:
        return await load_incident(info, self.raw_id)

    @classmethod
    def from_event(cls, e: IncidentEventV1) -> IncidentEvent:
        return cls(
            incident_id=strawberry.ID(to_global_id("Incident", e.incident_id)),
            raw_id=e.incident_id,
            title=e.title,
            state=e.state,
            severity=e.severity,
            event_kind=e.event_kind,
            summary=e.summary,
            at=e.at,
        )


@strawberry.input
class MentionScoredFilter:
    negative_only: bool = False
    platform: Platform | None = None  # type: ignore[valid-type]
    topic: str | None = None
    min_risk: float | None = None


def _wanted(event: MentionScoredEventV1, f: MentionScoredFilter | None) -> bool:
    if f is None:
        return True
    m = event.mention
    if f.negative_only and m.sentiment != SentimentLabel.NEGATIVE.value:
        return False
    if f.platform is not None and m.platform != PlatformValues(f.platform):
        return False
    if f.topic is not None and f.topic not in m.topics:
        return False
    return not (f.min_risk is not None and m.risk < f.min_risk)


async def _tenant_events(info: Info, scope: str) -> AsyncGenerator[Event, None]:
    """The caller's tenant's events, until the socket's token expires (then an error ends it)."""
    caller = info.context.require(scope)
    stream = info.context.runtime.hub.subscribe(caller.tenant)
    expires_at = info.context.expires_at
    try:
        while True:
            left = None if expires_at is None else expires_at - time.time()
            if left is not None and left <= 0:
                raise Unauthenticated("The token has expired: reconnect with a fresh one.")
            try:
                event = await asyncio.wait_for(anext(stream), timeout=left)
            except TimeoutError:
                raise Unauthenticated(
                    "The token has expired: reconnect with a fresh one."
                ) from None
            if event.tenant == caller.tenant:
                yield event
    finally:
        await stream.aclose()


async def _incident_events(info: Info, kind: str) -> AsyncGenerator[IncidentEvent, None]:
    async for event in _tenant_events(info, "incidents:read"):
        if isinstance(event, IncidentEventV1):
            if kind and event.type != kind:
                continue
            info.context.fresh_loaders()
            yield IncidentEvent.from_event(event)


@strawberry.type
class Subscription:
    @fields.subscription("Each incident the detectors open.")
    async def incident_opened(self, info: Info) -> AsyncGenerator[IncidentEvent, None]:
        async for event in _incident_events(info, "incident.opened"):
            yield event

    @fields.subscription("Every new timeline event of any incident.")
    async def incident_updated(self, info: Info) -> AsyncGenerator[IncidentEvent, None]:
        async for event in _incident_events(info, ""):
            yield event

    @fields.subscription("Each mention as it is scored, filtered on the way.")
    async def mention_scored(
        self,
        info: Info,
        filter: MentionScoredFilter | None = None,
    ) -> AsyncGenerator[Mention, None]:
        async for event in _tenant_events(info, "mentions:read"):
            if not isinstance(event, MentionScoredEventV1):
                continue
            if _wanted(event, filter):
                info.context.fresh_loaders()
                yield Mention.from_event(event.mention)

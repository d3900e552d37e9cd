"""DataLoaders, built per request (never at module level: their cache is one caller's view).

Each loader turns the keys one tick of resolution asks for into one batch read on a service.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from strawberry.dataloader import DataLoader

from gateway.clients import ServiceClient, Services, UpstreamProblem
from gateway.rest.base import items_of
from gateway.rest.ingest import RawMention
from gateway.rest.playbook import (
    IncidentRest,
    PlaybookRest,
    SignalRest,
    StatementRest,
    StepRest,
    TimelineEventRest,
)
from gateway.rest.sentiment import EnrichedMention
from services.common.auth import Caller

#: The services' batch reads accept up to 500 ids (their page maximum).
BATCH = 500


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class _HasIncident(Protocol):
    @property
    def incident_id(self) -> str: ...


M = TypeVar("M", bound=_HasId)
G = TypeVar("G", bound=_HasIncident)


def _by_ids(
    client: ServiceClient, path: str, kind: type[M], caller: Caller, id_param: str = "ids"
) -> Callable[[list[str]], Awaitable[Sequence[M | None]]]:
    async def load(keys: list[str]) -> Sequence[M | None]:
        unique = list(dict.fromkeys(keys))
        page = await client.get(
            path, items_of(kind), caller, {id_param: ",".join(unique), "limit": len(unique)}
        )
        found: dict[str, M] = {item.id: item for item in page.items}
        return [found.get(key) for key in keys]

    return load


def _grouped(
    client: ServiceClient,
    path: str,
    kind: type[G],
    caller: Caller,
    extra: dict[str, str | int] | None = None,
) -> Callable[[list[str]], Awaitable[Sequence[list[G]]]]:
    async def load(keys: list[str]) -> Sequence[list[G]]:
        unique = list(dict.fromkeys(keys))
        page = await client.get(
            path, items_of(kind), caller, {"incident_ids": ",".join(unique), **(extra or {})}
        )
        groups: dict[str, list[G]] = defaultdict(list)
        for item in page.items:
            groups[item.incident_id].append(item)
        return [groups.get(key, []) for key in keys]

    return load


class Loaders:
    """Every loader of one request (or one subscription event)."""

    def __init__(self, services: Services, caller: Caller) -> None:
        self.services = services
        self.caller = caller
        sentiment, ingest, playbook = services.sentiment, services.ingest, services.playbook
        self.enriched_mention: DataLoader[str, EnrichedMention | None] = DataLoader(
            _by_ids(sentiment, "/v1/mentions", EnrichedMention, caller), max_batch_size=BATCH
        )
        self.raw_mention: DataLoader[str, RawMention | None] = DataLoader(
            _by_ids(ingest, "/v1/mentions", RawMention, caller), max_batch_size=BATCH
        )
        self.incident: DataLoader[str, IncidentRest | None] = DataLoader(
            _by_ids(playbook, "/v1/incidents", IncidentRest, caller), max_batch_size=BATCH
        )
        self.steps: DataLoader[str, list[StepRest]] = DataLoader(
            _grouped(playbook, "/v1/steps", StepRest, caller), max_batch_size=BATCH
        )
        self.statements: DataLoader[str, list[StatementRest]] = DataLoader(
            _grouped(playbook, "/v1/statements", StatementRest, caller), max_batch_size=BATCH
        )
        self.signals: DataLoader[str, list[SignalRest]] = DataLoader(
            _grouped(playbook, "/v1/signals", SignalRest, caller), max_batch_size=BATCH
        )
        self._timelines: dict[int, DataLoader[str, list[TimelineEventRest]]] = {}
        self.playbook: DataLoader[str, PlaybookRest | None] = DataLoader(self._load_playbooks)

    def timeline(self, per_incident: int) -> DataLoader[str, list[TimelineEventRest]]:
        """The latest ``per_incident`` events of each incident (one loader per page size)."""
        loader = self._timelines.get(per_incident)
        if loader is None:
            loader = DataLoader(
                _grouped(
                    self.services.playbook,
                    "/v1/timeline",
                    TimelineEventRest,
                    self.caller,
                    {"per_incident": per_incident},
                ),
                max_batch_size=BATCH,
            )
            self._timelines[per_incident] = loader
        return loader

    async def _load_playbooks(self, keys: list[str]) -> list[PlaybookRest | None]:
        # Few playbooks per tenant and no batch read: one GET each, concurrently.
        async def one(key: str) -> PlaybookRest | None:
            try:
                return await self.services.playbook.get(
                    f"/v1/playbooks/{key}", PlaybookRest, self.caller
                )
            except UpstreamProblem as problem:
                if problem.status == 404:
                    return None
                raise

        return list(await asyncio.gather(*(one(key) for key in keys)))

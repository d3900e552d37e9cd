"""The ``Annotated`` aliases that make the sentiment endpoints' signatures read like sentences."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.common.auth import Caller, CurrentCaller, require
from services.common.deps import Sessions as Sessions
from services.common.deps import Tx as Tx
from services.common.problems import Forbidden
from services.sentiment.nlp import Enricher
from services.sentiment.settings import SentimentSettings


def _settings(request: Request) -> SentimentSettings:
    settings: SentimentSettings = request.app.state.settings
    return settings


def _enricher(request: Request) -> Enricher:
    enricher: Enricher = request.app.state.enricher
    return enricher


def require_any(*scopes: str) -> Any:
    """A dependency that yields the caller when the token carries one of ``scopes`` (or admin)."""

    async def dependency(caller: CurrentCaller) -> Caller:
        if not any(caller.has(scope) for scope in scopes):
            needed = " or ".join(f"`{s}`" for s in scopes)
            raise Forbidden(f"This call needs the {needed} scope.", required_scope=list(scopes))
        return caller

    return Depends(dependency)


Settings = Annotated[SentimentSettings, Depends(_settings)]
EnricherDep = Annotated[Enricher, Depends(_enricher)]
MentionsReader = Annotated[Caller, require("mentions:read")]
AnalyticsReader = Annotated[Caller, require("analytics:read")]
TopicsWriter = Annotated[Caller, require("topics:write")]
TopicsReader = Annotated[Caller, require_any("mentions:read", "analytics:read", "topics:write")]

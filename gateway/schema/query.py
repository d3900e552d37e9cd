"""The ``Query`` root. Top-level names used by frontend teams are a contract (shared/API.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from gateway.clients import ServiceClient, UpstreamError, UpstreamProblem
from gateway.context import Info
from gateway.ids import expect_id, from_global_id
from gateway.rest.base import page_of
from gateway.rest.playbook import (
    DrillRest,
    FreezeRest,
    IncidentRest,
    PlaybookRest,
    SignalRest,
    StatementRest,
    StepRest,
    WebhookRest,
)
from gateway.rest.sentiment import (
    EmergingRest,
    KnownAccountRest,
    ShareOfVoiceRest,
    TopicRest,
    TrendsRest,
)
from gateway.schema import fields
from gateway.schema.admin import KnownAccount, SocialFreeze, Topic, TopicKind, WebhookSubscription
from gateway.schema.analytics import (
    EmergingTerm,
    Interval,
    ShareOfVoice,
    Trend,
    TrendSplit,
)
from gateway.schema.incidents import (
    Incident,
    IncidentFilter,
    Signal,
    Statement,
    Step,
    incident_params,
    load_incident,
)
from gateway.schema.mentions import Mention, MentionFilter, mention_params
from gateway.schema.playbooks import Drill, Playbook
from gateway.schema.relay import Connection, Node, RestPage, page_size, paginate
from gateway.schema.viewer import Viewer
from services.common.auth import Caller

R = TypeVar("R")

ParamMap = dict[str, str | int | float | bool | list[str] | None]


def _fetcher(
    client: ServiceClient, path: str, kind: type[R], caller: Caller, params: ParamMap
) -> Callable[[int, str | None], Awaitable[RestPage[R]]]:
    async def fetch(limit: int, cursor: str | None) -> RestPage[R]:
        page = await client.get(
            path, page_of(kind), caller, {**params, "limit": limit, "cursor": cursor}
        )
        return RestPage(items=page.items, next_cursor=page.next_cursor)

    return fetch


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _size(info: Info, first: int | None) -> int:
    settings = info.context.settings
    return page_size(first, settings.default_page_size, settings.max_page_size)


async def _or_none(client: ServiceClient, path: str, kind: type[R], caller: Caller) -> R | None:
    try:
        return await client.get(path, kind, caller)
    except UpstreamProblem as problem:
        if problem.status == 404:
            return None
        raise


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name, raw_id = from_global_id(global_id)
    ctx = info.context
    caller = ctx.caller
    loaders = ctx.loaders
    sentiment, playbook = ctx.services.sentiment, ctx.services.playbook
    if type_name == "Mention":
        mention = await loaders.enriched_mention.load(raw_id)
        return Mention.from_rest(mention) if mention else None
    if type_name == "Incident":
        return await load_incident(info, raw_id)
    if type_name == "Playbook":
        found = await loaders.playbook.load(raw_id)
        return Playbook.from_rest(found) if found else None
    if type_name == "Topic":
        topic = await _or_none(sentiment, f"/v1/topics/{raw_id}", TopicRest, caller)
        return Topic.from_rest(topic) if topic else None
    if type_name == "WebhookSubscription":
        hook = await _or_none(playbook, f"/v1/webhooks/{raw_id}", WebhookRest, caller)
        return WebhookSubscription.from_rest(hook) if hook else None
    if type_name == "Drill":
        drill = await _or_none(playbook, f"/v1/drills/{raw_id}", DrillRest, caller)
        return Drill.from_rest(drill) if drill else None
    if type_name == "Step":
        step = await _or_none(playbook, f"/v1/steps/{raw_id}", StepRest, caller)
        return Step.from_rest(step) if step else None
    if type_name == "Statement":
        statement = await _or_none(playbook, f"/v1/statements/{raw_id}", StatementRest, caller)
        return Statement.from_rest(statement) if statement else None
    if type_name == "Signal":
        signal = await _or_none(playbook, f"/v1/signals/{raw_id}", SignalRest, caller)
        return Signal.from_rest(signal) if signal else None
    return None


@strawberry.type
class Query:
    @fields.field("Who is calling: tenant and scopes of the token.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_caller(info.context.caller)

    @fields.field("Any object by its global id (null when it does not exist).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @fields.field("Scored mentions, newest first.")
    async def mentions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: MentionFilter | None = None,
    ) -> Connection[Mention]:
        client = info.context.services.sentiment
        caller = info.context.caller
        params = dict(mention_params(filter))

        async def fetch(limit: int, cursor: str | None) -> RestPage[dict[str, Any]]:
            query = {**params, "limit": limit, "cursor": cursor}
            items, next_cursor = await client.get_page_items("/v1/mentions", caller, query)
            return RestPage(items=items, next_cursor=next_cursor)

        def wrap(item: dict[str, Any]) -> Mention:
            try:
                return Mention.from_item(item)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise UpstreamError(
                    f"sentiment answered a mention in an unexpected shape: {exc!r}"
                ) from exc

        return await paginate(_size(info, first), after, fetch, wrap)

    @fields.field("Incidents, most recently updated first.")
    async def incidents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: IncidentFilter | None = None,
    ) -> Connection[Incident]:
        fetch = _fetcher(
            info.context.services.playbook,
            "/v1/incidents",
            IncidentRest,
            info.context.caller,
            dict(incident_params(filter)),
        )
        return await paginate(_size(info, first), after, fetch, Incident.from_rest)

    @fields.field("One incident by its global id (null when it does not exist).")
    async def incident(self, info: Info, id: strawberry.ID) -> Incident | None:
        return await load_incident(info, expect_id(id, "Incident"))

    @fields.field("The tenant's playbooks.")
    async def playbooks(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Playbook]:
        fetch = _fetcher(
            info.context.services.playbook, "/v1/playbooks", PlaybookRest, info.context.caller, {}
        )
        return await paginate(_size(info, first), after, fetch, Playbook.from_rest)

    @fields.field("Mention counts per minute or hour, split by one dimension.")
    async def trends(
        self,
        info: Info,
        interval: Interval = Interval.HOUR,
        split: TrendSplit = TrendSplit.SENTIMENT,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
    ) -> Trend:
        answer = await info.context.services.sentiment.get(
            "/v1/trends",
            TrendsRest,
            info.context.caller,
            {
                "interval": interval.value,
                "split": split.value,
                "since": _iso(since),
                "until": _iso(until),
                "topic": topic,
            },
        )
        return Trend.from_rest(answer)

    @fields.field("Share of voice of the tracked brands (or the topics named), with sentiment.")
    async def share_of_voice(
        self,
        info: Info,
        since: datetime | None = None,
        until: datetime | None = None,
        topics: list[str] | None = None,
    ) -> list[ShareOfVoice]:
        answer = await info.context.services.sentiment.get(
            "/v1/share-of-voice",
            ShareOfVoiceRest,
            info.context.caller,
            {"since": _iso(since), "until": _iso(until), "topic": topics},
        )
        return ShareOfVoice.many(answer)

    @fields.field("Terms rising in a window against a baseline.")
    async def emerging_terms(
        self,
        info: Info,
        first: int = 20,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
        languages: list[str] | None = None,
    ) -> list[EmergingTerm]:
        answer = await info.context.services.sentiment.get(
            "/v1/topics/emerging",
            EmergingRest,
            info.context.caller,
            {
                "limit": page_size(first, 20, 100),
                "since": _iso(since),
                "until": _iso(until),
                "topic": topic,
                "language": languages,
            },
        )
        return EmergingTerm.many(answer)

    @fields.field("Tracked brands and keyword groups.")
    async def topics(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: TopicKind | None = None,
    ) -> Connection[Topic]:
        fetch = _fetcher(
            info.context.services.sentiment,
            "/v1/topics",
            TopicRest,
            info.context.caller,
            {"kind": kind.value if kind else None},
        )
        return await paginate(_size(info, first), after, fetch, Topic.from_rest)

    @fields.field("Accounts with a known stakeholder type.")
    async def known_accounts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[KnownAccount]:
        fetch = _fetcher(
            info.context.services.sentiment,
            "/v1/known-accounts",
            KnownAccountRest,
            info.context.caller,
            {},
        )
        return await paginate(_size(info, first), after, fetch, KnownAccount.from_rest)

    @strawberry.field
    async def webhook_subscriptions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookSubscription]:
        fetch = _fetcher(
            info.context.services.playbook, "/v1/webhooks", WebhookRest, info.context.caller, {}
        )
        return await paginate(_size(info, first), after, fetch, WebhookSubscription.from_rest)

    @fields.field("Whether scheduled posts are frozen now.")
    async def social_freeze(self, info: Info) -> SocialFreeze:
        freeze = await info.context.services.playbook.get(
            "/v1/social-freeze", FreezeRest, info.context.caller
        )
        return SocialFreeze.from_rest(freeze)

    @strawberry.field
    async def drills(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Drill]:
        fetch = _fetcher(
            info.context.services.playbook, "/v1/drills", DrillRest, info.context.caller, {}
        )
        return await paginate(_size(info, first), after, fetch, Drill.from_rest)

"""The GraphQL schema: Relay-style types over the three REST services."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway.schema.admin import KnownAccount, Topic, WebhookSubscription
from gateway.schema.incidents import Signal, Statement, Step, TimelineEvent
from gateway.schema.mentions import Mention
from gateway.schema.mutation import Mutation
from gateway.schema.playbooks import Drill, Playbook
from gateway.schema.query import Query
from gateway.schema.subscription import Subscription
from gateway.settings import GatewaySettings

#: Node types that are reachable only through ``node(id)`` or interfaces must be listed.
NODE_TYPES = [
    Mention, Playbook, Drill, Topic, KnownAccount, WebhookSubscription,
    Step, Statement, Signal, TimelineEvent,
]  # fmt: skip


def build_schema(settings: GatewaySettings | None = None) -> strawberry.Schema:
    from gateway.execution import FastExecutionContext
    from gateway.protection import extensions

    settings = settings or GatewaySettings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=NODE_TYPES,
        extensions=extensions(settings),
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=FastExecutionContext if settings.fast_execution else None,
    )

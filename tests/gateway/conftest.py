"""The gateway against the real services, in-process: each service's ``create_app(settings)`` on the
test PostgreSQL and Redis, reached through ``httpx.ASGITransport`` wrapped to count calls.

One stack for the session (one queue prefix of its own); tests isolate by tenant.
"""

from __future__ import annotations

import contextlib
import importlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from services.common.migrate import upgrade_async
from tests.conftest import TokenFactory
from tests.gateway.support import CountingTransport, GraphQL, available

SERVICES = ("ingest", "sentiment", "playbook")


def _service_settings(name: str, postgres_url: str, redis_url: str, prefix: str) -> Any:
    module = importlib.import_module(f"services.{name}.settings")
    cls = getattr(module, f"{name.capitalize()}Settings")
    values: dict[str, Any] = {
        "database_url": postgres_url,
        "database_schema": name,
        "redis_url": redis_url,
        "queue_prefix": prefix,
        "rate_limit_per_second": 0,
    }
    fields = cls.model_fields
    for key, value in {
        "run_sweeper": False,
        "housekeeping_interval_seconds": 0.2,
        "sweeper_grace_seconds": 0,
        "retry_backoff_seconds": 0.05,
        # playbook: no background loops in the API process; webhooks to local test receivers
        "run_delivery": False,
        "run_drills": False,
        "allow_private_webhook_targets": True,
    }.items():
        if key in fields:
            values[key] = value
    return cls(**values)


@dataclass
class Stack:
    gateway: FastAPI
    settings: GatewaySettings
    client: httpx.AsyncClient
    apps: dict[str, FastAPI]
    service_settings: dict[str, Any]
    clients: dict[str, httpx.AsyncClient]
    counters: dict[str, CountingTransport]
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)

    def has(self, service: str) -> bool:
        return service in self.apps

    def reset_counts(self) -> None:
        for counter in self.counters.values():
            counter.reset()

    def calls(self) -> dict[str, int]:
        return {name: len(counter.calls) for name, counter in self.counters.items()}


async def _unavailable(scope: Any, receive: Any, send: Any) -> None:
    """Stands in for a service whose app is not in this tree yet."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 503, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="session")
async def stack(postgres_url: str, redis_url: str, queue_prefix: str) -> AsyncIterator[Stack]:
    prefix = f"{queue_prefix}-gw-{uuid.uuid4().hex[:6]}"
    async with contextlib.AsyncExitStack() as exit_stack:
        apps: dict[str, FastAPI] = {}
        service_settings: dict[str, Any] = {}
        clients: dict[str, httpx.AsyncClient] = {}
        counters: dict[str, CountingTransport] = {}
        for name in SERVICES:
            if available(f"services.{name}.app"):
                await upgrade_async(name, postgres_url, name)
                settings = _service_settings(name, postgres_url, redis_url, prefix)
                app = importlib.import_module(f"services.{name}.app").create_app(settings)
                await exit_stack.enter_async_context(app.router.lifespan_context(app))
                apps[name], service_settings[name] = app, settings
                inner: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
                clients[name] = await exit_stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
                    )
                )
            else:
                inner = httpx.ASGITransport(app=_unavailable)
            counters[name] = CountingTransport(inner)
        settings = GatewaySettings(
            redis_url=redis_url,
            queue_prefix=prefix,
            ingest_url="http://ingest",
            sentiment_url="http://sentiment",
            playbook_url="http://playbook",
            rate_limit_per_second=0,
            upstream_get_retries=0,
        )
        gateway = create_gateway(settings, transports=counters)
        await exit_stack.enter_async_context(gateway.router.lifespan_context(gateway))
        client = await exit_stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway")
        )
        yield Stack(
            gateway=gateway,
            settings=settings,
            client=client,
            apps=apps,
            service_settings=service_settings,
            clients=clients,
            counters=counters,
        )


@pytest.fixture
def gql(stack: Stack, tenant: str, make_token: TokenFactory) -> GraphQL:
    """GraphQL as an admin of this test's tenant."""
    stack.reset_counts()
    return GraphQL(stack.client, make_token(tenant))


GraphQLFactory = Callable[..., GraphQL]


@pytest.fixture
def gql_as(stack: Stack, make_token: TokenFactory) -> GraphQLFactory:
    def make(tenant: str, *scopes: str) -> GraphQL:
        return GraphQL(stack.client, make_token(tenant, *scopes))

    return make

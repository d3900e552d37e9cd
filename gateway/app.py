"""The GraphQL gateway: ``create_app(settings)`` wires everything at start-up, nothing at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

import httpx
import jwt
import orjson
from fastapi import FastAPI
from fastapi.routing import APIRoute
from redis.asyncio import Redis
from starlette.middleware import Middleware
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from gateway.clients import ServiceClient, Services
from gateway.context import Context, Runtime, bearer, context_getter
from gateway.events import EventHub
from gateway.fastpath import GraphQLFastPath
from gateway.schema import build_schema
from gateway.settings import GatewaySettings
from services.common.app import build_app
from services.common.health import ReadinessCheck, redis_check
from services.common.problems import Problem

SERVICE_NAMES = ("ingest", "sentiment", "playbook")


class GatewayRouter(GraphQLRouter[Context, None]):
    """Authenticates subscriptions from ``connection_init``'s ``{"Authorization": "Bearer ..."}``."""

    def decode_json(self, data: str | bytes) -> object:
        # orjson's decode error subclasses json.JSONDecodeError: strawberry still answers 400.
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        # orjson: a page of 50 mentions encodes several times faster than with json.dumps.
        return orjson.dumps(data)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params
        header = None
        if isinstance(params, dict):
            value = params.get("Authorization", params.get("authorization"))
            header = value if isinstance(value, str) else None
        token = bearer(header)
        if token is None:
            raise ConnectionRejectionError({"reason": 'Send {"Authorization": "Bearer ..."}.'})
        try:
            caller = await context.runtime.verifier.verify(token)
        except Problem as exc:
            raise ConnectionRejectionError({"reason": exc.detail}) from exc
        context.set_caller(caller)
        # Verified just above: read its expiry without checking the signature again.
        claims = jwt.decode(token, options={"verify_signature": False})
        exp = claims.get("exp")
        context.expires_at = float(exp) if isinstance(exp, int | float) else None
        return {"tenant": caller.tenant}


def _service_check(client: ServiceClient) -> ReadinessCheck:
    async def check() -> None:
        await client.request("GET", "/healthz", None)

    return check


def create_app(
    settings: GatewaySettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """``transports`` (by service name) replace the network, e.g. ``httpx.ASGITransport`` in tests."""
    settings = settings or GatewaySettings()
    transports = transports or {}
    unknown = set(transports) - set(SERVICE_NAMES)
    if unknown:
        raise ValueError(f"unknown service(s) {sorted(unknown)}; known: {SERVICE_NAMES}")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def client(name: str, url: str) -> ServiceClient:
            return ServiceClient(
                name,
                url,
                transport=transports.get(name),
                connect_timeout=settings.upstream_connect_timeout_seconds,
                timeout=settings.upstream_timeout_seconds,
                get_retries=settings.upstream_get_retries,
                max_connections=settings.upstream_max_connections,
                fast_transport=settings.fast_upstream,
            )

        services = Services(
            ingest=client("ingest", settings.ingest_url),
            sentiment=client("sentiment", settings.sentiment_url),
            playbook=client("playbook", settings.playbook_url),
        )
        # No socket read timeout: the pub/sub connection waits for events; calls are bounded
        # where they are made (readiness, subscribe).
        redis = Redis.from_url(
            settings.redis_url, socket_connect_timeout=settings.redis_timeout_seconds
        )
        hub = EventHub(redis, settings.queue_prefix, settings.subscription_buffer)
        app.state.runtime = Runtime(
            settings=settings, services=services, verifier=app.state.token_verifier, hub=hub
        )
        app.state.readiness_checks = {
            **{c.name: _service_check(c) for c in services.all()},
            "redis": redis_check(redis),
        }
        try:
            yield
        finally:
            await hub.aclose()
            await services.aclose()
            await redis.aclose()

    schema = build_schema(settings)
    graphql = GatewayRouter(
        schema,
        path="/graphql",
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        include_in_schema=False,
    )
    app = build_app(
        settings,
        title="Uitkijk GraphQL gateway",
        description=(
            "One GraphQL API over ingest, sentiment and playbook: queries, mutations and "
            "graphql-transport-ws subscriptions at `/graphql`."
        ),
        lifespan=lifespan,
        routers=[graphql],
    )
    # The gateway does not rate-limit by itself: the services it calls do, per tenant.
    app.state.rate_limiter = None
    if settings.fast_http:
        route = next(
            r for r in graphql.routes if isinstance(r, APIRoute) and "POST" in (r.methods or ())
        )
        # Appended last, so innermost: inside the request-id, metrics and body-size middlewares.
        app.user_middleware.append(
            Middleware(
                GraphQLFastPath,
                schema=schema,
                route=route,
                max_cost=settings.max_cost,
                default_page=settings.default_page_size,
            )
        )
    return app

"""Gateway settings: where the three REST services live, and how much one query may ask for."""

from __future__ import annotations

from typing import Literal

from services.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """The gateway owns no tables; ``database_url`` from the base is unused.

    Deployments set ``INGEST_URL``, ``SENTIMENT_URL``, ``PLAYBOOK_URL``, ``REDIS_URL`` and the
    ``JWT_*`` token settings; tests construct this object directly.
    """

    service_name: str = "gateway"
    database_schema: str | None = None

    ingest_url: str = "http://127.0.0.1:8001"
    sentiment_url: str = "http://127.0.0.1:8002"
    playbook_url: str = "http://127.0.0.1:8003"

    #: ``development`` turns introspection and GraphiQL on unless they are set explicitly.
    environment: Literal["development", "production"] = "development"
    introspection: bool | None = None
    graphiql: bool | None = None

    #: Per call to a REST service: connect, and everything else.
    upstream_connect_timeout_seconds: float = 2.0
    upstream_timeout_seconds: float = 10.0
    #: Extra attempts for GETs (safe to repeat) after a transport error or a 502/503/504.
    upstream_get_retries: int = 2
    upstream_max_connections: int = 100
    #: Plain ``http://`` calls to the services go through gateway/transport.py (llhttp parsing
    #: on the event loop's callbacks); off means httpx's default transport (httpcore, h11).
    #: ``https://`` URLs always use httpx's default.
    fast_upstream: bool = True

    #: Protection (see docs/schema.graphql's header and gateway/protection.py).
    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 15
    max_page_size: int = 100
    default_page_size: int = 20
    #: Budget of the cost estimate: each field costs the product of the page sizes above it.
    max_cost: int = 50_000
    max_subscriptions_per_connection: int = 20
    #: Plain data fields skip graphql-core's per-field machinery (gateway/execution.py); off
    #: means graphql-core executes every field (same results, slower).
    fast_execution: bool = True
    #: ``POST /graphql`` with a JSON body skips the router and strawberry's request adapters
    #: (gateway/fastpath.py); off means every request goes through the ordinary route.
    fast_http: bool = True
    #: Events buffered per subscriber before the oldest are dropped.
    subscription_buffer: int = 1000

    @property
    def introspection_enabled(self) -> bool:
        if self.introspection is not None:
            return self.introspection
        return self.environment == "development"

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment == "development"

"""One pooled ``httpx.AsyncClient`` per REST service, relaying the caller's token on every call.

GETs are safe to repeat and are retried after transport errors and 502/503/504; other methods are
sent once (httpx's own transport retry covers only failed connects, where nothing was sent).
Problem+json answers (4xx) become :class:`UpstreamProblem`, which the schema maps to union members;
anything else that goes wrong is :class:`UpstreamError`, an unexpected failure that is masked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
import orjson
from prometheus_client import Counter, Histogram
from pydantic import JsonValue, TypeAdapter, ValidationError

from gateway.transport import UpstreamTransport, httpcore_transport
from services.common.auth import Caller

T = TypeVar("T")

UPSTREAM_CALLS = Counter(
    "uitkijk_gateway_upstream_requests_total",
    "REST calls the gateway made to the services",
    ["service", "method", "status"],
)
UPSTREAM_LATENCY = Histogram(
    "uitkijk_gateway_upstream_request_duration_seconds",
    "Latency of the gateway's REST calls",
    ["service", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

ParamValue = str | int | float | bool | Sequence[str] | None
Params = Mapping[str, ParamValue]
JsonBody = Mapping[str, JsonValue]

_RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class FieldError:
    loc: str
    msg: str


@dataclass(slots=True)
class UpstreamProblem(Exception):  # noqa: N818 - mirrors the services' Problem
    """A service answered with an expected failure (problem+json, 4xx)."""

    service: str
    status: int
    type: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    #: Extension members of the problem (``required_scope``, ``incident_id``, ...), as text.
    members: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.service}: {self.status} {self.title}: {self.detail}"

    @property
    def slug(self) -> str:
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    @property
    def extensions(self) -> dict[str, object]:
        """What a GraphQL error carrying this problem shows (graphql-core reads this name)."""
        codes = {401: "UNAUTHENTICATED", 403: "NOT_ALLOWED", 404: "NOT_FOUND", 409: "CONFLICT"}
        code = codes.get(self.status, "BAD_REQUEST" if self.status < 422 else "VALIDATION_FAILED")
        if self.status == 429:
            code = "RATE_LIMITED"
        return {"code": code, "status": self.status, "type": self.type, "service": self.service}


class UpstreamError(Exception):
    """A service failed unexpectedly (5xx, timeout, unreadable body): masked for clients."""


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


QueryPairs = list[tuple[str, str | int | float | bool | None]]


def _query(params: Params | None) -> QueryPairs:
    """Query pairs without ``None``; lists as repeated keys (the services accept both forms)."""
    pairs: QueryPairs = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif isinstance(value, str | int | float):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, str(item)) for item in value)
    return pairs


def _problem(service: str, response: httpx.Response) -> UpstreamProblem:
    body: object = None
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        body = {}
    errors: list[FieldError] = []
    raw_errors = body.get("errors")
    if isinstance(raw_errors, list):
        for item in raw_errors:
            if isinstance(item, dict):
                loc = item.get("loc", "")
                if isinstance(loc, list):
                    loc = ".".join(str(part) for part in loc)
                errors.append(FieldError(loc=str(loc), msg=str(item.get("msg", ""))))
    known = {"type", "title", "status", "detail", "errors", "instance"}
    extensions = {
        str(k): v if isinstance(v, str) else orjson.dumps(v).decode()
        for k, v in body.items()
        if k not in known
    }
    return UpstreamProblem(
        service=service,
        status=response.status_code,
        type=str(body.get("type", "about:blank")),
        title=str(body.get("title", response.reason_phrase)),
        detail=str(body.get("detail", "")),
        errors=errors,
        members=extensions,
    )


class _NoCookies(httpx.Cookies):
    """A jar that keeps nothing: what a service sets is never sent again."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _CookielessClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that keeps no cookies. One client serves every caller of every
    tenant, so a cookie one answer set must not ride along on another caller's call (each call
    carries its caller's token instead). Skipping the jar also saves httpx building two urllib
    shims per response to look for ``Set-Cookie``."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NoCookies()

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise TypeError("the gateway's service clients keep no cookies")


class ServiceClient:
    """Calls one service. Built once in the gateway's lifespan; shared by every request."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_timeout: float = 2.0,
        timeout: float = 10.0,
        get_retries: int = 2,
        max_connections: int = 100,
        fast_transport: bool = True,
    ) -> None:
        self.name = name
        self.get_retries = get_retries
        #: Calls go to ``base + path + query``, built here as one absolute URL: httpx then parses
        #: it once instead of three times (base merge, path, params; ~0.05 ms a call).
        self.base = str(httpx.URL(base_url)).rstrip("/")
        if transport is None:
            transport = (
                UpstreamTransport(max_connections=max_connections, retries=1)
                if fast_transport
                else httpcore_transport(max_connections, retries=1)
            )
        self.http: httpx.AsyncClient = _CookielessClient(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"Accept": "application/json", "User-Agent": "uitkijk-gateway"},
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        caller: Caller | None,
        *,
        params: Params | None = None,
        body: JsonBody | None = None,
        raw: tuple[bytes, str] | None = None,
    ) -> httpx.Response:
        """Sends the call; returns any 2xx response, raises on everything else.

        ``body`` is sent as JSON; ``raw`` is ``(content, content type)`` (YAML playbooks).
        """
        headers = {"Authorization": f"Bearer {caller.token}"} if caller is not None else {}
        content: bytes | None = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        elif raw is not None:
            content, headers["Content-Type"] = raw
        query = urlencode(_query(params), quote_via=quote)
        url = f"{self.base}{path}?{query}" if query else f"{self.base}{path}"
        attempts = 1 + (self.get_retries if method == "GET" else 0)
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                response = await self.http.request(method, url, content=content, headers=headers)
            except httpx.TransportError as exc:
                UPSTREAM_CALLS.labels(self.name, method, "error").inc()
                if attempt + 1 < attempts:
                    await asyncio.sleep(0.05 * 2**attempt)
                    continue
                raise UpstreamError(f"{self.name} did not answer {method} {path}: {exc!r}") from exc
            finally:
                UPSTREAM_LATENCY.labels(self.name, method).observe(time.perf_counter() - started)
            UPSTREAM_CALLS.labels(self.name, method, str(response.status_code)).inc()
            if response.status_code in _RETRY_STATUSES and attempt + 1 < attempts:
                await asyncio.sleep(0.05 * 2**attempt)
                continue
            if response.is_success:
                return response
            if 400 <= response.status_code < 500:
                raise _problem(self.name, response)
            raise UpstreamError(
                f"{self.name} answered {response.status_code} to {method} {path}: "
                f"{response.text[:300]}"
            )
        raise UpstreamError(f"{self.name}: no attempt left for {method} {path}")  # unreachable

    async def get(
        self, path: str, kind: type[T], caller: Caller | None, params: Params | None = None
    ) -> T:
        response = await self.request("GET", path, caller, params=params)
        return self._parse(response, kind)

    async def get_page_items(
        self, path: str, caller: Caller | None, params: Params | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page's ``(items, next_cursor)`` as JSON decodes them, not validated into models: for
        hot paths that map each item themselves (and raise on a shape they do not expect)."""
        response = await self.request("GET", path, caller, params=params)
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(f"{self.name} answered {path} with no JSON: {exc}") from exc
        items = body.get("items") if isinstance(body, dict) else None
        cursor = body.get("next_cursor") if isinstance(body, dict) else None
        if (
            not isinstance(items, list)
            or not (cursor is None or isinstance(cursor, str))
            or not all(type(item) is dict for item in items)
        ):
            raise UpstreamError(f"{self.name} answered {path} with no page of objects")
        return items, cursor

    async def send(
        self,
        method: str,
        path: str,
        kind: type[T],
        caller: Caller,
        body: JsonBody | None = None,
        params: Params | None = None,
        raw: tuple[bytes, str] | None = None,
    ) -> T:
        response = await self.request(method, path, caller, params=params, body=body, raw=raw)
        return self._parse(response, kind)

    def _parse(self, response: httpx.Response, kind: type[T]) -> T:
        try:
            value: T = _adapter(kind).validate_json(response.content or b"null")
        except ValidationError as exc:
            raise UpstreamError(
                f"{self.name} answered {response.request.url.path} in an unexpected shape: {exc}"
            ) from exc
        return value


@dataclass(frozen=True, slots=True)
class Services:
    ingest: ServiceClient
    sentiment: ServiceClient
    playbook: ServiceClient

    def all(self) -> tuple[ServiceClient, ServiceClient, ServiceClient]:
        return (self.ingest, self.sentiment, self.playbook)

    async def aclose(self) -> None:
        for client in self.all():
            await client.aclose()

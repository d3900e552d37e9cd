"""``POST /graphql`` served by the fast path answers exactly as the ordinary route does, and
whatever it does not handle itself reaches the route with its body intact."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import httpx
import orjson
import pytest
import strawberry
from starlette.types import Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gateway.app import create_app
from gateway.fastpath import GraphQLFastPath
from tests.conftest import TokenFactory
from tests.gateway.conftest import Stack
from tests.gateway.support import BrokenTransport, gateway_client, serve

JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def routed(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The same gateway with the fast path switched off: every request takes the route."""
    settings = stack.settings.model_copy(update={"fast_http": False})
    async with gateway_client(settings, stack.counters) as (app, client):
        assert not any(cast(object, m.cls) is GraphQLFastPath for m in app.user_middleware)
        yield client


def _requests(token: str) -> list[tuple[str, bytes, dict[str, str]]]:
    auth = {**JSON, "Authorization": f"Bearer {token}"}

    def body(query: str, **extra: Any) -> bytes:
        return orjson.dumps({"query": query, **extra})

    page = "query($n: Int) { mentions(first: $n) { edges { cursor node { id text risk } } } }"
    return [
        ("viewer", body("{ viewer { tenant scopes } }"), auth),
        ("page", body(page, variables={"n": 3}), auth),
        ("operation name", body(f"{page} query B {{ viewer {{ tenant }} }}", operationName="B"), auth),
        ("no operation name", body(f"{page} query B {{ viewer {{ tenant }} }}"), auth),
        ("validation", body("{ viewer { nope } }"), auth),
        ("variable type", body(page, variables={"n": "three"}), auth),
        ("not found", body('{ node(id: "TWVudGlvbjpub3BlCg==") { id } }'), auth),
        ("no token", body("{ viewer { tenant } }"), JSON),
        ("bad token", body("{ viewer { tenant } }"), {**JSON, "Authorization": "Bearer nope"}),
        ("not bearer", body("{ viewer { tenant } }"), {**JSON, "Authorization": "Basic abc"}),
        ("no query", orjson.dumps({"variables": {}}), auth),
        ("null query", orjson.dumps({"query": None}), auth),
        ("query not a string", orjson.dumps({"query": 7}), auth),
        ("variables not an object", orjson.dumps({"query": "{ viewer { tenant } }", "variables": 1}), auth),
        ("extra member", orjson.dumps({"query": "{ viewer { tenant } }", "x": 1}), auth),
        ("batch", orjson.dumps([{"query": "{ viewer { tenant } }"}]), auth),
        ("not json", b"{nope", auth),
        ("not an object", b"[1, 2]", auth),
        ("text body", b"{ viewer { tenant } }", {**auth, "Content-Type": "text/plain"}),
        ("json with charset", body("{ viewer { tenant } }"), {**auth, "Content-Type": "application/json; charset=utf-8"}),
        ("subscription over POST", body("subscription { incidentOpened { id } }"), auth),
        ("mutation", body('mutation { addNote(incidentId: "SW5jaWRlbnQ6bm9wZQ==", text: "x") { __typename } }'), auth),
    ]  # fmt: skip


def _comparable(response: httpx.Response) -> tuple[int, str, object]:
    kind = response.headers.get("content-type", "")
    try:
        content: object = response.json()
    except ValueError:
        content = response.text
    if isinstance(content, dict) and "instance" in content:
        content = {k: v for k, v in content.items() if k != "instance"}
    return response.status_code, kind.split(";")[0], content


async def test_every_request_answers_as_the_route_does(
    stack: Stack, routed: httpx.AsyncClient, tenant: str, make_token: TokenFactory
) -> None:
    token = make_token(tenant)
    for name, content, headers in _requests(token):
        slow = await routed.post("/graphql", content=content, headers=headers)
        # First sight through strawberry; then, for a valid query, the noted document.
        for _ in range(3):
            fast = await stack.client.post("/graphql", content=content, headers=headers)
            assert _comparable(fast) == _comparable(slow), name
            assert fast.headers.get("www-authenticate") == slow.headers.get("www-authenticate")
            assert fast.headers["x-request-id"], name


def _fast_path(app: object) -> GraphQLFastPath:
    layer = getattr(app, "middleware_stack", None)
    while layer is not None and not isinstance(layer, GraphQLFastPath):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, GraphQLFastPath), "the gateway has no fast path"
    return layer


async def test_a_query_seen_before_reuses_its_document_and_is_still_costed(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    headers = {**JSON, "Authorization": f"Bearer {make_token(tenant)}"}
    query = """query($n: Int) { incidents(first: $n) { edges { node {
        timeline(last: 50) { kind summary actor at id } } } } }"""
    for _ in range(2):
        response = await stack.client.post(
            "/graphql", json={"query": query, "variables": {"n": 1}}, headers=headers
        )
        assert "errors" not in response.json(), response.json()
    fast = _fast_path(stack.gateway)
    assert (query, None) in fast.valid
    stack.reset_counts()
    response = await stack.client.post(
        "/graphql", json={"query": query, "variables": {"n": 100_000}}, headers=headers
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    assert sum(stack.calls().values()) == 0
    # A mutation or a query that failed validation is never noted.
    bad = "{ viewer { nope } }"
    for _ in range(2):
        await stack.client.post("/graphql", json={"query": bad}, headers=headers)
    assert (bad, None) not in fast.valid


async def test_errors_of_a_query_seen_before_are_masked_alike(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    transports = {**stack.counters, "sentiment": BrokenTransport()}
    async with gateway_client(stack.settings, transports) as (app, client):
        headers = {**JSON, "Authorization": f"Bearer {make_token(tenant)}"}
        query = "{ viewer { tenant } mentions(first: 1) { edges { cursor } } }"
        answers = [
            (await client.post("/graphql", json={"query": query}, headers=headers)).json()
            for _ in range(3)
        ]
        assert (query, None) in _fast_path(app).valid
        assert answers[0] == answers[1] == answers[2]
        assert answers[0]["data"] is None  # mentions is non-null: its error nulls the whole
        assert answers[0]["errors"][0]["message"] == "Unexpected error."
        assert answers[0]["errors"][0]["path"] == ["mentions"]
        assert "secret" not in str(answers)


class _Route:
    path = "/graphql"


def _scope(app: object, headers: dict[str, str], method: str = "POST") -> Scope:
    return {
        "type": "http", "method": method, "path": "/graphql", "app": app,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip


async def _call(stack: Stack, scope: Scope, body: bytes) -> tuple[list[bytes], list[Message]]:
    """Runs the fast path over a recording app: what the route received, and what was sent."""
    reached: list[bytes] = []

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        reached.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    fast = GraphQLFastPath(
        route,
        _graphql_schema(stack),
        _Route(),  # type: ignore[arg-type]
        max_cost=stack.settings.max_cost,
        default_page=stack.settings.default_page_size,
    )
    sent: list[Message] = []
    chunks = [body[:5], body[5:]]

    async def receive() -> Message:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    await fast(scope, receive, send)
    return reached, sent


def _graphql_schema(stack: Stack) -> Any:
    for middleware in stack.gateway.user_middleware:
        if cast(object, middleware.cls) is GraphQLFastPath:
            return middleware.kwargs["schema"]
    raise AssertionError("the gateway has no fast path")


async def test_an_ordinary_query_never_reaches_the_route(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    headers = {**JSON, "Authorization": f"Bearer {make_token(tenant)}"}
    body = orjson.dumps({"query": "{ viewer { tenant } }"})
    reached, sent = await _call(stack, _scope(stack.gateway, headers), body)
    assert reached == []
    assert sent[0]["status"] == 200
    assert orjson.loads(sent[1]["body"]) == {"data": {"viewer": {"tenant": tenant}}}


@pytest.mark.parametrize(
    ("headers", "body", "method"),
    [
        ({**JSON, "Authorization": "Bearer nope"}, b'{"query": "{ viewer { tenant } }"}', "POST"),
        (JSON, b'[{"query": "{ viewer { tenant } }"}]', "POST"),
        ({"Content-Type": "text/plain"}, b'{"query": "{ viewer { tenant } }"}', "POST"),
        ({**JSON, "Accept": "multipart/mixed"}, b'{"query": "{ viewer { tenant } }"}', "POST"),
        ({**JSON, "Accept": "text/event-stream"}, b'{"query": "{ viewer { tenant } }"}', "POST"),
        (JSON, b'{"query": "{ viewer { tenant } }", "variables": []}', "POST"),
        (JSON, b'{"variables": {}}', "POST"),
        (JSON, b'{"query": "{ viewer { tenant } }"}', "PUT"),
    ],
)
async def test_what_the_fast_path_does_not_handle_reaches_the_route_with_its_body(
    stack: Stack, headers: dict[str, str], body: bytes, method: str
) -> None:
    reached, sent = await _call(stack, _scope(stack.gateway, headers, method), body)
    # The route reads the whole body once: replayed after the fast path looked at it, or as sent.
    assert b"".join(reached) == body or reached == [body[:5]]
    assert sent[0]["status"] == 299


async def test_requests_are_counted_under_the_route(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    headers = {**JSON, "Authorization": f"Bearer {make_token(tenant)}"}

    async def count() -> float:
        text = (await stack.client.get("/metrics")).text
        for line in text.splitlines():
            if (
                line.startswith("uitkijk_http_requests_total{")
                and 'service="gateway"' in line
                and 'route="/graphql"' in line
                and 'method="POST"' in line
                and 'status="200"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = await count()
    for _ in range(3):
        response = await stack.client.post(
            "/graphql", json={"query": "{ viewer { tenant } }"}, headers=headers
        )
        assert response.status_code == 200
    assert await count() == before + 3


async def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    settings = stack.settings.model_copy(update={"max_body_bytes": 64})
    async with gateway_client(settings, stack.counters) as (_, client):
        big = {"query": "{ viewer { tenant } }", "variables": {"pad": "x" * 200}}
        headers = {"Authorization": f"Bearer {make_token(tenant)}"}
        response = await client.post("/graphql", json=big, headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"


async def test_over_a_real_socket_as_deployed(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    app = create_app(stack.settings, transports=stack.counters)
    async with serve(app) as host, httpx.AsyncClient(base_url=f"http://{host}") as client:
        headers = {"Authorization": f"Bearer {make_token(tenant)}"}
        query = {
            "query": "query($n: Int) { viewer { tenant } mentions(first: $n) { edges { cursor } } }"
        }
        for n in (1, 2, 3):
            response = await client.post(
                "/graphql", json={**query, "variables": {"n": n}}, headers=headers
            )
            assert response.status_code == 200 and response.headers["x-request-id"]
            assert response.json()["data"]["viewer"]["tenant"] == tenant
        refused = await client.post("/graphql", json=query, headers={"Authorization": "Bearer x"})
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"


async def test_an_extension_with_per_request_hooks_turns_document_reuse_off(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    seen: list[str] = []

    class Audit(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            seen.append(self.execution_context.query or "")
            yield

    schema = _graphql_schema(stack)
    assert _fast_path(stack.gateway).reuse
    audited = strawberry.Schema(
        query=schema.query,
        extensions=[*schema.extensions, Audit],
        config=schema.config,
        execution_context_class=schema.execution_context_class,
    )
    fast = GraphQLFastPath(
        _unreachable,
        audited,
        _Route(),  # type: ignore[arg-type]
        max_cost=stack.settings.max_cost,
        default_page=stack.settings.default_page_size,
    )
    assert not fast.reuse
    headers = {**JSON, "Authorization": f"Bearer {make_token(tenant)}"}
    body = orjson.dumps({"query": "{ viewer { tenant } }"})
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    for _ in range(3):
        await fast(_scope(stack.gateway, headers), _once(body), send)
    bodies = [orjson.loads(m["body"]) for m in sent if m["type"] == "http.response.body"]
    assert bodies == [{"data": {"viewer": {"tenant": tenant}}}] * 3
    assert len(seen) == 3 and not fast.valid


async def _unreachable(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the route was not expected")


def _once(body: bytes) -> Receive:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive

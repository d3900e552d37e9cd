"""The REST clients: token relay, retries only for GETs, problem+json mapped to union members."""

from __future__ import annotations

import httpx
import pytest

from gateway.clients import ServiceClient, UpstreamError, UpstreamProblem
from gateway.schema.errors import NotAllowed, ValidationFailed, from_problem
from services.common.auth import Caller, TenantId

CALLER = Caller(tenant=TenantId("t"), subject="s", token="the-token")


class Flaky(httpx.AsyncBaseTransport):
    def __init__(self, failures: int, status: int = 200) -> None:
        self.failures = failures
        self.status = status
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if len(self.seen) <= self.failures:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(self.status, json={"ok": True})


async def test_gets_are_retried_and_relay_the_callers_token() -> None:
    transport = Flaky(failures=2)
    client = ServiceClient("svc", "http://svc", transport=transport, get_retries=2)
    try:
        assert await client.get("/v1/x", dict[str, bool], CALLER) == {"ok": True}
    finally:
        await client.aclose()
    assert len(transport.seen) == 3
    assert all(r.headers["authorization"] == "Bearer the-token" for r in transport.seen)


async def test_writes_are_sent_once() -> None:
    transport = Flaky(failures=1)
    client = ServiceClient("svc", "http://svc", transport=transport, get_retries=2)
    try:
        with pytest.raises(UpstreamError):
            await client.send("POST", "/v1/x", dict[str, bool], CALLER, {"a": 1})
    finally:
        await client.aclose()
    assert len(transport.seen) == 1


async def test_a_cookie_one_answer_sets_never_rides_on_another_callers_call() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True}, headers={"set-cookie": "session=t1; Path=/"})

    client = ServiceClient("svc", "http://svc", transport=httpx.MockTransport(answer))
    other = Caller(tenant=TenantId("t2"), subject="s2", token="other-token")
    try:
        await client.get("/v1/x", dict[str, bool], CALLER)
        await client.get("/v1/x", dict[str, bool], other)
        assert not client.http.cookies
        with pytest.raises(TypeError):
            client.http.cookies = {"session": "t1"}
    finally:
        await client.aclose()
    assert [r.headers.get("cookie") for r in seen] == [None, None]
    assert seen[1].headers["authorization"] == "Bearer other-token"


class Problem(httpx.AsyncBaseTransport):
    def __init__(self, status: int, body: dict[str, object]) -> None:
        self.status, self.body = status, body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status, json=self.body, headers={"content-type": "application/problem+json"}
        )


async def _problem(status: int, body: dict[str, object]) -> UpstreamProblem:
    client = ServiceClient("svc", "http://svc", transport=Problem(status, body))
    try:
        with pytest.raises(UpstreamProblem) as raised:
            await client.get("/v1/x", dict[str, bool], CALLER)
    finally:
        await client.aclose()
    return raised.value


async def test_problems_become_union_members_with_field_locations() -> None:
    invalid = await _problem(
        422,
        {
            "type": "https://uitkijk.dev/problems/validation-error",
            "title": "Validation failed",
            "status": 422,
            "detail": "1 validation error(s) in the request.",
            "errors": [{"loc": "body.url", "msg": "too short"}],
        },
    )
    member = from_problem(invalid)
    assert isinstance(member, ValidationFailed)
    assert [(e.path, e.message) for e in member.errors] == [("body.url", "too short")]

    forbidden = await _problem(
        403,
        {
            "type": "https://uitkijk.dev/problems/forbidden",
            "title": "Missing scope",
            "status": 403,
            "detail": "This call needs the `drills:write` scope.",
            "required_scope": "drills:write",
        },
    )
    member = from_problem(forbidden)
    assert isinstance(member, NotAllowed) and member.required_scope == "drills:write"


class Fixed(httpx.AsyncBaseTransport):
    def __init__(self, content: bytes) -> None:
        self.content = content

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=self.content)


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"items": {}}', b'{"items": [1]}', b'{"items": [], "next_cursor": 3}'],
)
async def test_a_page_read_as_json_must_be_a_page_of_objects(content: bytes) -> None:
    client = ServiceClient("svc", "http://svc", transport=Fixed(content))
    try:
        with pytest.raises(UpstreamError):
            await client.get_page_items("/v1/x", CALLER)
    finally:
        await client.aclose()


async def test_a_page_read_as_json() -> None:
    client = ServiceClient("svc", "http://svc", transport=Fixed(b'{"items": [{"a": 1}], "x": 0}'))
    try:
        assert await client.get_page_items("/v1/x", CALLER) == ([{"a": 1}], None)
    finally:
        await client.aclose()

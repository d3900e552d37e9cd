"""The services' HTTP protocol writes a response's head together with its first body part."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from services.common.serving import CoalescingHttpToolsProtocol

GET = b"GET /x HTTP/1.1\r\nHost: example.org\r\n\r\n"


class Transport:
    """Records what the protocol writes, as the socket would see it, write by write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "write after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: Any) -> None:
        pass


async def _exchange(app: Any, *requests: bytes) -> Transport:
    config = Config(app=app, lifespan="off", log_config=None)
    protocol = CoalescingHttpToolsProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    for request in requests or (GET,):
        protocol.data_received(request)
        for _ in range(50):  # let the ASGI task run to the end of its response
            await asyncio.sleep(0)
            if protocol.cycle is None or protocol.cycle.response_complete or transport.closed:
                break
    await asyncio.sleep(0)
    protocol.connection_lost(None)
    return transport


def _app(*messages: dict[str, Any], fail: bool = False) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        for message in messages:
            await send(message)
        if fail:
            raise RuntimeError("the app broke mid-response")

    return app


START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}


async def test_head_and_body_leave_in_one_write() -> None:
    body = {"type": "http.response.body", "body": b"hello"}
    transport = await _exchange(_app(START, body))
    assert len(transport.writes) == 1
    head, _, rest = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 5" in head
    assert rest == b"hello"


async def test_keep_alive_requests_each_get_one_write() -> None:
    body = {"type": "http.response.body", "body": b"hello"}
    transport = await _exchange(_app(START, body), GET, GET, GET)
    assert len(transport.writes) == 3
    assert all(w.startswith(b"HTTP/1.1 200") and w.endswith(b"hello") for w in transport.writes)


async def test_a_streamed_response_sends_its_head_with_the_first_chunk_then_each_chunk() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": []}
    parts = [
        {"type": "http.response.body", "body": b"one", "more_body": True},
        {"type": "http.response.body", "body": b"two", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]
    transport = await _exchange(_app(start, *parts))
    assert len(transport.writes) == 3
    assert b"transfer-encoding: chunked" in transport.writes[0]
    assert transport.writes[0].endswith(b"\r\n\r\n3\r\none\r\n")
    assert transport.writes[1] == b"3\r\ntwo\r\n"
    assert transport.writes[2] == b"0\r\n\r\n"


async def test_a_head_request_still_gets_its_head() -> None:
    body = {"type": "http.response.body", "body": b""}
    head_request = b"HEAD /x HTTP/1.1\r\nHost: example.org\r\n\r\n"
    transport = await _exchange(_app(START, body), head_request)
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200") and transport.writes[0].endswith(
        b"\r\n\r\n"
    )


async def test_connection_close_sends_the_response_before_closing() -> None:
    body = {"type": "http.response.body", "body": b"hello"}
    request = b"GET /x HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n"
    transport = await _exchange(_app(START, body), request)
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].endswith(b"hello")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_an_app_failing_after_the_head_still_sends_the_head_then_closes() -> None:
    transport = await _exchange(_app(START, fail=True))
    assert transport.closed
    assert transport.writes and transport.writes[0].startswith(b"HTTP/1.1 200")


async def test_an_app_failing_before_the_head_gets_uvicorns_500_in_one_write() -> None:
    transport = await _exchange(_app(fail=True))
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 500")
    assert transport.writes[0].endswith(b"Internal Server Error")


async def test_a_bad_start_message_leaves_the_transport_as_it_was() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": [(b"bad header", b"x")]}
    transport = await _exchange(_app(start, {"type": "http.response.body", "body": b"x"}))
    # uvicorn rejects the header after marking the response started, so it closes the
    # connection without a byte, as it does without this protocol; nothing is left held.
    assert transport.writes == [] and transport.closed

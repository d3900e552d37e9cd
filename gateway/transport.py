"""The transport under the gateway's ``httpx.AsyncClient``s: pooled keep-alive HTTP/1.1 over the
event loop's own protocol callbacks, with httptools (llhttp, the parser uvicorn serves with)
reading the answers.

httpx's default transport (httpcore over anyio, h11 parsing in Python) cost about 1.4 ms of CPU a
call on the benchmark machine before the body, plus about 1 ms per 40 kB page of mentions: more
than the gateway's own work on the page. This transport keeps everything the client layer does
(base URL, headers, the caller's token, timeouts, redirects, decoding, event hooks, the
:class:`~httpx.TransportError` family the gateway's retries rely on) and replaces only the part
below ``handle_async_request``.

Scope: plain ``http://`` calls with a method whose answer carries a body when it says so (not
``HEAD`` nor ``CONNECT``). Anything else (``https://``, a proxy mount, ``HEAD``) goes to the
``fallback`` transport, httpx's default. Answers are read whole before they are returned (the
services answer with one JSON body; the gateway reads every one in full), so a connection is
back in the pool as soon as its answer has arrived.

Timeouts follow httpx's meaning: ``connect`` for opening a connection, ``pool`` for waiting for a
free one, ``read`` for the longest silence while an answer is due, ``write`` for the longest
wait for the socket to take a large request body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

import httptools
import httpx

_PASS_THROUGH = frozenset({b"HEAD", b"CONNECT"})
_Key = tuple[str, int]


class _Answer:
    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self) -> None:
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []


class _Connection(asyncio.Protocol):
    """One keep-alive connection to a service; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.answer = _Answer()
        self.waiter: asyncio.Future[_Answer] | None = None
        self.drained: asyncio.Future[None] | None = None
        self.received = False  # any byte of the current answer
        self.closed = False
        self.keep_alive = True
        self.idle_since = 0.0
        self.last_read = 0.0
        self.read_timeout: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.paused = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            # Nothing was asked: a server talking out of turn cannot be trusted with the next call.
            self.close()
            return
        self.received = True
        self.last_read = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"unreadable answer: {exc}"))

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            if self.answer.status and not self._has_length():
                self._complete()  # an answer delimited by the close of the connection
            elif not self.received:
                self._fail(
                    httpx.RemoteProtocolError("Server disconnected without sending a response.")
                )
            else:
                self._fail(httpx.ReadError(f"connection lost while reading the answer: {exc!r}"))
        if self.drained is not None and not self.drained.done():
            self.drained.set_exception(httpx.WriteError("connection lost while sending"))

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    # -- httptools callbacks
    def on_status(self, status: bytes) -> None:
        self.answer.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.answer.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.answer.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self.answer.body.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.answer.status < 200:  # an interim answer: the real one follows
            self.answer = _Answer()
            return
        self.keep_alive = self.parser.should_keep_alive()
        self._complete()

    # -- the pool's side
    def usable(self, now: float, expiry: float) -> bool:
        return (
            not self.closed
            and self.keep_alive
            and self.transport is not None
            and not self.transport.is_closing()
            and now - self.idle_since < expiry
        )

    async def exchange(self, head: bytes, timeouts: dict[str, float | None]) -> _Answer:
        transport = self.transport
        assert transport is not None
        self.answer = _Answer()
        self.received = False
        waiter: asyncio.Future[_Answer] = self.loop.create_future()
        self.waiter = waiter
        self.read_timeout = timeouts.get("read")
        self.last_read = self.loop.time()
        if self.read_timeout is not None:
            self.timer = self.loop.call_at(self.last_read + self.read_timeout, self._check_silence)
        try:
            transport.write(head)
            if self.paused:
                await self._drain(timeouts.get("write"))
            return await waiter
        finally:
            self.waiter = None
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    # -- internals
    async def _drain(self, limit: float | None) -> None:
        self.drained = self.loop.create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self.drained), limit)
        except TimeoutError:
            self.abort()
            raise httpx.WriteTimeout("the service did not take the request body in time") from None
        finally:
            self.drained = None

    def _check_silence(self) -> None:
        self.timer = None
        if self.waiter is None or self.waiter.done() or self.read_timeout is None:
            return
        due = self.last_read + self.read_timeout
        if self.loop.time() >= due:
            self._fail(httpx.ReadTimeout("the service did not answer in time"))
            self.abort()
        else:
            self.timer = self.loop.call_at(due, self._check_silence)

    def _has_length(self) -> bool:
        for name, _value in self.answer.headers:
            lowered = name.lower()
            if lowered in (b"content-length", b"transfer-encoding"):
                return True
        return False

    def _complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.answer)

    def _fail(self, exc: Exception) -> None:
        self.keep_alive = False
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.close()


def httpcore_transport(max_connections: int, retries: int) -> httpx.AsyncHTTPTransport:
    """httpx's default transport, pooled alike: the fallback, and the choice with
    ``FAST_UPSTREAM=false``. Both retry only a failed connect, where nothing was sent."""
    return httpx.AsyncHTTPTransport(
        retries=retries,
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
    )


class UpstreamTransport(httpx.AsyncBaseTransport):
    """A pool of keep-alive connections per host, for one :class:`httpx.AsyncClient`."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 4.0,
        retries: int = 1,
        fallback: httpx.AsyncBaseTransport | None = None,
        connector: Callable[..., Any] | None = None,
    ) -> None:
        self.max_connections = max_connections
        #: Below uvicorn's 5 s keep-alive, so an idle connection is dropped here before the
        #: service drops it under a request in flight.
        self.keepalive_expiry = keepalive_expiry
        #: Extra attempts to open a connection (nothing has been sent when one fails).
        self.retries = retries
        self.fallback = fallback or httpcore_transport(max_connections, retries)
        self._idle: dict[_Key, list[_Connection]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._connector = connector
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method = request.method.encode("ascii")
        url = request.url
        if url.scheme != "http" or method in _PASS_THROUGH:
            return await self.fallback.handle_async_request(request)
        if self._closed:
            raise httpx.ConnectError("the transport is closed")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        head = await _head(request, method)
        slots = self._slots
        if slots is None:
            slots = self._slots = asyncio.Semaphore(self.max_connections)
        if slots.locked():
            try:
                await asyncio.wait_for(slots.acquire(), timeouts.get("pool"))
            except TimeoutError:
                raise httpx.PoolTimeout("no free connection to the service in time") from None
        else:
            await slots.acquire()
        try:
            key = (url.host, url.port or 80)
            connection = await self._connection(key, timeouts.get("connect"))
            try:
                answer = await connection.exchange(head, timeouts)
            except BaseException:
                connection.abort()  # cancelled or failed mid-exchange: its state is unknown
                raise
            # Not after aclose: nothing would close a connection parked in a closed pool.
            if connection.keep_alive and not connection.closed and not self._closed:
                connection.idle_since = connection.loop.time()
                self._idle.setdefault(key, []).append(connection)
            else:
                connection.close()
        finally:
            slots.release()
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=httpx.ByteStream(b"".join(answer.body)),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason},
        )

    async def _connection(self, key: _Key, limit: float | None) -> _Connection:
        idle = self._idle.get(key)
        if idle:
            loop = asyncio.get_running_loop()
            now = loop.time()
            while idle:
                connection = idle.pop()
                if connection.loop is loop and connection.usable(now, self.keepalive_expiry):
                    return connection
                connection.close()
        for attempt in range(self.retries + 1):
            try:
                return await self._connect(key, limit)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if attempt == self.retries:
                    raise
                await asyncio.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    async def _connect(self, key: _Key, limit: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        host, port = key
        connect = self._connector or loop.create_connection
        try:
            _transport, connection = await asyncio.wait_for(
                connect(lambda: _Connection(loop), host, port), limit
            )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {host}:{port} in time") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        assert isinstance(connection, _Connection)
        return connection

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        await self.fallback.aclose()


async def _head(request: httpx.Request, method: bytes) -> bytes:
    """The request as it goes on the wire: request line, headers, body."""
    try:
        body = request.content
    except httpx.RequestNotRead:
        body = await request.aread()
    chunked = False
    lines = [method, b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if name.lower() == b"transfer-encoding" and value.lower() == b"chunked":
            chunked = True
        lines += (name, b": ", value, b"\r\n")
    lines.append(b"\r\n")
    if chunked:
        if body:
            lines += (b"%x\r\n" % len(body), body, b"\r\n")
        lines.append(b"0\r\n\r\n")
    elif body:
        lines.append(body)
    return b"".join(lines)

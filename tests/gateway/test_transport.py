"""The gateway's upstream transport against real sockets: small scripted HTTP/1.1 servers on
127.0.0.1 that write exactly the bytes a test wants (well-formed, partial or malformed) and count
the connections they accept, so keep-alive reuse and its limits are seen from the server's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import pytest

from gateway.clients import ServiceClient
from gateway.transport import UpstreamTransport
from services.common.embedded_redis import free_port

# -- the scripted server


@dataclass
class Seen:
    """One request as it arrived on the wire."""

    connection: int
    head: bytes
    body: bytes  # as on the wire (still chunk-encoded when it was sent chunked)

    @property
    def request_line(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0]

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        lines = self.head.split(b"\r\n")[1:]
        pairs = [line.split(b":", 1) for line in lines if line]
        return [(name.strip().lower(), value.strip()) for name, value in pairs]

    def header(self, name: bytes) -> bytes | None:
        values = [value for key, value in self.headers if key == name.lower()]
        assert len(values) <= 1, values
        return values[0] if values else None


class Conn:
    """The server's side of one accepted connection."""

    def __init__(
        self,
        server: ScriptedServer,
        index: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.index = index
        self.reader = reader
        self.writer = writer
        #: Set when the client closed (or aborted) its side.
        self.ended = asyncio.Event()

    async def read_request(self) -> Seen | None:
        """The next request, or ``None`` once the client has closed the connection."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            seen = Seen(self.index, head, b"")
            if (seen.header(b"transfer-encoding") or b"").lower() == b"chunked":
                parts = []
                while True:
                    size_line = await self.reader.readuntil(b"\r\n")
                    size = int(size_line.strip(), 16)
                    parts.append(size_line + await self.reader.readexactly(size + 2))
                    if size == 0:
                        break
                seen.body = b"".join(parts)
            else:
                seen.body = await self.reader.readexactly(int(seen.header(b"content-length") or 0))
        except (asyncio.IncompleteReadError, ConnectionError):
            self.ended.set()
            return None
        self.server.seen.append(seen)
        self.server.request_arrived.set()
        return seen

    async def send(self, *parts: bytes, gap: float = 0.0) -> None:
        """Writes ``parts`` one by one, ``gap`` seconds apart (each flushed on its own)."""
        for number, part in enumerate(parts):
            if number and gap:
                await asyncio.sleep(gap)
            self.writer.write(part)
            await self.writer.drain()

    async def wait_for_end(self) -> None:
        """Reads until the client closes its side (anything it sends meanwhile is dropped)."""
        with contextlib.suppress(ConnectionError):
            while await self.reader.read(65536):
                pass
        self.ended.set()


Script = Callable[[Conn], Awaitable[None]]


class ScriptedServer:
    """Runs ``script(conn)`` for every accepted connection; closes what is left on exit."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections: list[Conn] = []
        self.seen: list[Seen] = []
        self.request_arrived = asyncio.Event()
        self.errors: list[BaseException] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for conn in self.connections:
            conn.writer.transport.abort()  # scripts still reading see the end and return
        tasks = set(self._tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=1)
            for task in pending:  # a script waiting for something else
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if exc_type is None and self.errors:
            raise self.errors[0]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Conn(self, len(self.connections), reader, writer)
        self.connections.append(conn)
        try:
            await self.script(conn)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        except asyncio.CancelledError:
            writer.transport.abort()  # cancelled by __aexit__: the test left it waiting
        except Exception as exc:  # reported by __aexit__
            writer.transport.abort()
            self.errors.append(exc)
        finally:
            self._tasks.discard(task)

    async def wait_for_request(self, count: int) -> None:
        """Until ``count`` requests in all have arrived."""
        async with asyncio.timeout(2):
            while len(self.seen) < count:
                self.request_arrived.clear()
                await self.request_arrived.wait()


def answer(
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    reason: str = "OK",
) -> bytes:
    """A complete answer; ``Content-Length`` is added unless the headers frame the body."""
    headers = list(headers)
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{name}: {value}" for name, value in headers]
    framed = {name.lower() for name, _ in headers} & {"content-length", "transfer-encoding"}
    if not framed:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def answering(make: Callable[[Seen], bytes] | bytes) -> Script:
    """A script that answers every request on the connection with ``make(request)``."""

    async def script(conn: Conn) -> None:
        while (seen := await conn.read_request()) is not None:
            await conn.send(make(seen) if callable(make) else make)

    return script


@contextlib.asynccontextmanager
async def client_for(
    server: ScriptedServer, transport: httpx.AsyncBaseTransport | None = None, **timeout: float
) -> AsyncIterator[httpx.AsyncClient]:
    """An AsyncClient on ``transport`` (an :class:`UpstreamTransport` by default), as the gateway
    builds them; ``timeout`` overrides parts of a 5 s :class:`httpx.Timeout`."""
    client = httpx.AsyncClient(
        transport=transport or UpstreamTransport(),
        base_url=server.url,
        timeout=httpx.Timeout(5.0, **timeout),
    )
    async with client:
        yield client


class Recording(httpx.AsyncBaseTransport):
    """A fallback that answers 299 to everything and notes what it was handed."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(299, content=b"from the fallback")

    async def aclose(self) -> None:
        self.closed = True


# -- requests on the wire, answers back


async def test_a_get_goes_out_with_its_target_and_headers_and_its_answer_comes_back_whole() -> None:
    reply = answer(
        200,
        b'{"items":[1,2]}',
        [("Content-Type", "application/json"), ("X-Trace", "abc"), ("Set-Cookie", "a=1")],
        reason="Fine Thanks",
    )
    async with ScriptedServer(answering(reply)) as server, client_for(server) as client:
        response = await client.get(
            "/v1/items?q=a%20b&tag=x&tag=y", headers={"Authorization": "Bearer the-token"}
        )

    [seen] = server.seen
    assert seen.request_line == b"GET /v1/items?q=a%20b&tag=x&tag=y HTTP/1.1"
    assert seen.header(b"host") == f"127.0.0.1:{server.port}".encode()
    assert seen.header(b"authorization") == b"Bearer the-token"
    assert seen.header(b"content-length") is None and seen.header(b"transfer-encoding") is None
    assert seen.body == b""
    assert response.status_code == 200
    assert response.reason_phrase == "Fine Thanks"
    assert response.http_version == "HTTP/1.1"
    assert response.content == b'{"items":[1,2]}'
    assert response.json() == {"items": [1, 2]}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-trace"] == "abc"
    assert response.headers["content-length"] == "15"
    assert response.request.url == f"{server.url}/v1/items?q=a%20b&tag=x&tag=y"


async def test_a_post_sends_its_json_body_whole_and_the_answer_is_read_by_its_length() -> None:
    body = '{"name":"Zoë","tags":["a","b"],"n":1}'.encode()

    def echo(seen: Seen) -> bytes:
        return answer(201, b"got:" + seen.body, [("Content-Type", "text/plain")], "Created")

    async with ScriptedServer(answering(echo)) as server, client_for(server) as client:
        response = await client.post(
            "/v1/things", content=body, headers={"Content-Type": "application/json"}
        )
        via_json = await client.post("/v1/things", json={"a": [1, None]})

    first, second = server.seen
    assert first.request_line == b"POST /v1/things HTTP/1.1"
    assert first.body == body
    assert first.header(b"content-length") == str(len(body)).encode()
    assert first.header(b"content-type") == b"application/json"
    assert response.status_code == 201 and response.reason_phrase == "Created"
    assert response.content == b"got:" + body
    assert second.body == via_json.request.content == b'{"a":[1,null]}'
    assert second.header(b"content-length") == b"14"
    assert via_json.text == 'got:{"a":[1,null]}'


async def test_a_streamed_request_body_goes_out_chunk_encoded_in_one_piece() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    async with (
        ScriptedServer(answering(answer(200, b"ok"))) as server,
        client_for(server) as client,
    ):
        response = await client.post("/v1/upload", content=parts())
        empty = await client.put("/v1/upload", content=_nothing())

    first, second = server.seen
    assert first.header(b"transfer-encoding") == b"chunked"
    assert first.header(b"content-length") is None
    assert first.body == b"b\r\nhello world\r\n0\r\n\r\n"
    assert second.request_line == b"PUT /v1/upload HTTP/1.1"
    assert second.body == b"0\r\n\r\n"
    assert response.content == empty.content == b"ok"
    assert len(server.connections) == 1


async def _nothing() -> AsyncIterator[bytes]:
    parts: tuple[bytes, ...] = ()
    for part in parts:
        yield part


# -- how answers are delimited


async def test_a_chunked_answer_is_decoded_and_the_connection_kept() -> None:
    async def script(conn: Conn) -> None:
        while await conn.read_request() is not None:
            await conn.send(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunks\r\n\r\n5\r\nhe",
                b"llo\r\n6\r\n world\r\n",
                b"0\r\n\r\n",
                gap=0.01,
            )

    async with ScriptedServer(script) as server, client_for(server) as client:
        first = await client.get("/a")
        second = await client.get("/b")

    assert first.content == second.content == b"hello world"
    assert first.headers["transfer-encoding"] == "chunked"
    assert first.headers["x-kind"] == "chunks"
    assert len(server.connections) == 1
    assert [seen.connection for seen in server.seen] == [0, 0]


async def test_an_answer_without_length_ends_when_the_server_closes() -> None:
    async def script(conn: Conn) -> None:
        if await conn.read_request() is not None:
            await conn.send(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ",
                b"part two",
                gap=0.02,
            )

    async with ScriptedServer(script) as server, client_for(server) as client:
        first = await client.get("/stream")
        second = await client.get("/stream")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content == b"part one, part two"
    assert first.headers["content-type"] == "text/plain"
    assert len(server.connections) == 2  # a closed connection is not reused


async def test_a_204_has_no_body_and_keeps_the_connection() -> None:
    reply = b"HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n"
    async with ScriptedServer(answering(reply)) as server, client_for(server) as client:
        first = await client.delete("/v1/things/1")
        second = await client.delete("/v1/things/2")

    assert first.status_code == second.status_code == 204
    assert first.reason_phrase == "No Content"
    assert first.content == b""
    assert first.headers["x-done"] == "yes"
    assert len(server.connections) == 1


async def test_an_interim_100_continue_is_skipped_for_the_real_answer() -> None:
    interim = b"HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
    final = answer(200, b"done", [("X-Final", "yes")], reason="Alright")

    async def script(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(interim + final)  # in one piece
        await conn.read_request()
        await conn.send(interim, final, gap=0.02)  # in two

    async with ScriptedServer(script) as server, client_for(server) as client:
        responses = [await client.post("/v1/x", content=b"data") for _ in range(2)]

    for response in responses:
        assert response.status_code == 200
        assert response.reason_phrase == "Alright"
        assert response.content == b"done"
        assert response.headers["x-final"] == "yes"
        assert "x-interim" not in response.headers
    assert len(server.connections) == 1


# -- keep-alive


async def test_sequential_requests_share_one_connection() -> None:
    def echo(seen: Seen) -> bytes:
        return answer(200, seen.request_line)

    async with ScriptedServer(answering(echo)) as server, client_for(server) as client:
        bodies = [(await client.get(f"/n/{n}")).content for n in range(3)]

    assert bodies == [b"GET /n/0 HTTP/1.1", b"GET /n/1 HTTP/1.1", b"GET /n/2 HTTP/1.1"]
    assert len(server.connections) == 1
    assert [seen.connection for seen in server.seen] == [0, 0, 0]


async def test_an_answer_with_connection_close_makes_the_next_request_open_a_new_one() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(answer(200, b"bye", [("Connection", "close")]))
        await conn.wait_for_end()  # the server leaves it to the client to close

    async with ScriptedServer(script) as server, client_for(server) as client:
        first = await client.get("/1")
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()  # closed by the transport
        second = await client.get("/2")

    assert first.content == second.content == b"bye"
    assert len(server.connections) == 2
    assert [seen.connection for seen in server.seen] == [0, 1]


async def test_an_idle_connection_past_the_keepalive_expiry_is_closed_not_reused() -> None:
    transport = UpstreamTransport(keepalive_expiry=0.05)
    async with (
        ScriptedServer(answering(answer(200, b"ok"))) as server,
        client_for(server, transport) as client,
    ):
        await client.get("/1")
        await client.get("/2")  # within the expiry: reused
        await asyncio.sleep(0.1)
        await client.get("/3")
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()

    assert [seen.connection for seen in server.seen] == [0, 0, 1]


async def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(answer(200, f"conn {conn.index}".encode()))
        # ... and closes, without saying so in the answer.

    async with ScriptedServer(script) as server, client_for(server) as client:
        first = await client.get("/1")
        await asyncio.sleep(0.05)  # the transport hears of the close
        second = await client.get("/2")

    assert (first.content, second.content) == (b"conn 0", b"conn 1")
    assert len(server.connections) == 2


# -- the pool


async def test_with_one_connection_concurrent_requests_take_turns_on_it() -> None:
    async def script(conn: Conn) -> None:
        while (seen := await conn.read_request()) is not None:
            await asyncio.sleep(0.05)
            await conn.send(answer(200, seen.request_line.split()[1]))

    transport = UpstreamTransport(max_connections=1)
    async with ScriptedServer(script) as server, client_for(server, transport) as client:
        first, second = await asyncio.gather(client.get("/a"), client.get("/b"))

    assert (first.content, second.content) == (b"/a", b"/b")
    assert len(server.connections) == 1
    assert [seen.connection for seen in server.seen] == [0, 0]


async def test_waiting_longer_than_the_pool_timeout_for_a_connection_raises_pool_timeout() -> None:
    release = asyncio.Event()

    async def script(conn: Conn) -> None:
        while await conn.read_request() is not None:
            await release.wait()
            await conn.send(answer(200, b"slow"))

    transport = UpstreamTransport(max_connections=1)
    async with (
        ScriptedServer(script) as server,
        client_for(server, transport, pool=0.05) as client,
    ):
        slow = asyncio.create_task(client.get("/slow"))
        await server.wait_for_request(1)
        with pytest.raises(httpx.PoolTimeout):
            await client.get("/impatient")
        release.set()
        assert (await slow).content == b"slow"
        after = await client.get("/after")  # the slot was given back

    assert after.content == b"slow"
    assert [seen.request_line for seen in server.seen] == [
        b"GET /slow HTTP/1.1",
        b"GET /after HTTP/1.1",
    ]
    assert len(server.connections) == 1


# -- failures


async def test_a_refused_connection_is_a_connect_error_after_the_retries() -> None:
    attempts: list[tuple[str, int]] = []

    async def counting(factory: Callable[[], asyncio.Protocol], host: str, port: int) -> Any:
        attempts.append((host, port))
        return await asyncio.get_running_loop().create_connection(factory, host, port)

    port = free_port()  # nothing listens there
    for retries, expected in ((1, 2), (0, 1)):
        attempts.clear()
        transport = UpstreamTransport(retries=retries, connector=counting)
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/x")
        assert attempts == [("127.0.0.1", port)] * expected


async def test_a_connect_slower_than_the_connect_timeout_is_a_connect_timeout() -> None:
    async def hanging(factory: Callable[[], asyncio.Protocol], host: str, port: int) -> Any:
        await asyncio.sleep(10)

    transport = UpstreamTransport(retries=0, connector=hanging)
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5, connect=0.05)) as c:
        with pytest.raises(httpx.ConnectTimeout):
            await c.get("http://127.0.0.1:9/x")


async def test_a_silent_server_is_a_read_timeout_and_its_connection_is_dropped() -> None:
    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await conn.read_request()
            await conn.wait_for_end()  # never answers
        else:
            await answering(answer(200, b"fresh"))(conn)

    async with ScriptedServer(script) as server, client_for(server, read=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/silent")
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()  # aborted by the transport
        response = await client.get("/again")

    assert response.content == b"fresh"
    assert len(server.connections) == 2


async def test_the_read_timeout_is_the_longest_silence_not_the_whole_answer() -> None:
    parts = [b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n"] + [b"x"] * 8

    async def script(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(*parts, gap=0.05)  # 0.4 s in all, never more than 0.05 s apart

    async with ScriptedServer(script) as server, client_for(server, read=0.3) as client:
        response = await client.get("/trickle")

    assert response.content == b"x" * 8


async def test_a_server_that_closes_without_answering_is_a_remote_protocol_error() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()

    async with ScriptedServer(script) as server, client_for(server) as client:
        with pytest.raises(httpx.RemoteProtocolError) as raised:
            await client.get("/x")

    assert str(raised.value) == "Server disconnected without sending a response."
    assert len(server.seen) == 1


async def test_a_server_that_closes_halfway_through_the_body_is_a_read_error() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")

    async with ScriptedServer(script) as server, client_for(server) as client:
        with pytest.raises(httpx.ReadError):
            await client.get("/x")

    assert len(server.seen) == 1


async def test_garbage_instead_of_a_status_line_is_a_remote_protocol_error() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()
        if conn.index == 0:
            await conn.send(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            await conn.wait_for_end()
        else:
            await conn.send(answer(200, b"sane"))

    async with ScriptedServer(script) as server, client_for(server) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/x")
        response = await client.get("/y")

    assert response.content == b"sane"
    assert len(server.connections) == 2


async def test_a_cancelled_request_aborts_its_connection() -> None:
    async def script(conn: Conn) -> None:
        await conn.read_request()
        if conn.index == 0:
            await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
            await conn.wait_for_end()  # the rest never comes
        else:
            await conn.send(answer(200, b"0123456789"))

    async with ScriptedServer(script) as server, client_for(server) as client:
        task = asyncio.create_task(client.get("/x"))
        await server.wait_for_request(1)
        await asyncio.sleep(0.05)  # half the answer has arrived
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()
        response = await client.get("/y")

    assert response.content == b"0123456789"
    assert [seen.connection for seen in server.seen] == [0, 1]


# -- the fallback and closing


async def test_head_and_https_go_to_the_fallback_transport() -> None:
    fallback = Recording()
    transport = UpstreamTransport(fallback=fallback)
    async with (
        ScriptedServer(answering(answer(200, b"direct"))) as server,
        client_for(server, transport) as client,
    ):
        head = await client.head("/x")
        secure = await client.get("https://service.test/v1/y?z=1")
        direct = await client.get("/z")

    assert [(r.method, str(r.url)) for r in fallback.requests] == [
        ("HEAD", f"{server.url}/x"),
        ("GET", "https://service.test/v1/y?z=1"),
    ]
    assert head.status_code == secure.status_code == 299
    assert secure.content == b"from the fallback"
    assert direct.content == b"direct"
    assert [seen.request_line for seen in server.seen] == [b"GET /z HTTP/1.1"]
    assert fallback.closed  # closed with the client


async def test_after_aclose_idle_connections_are_closed_and_requests_refused() -> None:
    fallback = Recording()
    transport = UpstreamTransport(fallback=fallback)
    async with ScriptedServer(answering(answer(200, b"ok"))) as server:
        async with client_for(server, transport) as client:
            await client.get("/x")
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()
        with pytest.raises(httpx.ConnectError):
            await transport.handle_async_request(httpx.Request("GET", f"{server.url}/y"))

    assert fallback.closed
    assert len(server.seen) == 1


async def test_a_request_finishing_after_aclose_does_not_leave_its_connection_open() -> None:
    release = asyncio.Event()

    async def script(conn: Conn) -> None:
        await conn.read_request()
        await release.wait()
        await conn.send(answer(200, b"late"))
        await conn.wait_for_end()

    transport = UpstreamTransport(fallback=Recording())
    async with ScriptedServer(script) as server:
        request = httpx.Request("GET", f"{server.url}/slow")
        task = asyncio.create_task(transport.handle_async_request(request))
        await server.wait_for_request(1)
        await transport.aclose()
        release.set()
        response = await task
        async with asyncio.timeout(2):
            await server.connections[0].ended.wait()  # not parked in the closed pool

    assert await response.aread() == b"late"


# -- the same answers as httpx's own transport


def _routes(seen: Seen) -> bytes:
    target = seen.request_line.split()[1]
    if target == b"/json":
        return answer(200, b'{"a":1}', [("Content-Type", "application/json"), ("X-Multi", "1")])
    if target == b"/chunked":
        return (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        )
    if target == b"/gzip":
        return answer(200, gzip.compress(b"squeezed" * 20), [("Content-Encoding", "gzip")])
    if target == b"/missing":
        return answer(
            404,
            b'{"title":"Not Found"}',
            [("Content-Type", "application/problem+json")],
            reason="Nowhere To Be Found",
        )
    if target == b"/empty":
        return b"HTTP/1.1 204 No Content\r\nX-Empty: 1\r\n\r\n"
    if target == b"/close":
        return answer(200, b"last", [("Connection", "close")])
    if target.startswith(b"/echo"):
        return answer(200, seen.request_line + b"|" + seen.body, [("X-Len", str(len(seen.body)))])
    return answer(500, b"no route", reason="Internal Server Error")


async def test_the_same_answers_as_httpx_own_transport() -> None:
    async def exchange(client: httpx.AsyncClient) -> list[tuple[Any, ...]]:
        requests = [
            client.build_request("GET", "/json"),
            client.build_request("GET", "/chunked"),
            client.build_request("GET", "/gzip"),
            client.build_request("GET", "/missing"),
            client.build_request("DELETE", "/empty"),
            client.build_request("POST", "/echo?x=1", json={"k": "v"}),
            client.build_request("PATCH", "/echo", content=b"raw bytes"),
            client.build_request("GET", "/close"),
            client.build_request("GET", "/json"),
        ]
        results = []
        for request in requests:
            response = await client.send(request)
            headers = sorted(
                (name.lower(), value)
                for name, value in response.headers.multi_items()
                if name.lower() != "date"
            )
            results.append(
                (response.status_code, response.reason_phrase, response.content, headers)
            )
        return results

    async with ScriptedServer(answering(_routes)) as server:
        async with client_for(server) as client:
            ours = await exchange(client)
        ours_seen, server.seen = server.seen, []
        async with client_for(server, httpx.AsyncHTTPTransport()) as client:
            theirs = await exchange(client)

    assert ours == theirs
    assert [seen.head for seen in ours_seen] == [seen.head for seen in server.seen]
    assert [seen.body for seen in ours_seen] == [seen.body for seen in server.seen]
    assert ours[2][2] == b"squeezed" * 20
    assert ours[3][:2] == (404, "Nowhere To Be Found")


# -- under the gateway's ServiceClient


async def test_service_clients_use_the_upstream_transport_unless_told_otherwise() -> None:
    fast = ServiceClient("svc", "http://svc:8000")
    slow = ServiceClient("svc", "http://svc:8000", fast_transport=False)
    try:
        assert isinstance(fast.http._transport, UpstreamTransport)
        assert isinstance(fast.http._transport.fallback, httpx.AsyncHTTPTransport)
        assert isinstance(slow.http._transport, httpx.AsyncHTTPTransport)
    finally:
        await fast.aclose()
        await slow.aclose()


async def test_a_service_client_get_is_retried_after_a_disconnect_without_answer() -> None:
    async def script(conn: Conn) -> None:
        seen = await conn.read_request()
        if conn.index > 0 and seen is not None:
            await conn.send(answer(200, b'{"ok":true}', [("Content-Type", "application/json")]))
            await conn.wait_for_end()
        # the first connection is closed without a word

    async with ScriptedServer(script) as server:
        client = ServiceClient("svc", server.url)
        try:
            assert isinstance(client.http._transport, UpstreamTransport)
            response = await client.request("GET", "/v1/things", caller=None, params={"n": 2})
        finally:
            await client.aclose()

    assert response.status_code == 200 and response.json() == {"ok": True}
    assert [(seen.connection, seen.request_line) for seen in server.seen] == [
        (0, b"GET /v1/things?n=2 HTTP/1.1"),
        (1, b"GET /v1/things?n=2 HTTP/1.1"),
    ]
    assert server.seen[1].header(b"user-agent") == b"uitkijk-gateway"

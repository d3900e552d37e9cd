"""The HTTP server protocol every service runs under (``uitkijk serve``): uvicorn's httptools
protocol, with a response's head and its first body part leaving in one write.

uvicorn writes the status line and headers to the socket as soon as the application sends
``http.response.start``, and the body when it sends ``http.response.body``: two writes, two
segments, and on loopback or a busy node two wake-ups of the reader, which is woken by the head
alone and then waits for the body. Every JSON answer of these services is one head and one body,
so holding the head until the body arrives halves the writes without delaying a byte: the head
is useless to the reader without the body, and a streamed response still gets its head out with
its first chunk. Everything else (flow control, keep-alive, pipelining, ``100 Continue``, HEAD,
errors) is uvicorn's own code; this only changes what the cycle's transport does with the head.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

Send = Callable[[Any], Awaitable[None]]


class _HeldHead:
    """Stands in for a cycle's transport from ``http.response.start`` until the first body part:
    writes are held, then leave together in one write."""

    __slots__ = ("parts", "transport")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def release(self) -> Any:
        if self.parts:
            self.transport.write(b"".join(self.parts))
            self.parts = []
        return self.transport

    def close(self) -> None:  # a response cut short still sends what it had
        self.release().close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...
        return getattr(self.transport, name)


def _coalescing(cycle: RequestResponseCycle) -> Send:
    send: Send = cycle.send

    async def coalesced(message: Any) -> None:
        if message["type"] == "http.response.start" and not cycle.response_started:
            transport = cycle.transport
            cycle.transport = _HeldHead(transport)  # type: ignore[assignment]
            try:
                await send(message)
            except BaseException:
                cycle.transport = transport
                raise
            return
        try:
            await send(message)
        finally:
            held: Any = cycle.transport
            if type(held) is _HeldHead:
                cycle.transport = held.release()

    return coalesced


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose request cycles write a response's head with its body."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before:  # an upgrade keeps the previous cycle
            cycle.send = _coalescing(cycle)  # type: ignore[method-assign, assignment]

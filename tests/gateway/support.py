"""Helpers for gateway tests: counting transports, GraphQL calls, burst workers, a uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import socket
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common.serving import CoalescingHttpToolsProtocol


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and records every request the gateway sends through it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    def paths(self) -> Counter[str]:
        return Counter(f"{method} {path}" for method, path in self.calls)

    def reset(self) -> None:
        self.calls.clear()


@dataclass
class GraphQL:
    """Posts operations to the gateway's ``/graphql`` as one caller."""

    client: httpx.AsyncClient
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = dict(self.headers)
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.client.post("/graphql", json=body, headers=headers)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The ``data`` of a successful operation; fails the test on any error."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[Any]:
        response = await self.post(query, variables)
        body = response.json()
        errors: list[Any] = body.get("errors") or []
        assert errors, body
        return errors


async def run_worker_burst(module: str, settings: Any, max_jobs: int | None = None) -> None:
    """Drains a service's queue with its burst worker (``create_worker(settings, burst=True)``).

    ``max_jobs`` stops it after that many jobs: deferred jobs (deadlines) keep a burst worker
    waiting otherwise.
    """
    create_worker = importlib.import_module(module).create_worker
    worker = create_worker(settings, burst=True)
    if max_jobs is not None:
        worker.max_burst_jobs = max_jobs
    try:
        await worker.async_run()
    finally:
        # arq 0.28 closes its pool with redis' deprecated ``close()``: arq's warning, not ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()


class BrokenTransport(httpx.AsyncBaseTransport):
    """A service that fails with its internals in the answer (which must never reach a client)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="Traceback: secret internals")


@contextlib.asynccontextmanager
async def gateway_client(
    settings: GatewaySettings, transports: Mapping[str, httpx.AsyncBaseTransport]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A gateway of its own (other settings or services than the stack's), started, and a client."""
    app = create_app(settings, transports=transports)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield app, client


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Runs ``app`` with uvicorn on a free localhost port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        ws="websockets-sansio",
        lifespan="on",
        http=CoalescingHttpToolsProtocol,  # as `uitkijk serve` runs the services
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()

"""The per-request context: who calls, the service clients, and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from fastapi import Request
from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext

from gateway.clients import Services
from gateway.errors import NotAllowedError, Unauthenticated
from gateway.events import EventHub
from gateway.loaders import Loaders
from gateway.settings import GatewaySettings
from services.common.auth import Caller, TokenVerifier
from services.common.problems import Unauthorized


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the lifespan opens once, shared by every request."""

    settings: GatewaySettings
    services: Services
    verifier: TokenVerifier
    hub: EventHub


class Context(BaseContext):
    def __init__(self, runtime: Runtime, caller: Caller | None) -> None:
        super().__init__()
        self.runtime = runtime
        self.settings = runtime.settings
        self.services = runtime.services
        self._caller = caller
        self._loaders: Loaders | None = None
        #: When the token of a subscription's socket expires (Unix seconds); its streams end then.
        self.expires_at: float | None = None

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise Unauthenticated("Send `Authorization: Bearer <token>`.")
        return self._caller

    def set_caller(self, caller: Caller) -> None:
        self._caller = caller
        self._loaders = None

    def require(self, scope: str) -> Caller:
        caller = self.caller
        if not caller.has(scope):
            raise NotAllowedError(f"This needs the `{scope}` scope.", scope=scope)
        return caller

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.services, self.caller)
        return self._loaders

    def fresh_loaders(self) -> None:
        """A subscription's context lives as long as its socket: each event starts uncached."""
        self._loaders = None


def bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def context_getter(connection: HTTPConnection) -> Context:
    """HTTP: the caller comes from the Authorization header (an invalid one is a 401).

    WebSocket: from ``connection_init``'s payload, in :meth:`GatewayRouter.on_ws_connect`.
    """
    runtime: Runtime = connection.app.state.runtime
    caller = None
    if isinstance(connection, Request):
        header = connection.headers.get("authorization")
        if header:
            token = bearer(header)
            if token is None:
                raise Unauthorized("Send `Authorization: Bearer <token>`.")
            caller = await runtime.verifier.verify(token)
    return Context(runtime, caller)


Info = strawberry.Info[Context, None]

"""The per-request context: who calls, the service clients, and fresh DataLoaders."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

import jwt
import strawberry
from fastapi import Request
from graphql import DocumentNode
from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext

from gateway.clients import Services
from gateway.errors import NotAllowedError, Unauthenticated
from gateway.events import EventHub
from gateway.loaders import Loaders
from gateway.settings import GatewaySettings
from services.common.auth import Caller, TokenVerifier
from services.common.problems import Unauthorized


class TokenCache:
    """The callers of recently verified tokens: a signature check costs about 0.1 ms a request.

    Bounded (least recently used out); an entry lives until its token's ``exp`` (without the
    leeway verification allows) and at most ``ttl`` seconds, so a rotated key is noticed soon.
    Only successes are kept: a token that fails is verified (and refused) again every time.
    """

    def __init__(self, maxsize: int = 1024, ttl: float = 60.0) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[Caller, float]] = OrderedDict()

    async def verify(self, verifier: TokenVerifier, token: str) -> Caller:
        now = time.time()
        entry = self._entries.get(token)
        if entry is not None:
            caller, until = entry
            if now < until:
                self._entries.move_to_end(token)
                return caller
            del self._entries[token]
        caller = await verifier.verify(token)
        # Verified just above: read its expiry without checking the signature again.
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            self._entries[token] = (caller, min(float(exp), now + self.ttl))
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return caller


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the lifespan opens once, shared by every request."""

    settings: GatewaySettings
    services: Services
    verifier: TokenVerifier
    hub: EventHub
    tokens: TokenCache = field(default_factory=TokenCache)


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
        #: Set by :class:`gateway.protection.NoteValidQuery` when strawberry is about to execute a
        #: query that parsed, validated and passed the cost check: the fast path reuses it.
        self.valid_query: DocumentNode | None = None

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
            caller = await runtime.tokens.verify(runtime.verifier, token)
    return Context(runtime, caller)


Info = strawberry.Info[Context, None]

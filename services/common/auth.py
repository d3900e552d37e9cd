"""Bearer tokens: JWTs with ``tenant`` and ``scopes`` claims, verified inside every service.

HS256 with a shared secret for development and integration tokens; RS256/ES256 with keys from a
JWKS URL (the company's OIDC provider) in production.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, NewType

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.problems import Forbidden, Unauthorized
from services.common.settings import TokenSettings

TenantId = NewType("TenantId", str)

#: Every scope a token may carry; ``admin`` implies all of them.
SCOPES: dict[str, str] = {
    "mentions:read": "Read mentions and their enrichment",
    "mentions:write": "Push mentions, imports and replays",
    "analytics:read": "Trends, share of voice, emerging topics, on-demand scoring",
    "topics:write": "Manage tracked topics and known accounts",
    "incidents:read": "Read signals, incidents, steps, statements and drills",
    "incidents:write": "Act on incidents: acknowledge, assign, complete steps, draft statements",
    "statements:approve": "Approve or reject outgoing statements",
    "playbooks:read": "Read playbooks",
    "playbooks:write": "Create and import playbooks",
    "drills:write": "Start and stop drills",
    "webhooks:write": "Manage webhook subscriptions and the social freeze",
    "admin": "Everything above",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: their tenant, scopes, and the raw token to relay to other services."""

    tenant: TenantId
    subject: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    token: str = ""
    department: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


class TokenVerifier:
    """Verifies bearer tokens against the configured secret or JWKS."""

    def __init__(self, settings: TokenSettings) -> None:
        self._settings = settings
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        )

    async def verify(self, token: str) -> Caller:
        try:
            if self._jwks is not None:
                jwks = self._jwks
                signing_key = await asyncio.to_thread(jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
            else:
                key = self._settings.secret.get_secret_value()
            claims = jwt.decode(
                token,
                key,
                algorithms=self._settings.algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={
                    "require": ["exp", "tenant"],
                    "verify_aud": self._settings.audience is not None,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        tenant = claims.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise Unauthorized("The token carries no tenant.")
        scopes = claims.get("scopes", claims.get("scope", []))
        if isinstance(scopes, str):
            scopes = scopes.split()
        if not isinstance(scopes, list):
            raise Unauthorized("The token's scopes are not a list.")
        department = claims.get("department")
        return Caller(
            tenant=TenantId(tenant),
            subject=str(claims.get("sub", "")),
            scopes=frozenset(str(s) for s in scopes),
            token=token,
            department=str(department) if department else None,
        )


def mint_token(
    settings: TokenSettings,
    *,
    tenant: str,
    scopes: list[str],
    subject: str | None = None,
    ttl_seconds: int = 365 * 24 * 3600,
    department: str | None = None,
) -> str:
    """A signed HS256 token: for integrations (``uitkijk token create``), development and tests."""
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or f"integration:{tenant}",
        "tenant": tenant,
        "scopes": scopes,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if department:
        claims["department"] = department
    if settings.issuer:
        claims["iss"] = settings.issuer
    if settings.audience:
        claims["aud"] = settings.audience
    return jwt.encode(claims, settings.secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A JWT with `tenant` and `scopes` claims.")


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Send `Authorization: Bearer <token>`.")
    verifier: TokenVerifier = request.app.state.token_verifier
    caller = await verifier.verify(credentials.credentials)
    request.state.tenant = caller.tenant
    limiter = getattr(request.app.state, "rate_limiter", None)
    if limiter is not None:
        limiter.check(caller.tenant)
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require(scope: str) -> Any:
    """A dependency that yields the caller when the token carries ``scope`` (or ``admin``)."""

    async def dependency(caller: CurrentCaller) -> Caller:
        if not caller.has(scope):
            raise Forbidden(f"This call needs the `{scope}` scope.", required_scope=scope)
        return caller

    return Depends(dependency)

"""The per-token cache of verified callers: hits until expiry, bounded, never keeps failures."""

from __future__ import annotations

import pytest

from gateway.context import TokenCache
from services.common.auth import Caller, TokenVerifier, mint_token
from services.common.problems import Unauthorized
from services.common.settings import TokenSettings

SETTINGS = TokenSettings(secret="token-cache-secret-0123456789abcdef0123456789")  # type: ignore[arg-type]


class Counting(TokenVerifier):
    def __init__(self) -> None:
        super().__init__(SETTINGS)
        self.calls = 0

    async def verify(self, token: str) -> Caller:
        self.calls += 1
        return await super().verify(token)


def token(tenant: str = "t", ttl: int = 3600) -> str:
    return mint_token(SETTINGS, tenant=tenant, scopes=["mentions:read"], ttl_seconds=ttl)


async def test_a_verified_token_is_verified_once() -> None:
    verifier, cache = Counting(), TokenCache()
    value = token()
    first = await cache.verify(verifier, value)
    second = await cache.verify(verifier, value)
    assert first == second and first.tenant == "t"
    assert verifier.calls == 1


async def test_entries_end_with_the_ttl_and_the_size_bound() -> None:
    verifier, cache = Counting(), TokenCache(maxsize=2, ttl=0.0)
    value = token()
    await cache.verify(verifier, value)
    await cache.verify(verifier, value)
    assert verifier.calls == 2  # ttl 0: every call verifies again
    cache = TokenCache(maxsize=2)
    tokens = [token(f"t{i}") for i in range(3)]
    for value in tokens:
        await cache.verify(verifier, value)
    calls = verifier.calls
    await cache.verify(verifier, tokens[0])  # the oldest was dropped
    assert verifier.calls == calls + 1


async def test_failures_are_not_kept() -> None:
    verifier, cache = Counting(), TokenCache()
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await cache.verify(verifier, "not-a-token")
    assert verifier.calls == 2

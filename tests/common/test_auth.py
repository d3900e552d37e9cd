"""Tokens: HS256 for integrations and development, RS256 from a JWKS URL for company SSO."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from services.common.auth import TokenVerifier, mint_token
from services.common.problems import Unauthorized
from services.common.settings import TokenSettings


async def test_minted_token_round_trips() -> None:
    settings = TokenSettings(secret="s3cret-s3cret-s3cret-s3cret-s3cret")  # type: ignore[arg-type]
    token = mint_token(settings, tenant="acme", scopes=["mentions:write"], department="legal")
    caller = await TokenVerifier(settings).verify(token)
    assert caller.tenant == "acme"
    assert caller.scopes == frozenset({"mentions:write"})
    assert caller.department == "legal"
    assert caller.has("mentions:write") and not caller.has("mentions:read")


def test_unknown_scopes_are_refused_when_minting() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        mint_token(TokenSettings(), tenant="acme", scopes=["mentions:wrte"])


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"tenant": "acme", "scopes": []}, "exp"),
        ({"scopes": [], "exp": 4_000_000_000}, "tenant"),
        ({"tenant": "acme", "scopes": [], "exp": 1_000}, "expired"),
        ({"tenant": "acme", "scopes": "mentions:read", "exp": 4_000_000_000, "x": 1}, None),
    ],
)
async def test_tokens_without_expiry_or_tenant_are_refused(
    claims: dict[str, object], reason: str | None
) -> None:
    settings = TokenSettings()
    token = jwt.encode(claims, settings.secret.get_secret_value(), algorithm="HS256")
    verifier = TokenVerifier(settings)
    if reason is None:
        caller = await verifier.verify(token)
        assert caller.scopes == frozenset({"mentions:read"})
        return
    with pytest.raises(Unauthorized, match=reason):
        await verifier.verify(token)


async def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = jwt.encode(
        {"tenant": "acme", "scopes": ["admin"], "exp": time.time() + 60},
        "another-secret-another-secret-another",
    )
    with pytest.raises(Unauthorized):
        await TokenVerifier(TokenSettings()).verify(token)


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    body = json.dumps({"keys": [public]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", key
    server.shutdown()
    server.server_close()


async def test_rs256_tokens_are_verified_against_the_jwks(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, key = jwks_server
    settings = TokenSettings(
        jwks_url=url, algorithms=["RS256"], issuer="https://sso.acme.example", audience="uitkijk"
    )
    claims = {
        "tenant": "acme",
        "scopes": ["incidents:read"],
        "exp": int(time.time()) + 300,
        "iss": "https://sso.acme.example",
        "aud": "uitkijk",
        "sub": "alice",
    }
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    caller = await TokenVerifier(settings).verify(good)
    assert (caller.tenant, caller.subject) == ("acme", "alice")

    wrong_audience = jwt.encode(
        {**claims, "aud": "other"}, key, algorithm="RS256", headers={"kid": "k1"}
    )
    with pytest.raises(Unauthorized):
        await TokenVerifier(settings).verify(wrong_audience)
    # An HS256 token is refused when only RS256 is configured (no algorithm confusion).
    hs = jwt.encode(
        claims, "whatever-secret-whatever-secret-whatever", algorithm="HS256", headers={"kid": "k1"}
    )
    with pytest.raises(Unauthorized):
        await TokenVerifier(settings).verify(hs)

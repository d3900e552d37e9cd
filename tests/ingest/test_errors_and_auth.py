"""Problem details for every failure, token scopes, size and rate limits."""

from __future__ import annotations

from tests.conftest import TokenFactory
from tests.ingest.conftest import Ingest, IngestFactory
from tests.ingest.factories import auth, mention

PROBLEM = "application/problem+json"


async def test_missing_and_invalid_tokens_are_401(ingest: Ingest, tenant: str) -> None:
    none = await ingest.client.post("/v1/mentions", json={"mentions": []})
    assert none.status_code == 401 and none.headers["content-type"] == PROBLEM
    assert none.headers["www-authenticate"] == "Bearer"
    forged = await ingest.client.get("/v1/mentions", headers=auth("eyJhbGciOiJIUzI1NiJ9.e30.bad"))
    assert forged.status_code == 401
    body = forged.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == 401


async def test_scopes_are_enforced(ingest: Ingest, tenant: str, make_token: TokenFactory) -> None:
    reader = auth(make_token(tenant, "mentions:read"))
    refused = await ingest.client.post(
        "/v1/mentions", json={"mentions": [mention()]}, headers=reader
    )
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "mentions:write"
    writer = auth(make_token(tenant, "mentions:write"))
    assert (await ingest.client.get("/v1/mentions", headers=writer)).status_code == 403
    admin = auth(make_token(tenant, "admin"))
    assert (await ingest.client.get("/v1/mentions", headers=admin)).status_code == 200


async def test_malformed_bodies_are_problems(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    headers = {**auth(make_token(tenant, "mentions:write")), "content-type": "application/json"}
    not_json = await ingest.client.post("/v1/mentions", content=b"{nope", headers=headers)
    assert not_json.status_code == 400 and not_json.headers["content-type"] == PROBLEM
    assert not_json.json()["type"].endswith("/malformed-batch")
    no_list = await ingest.client.post("/v1/mentions", json={"items": []}, headers=headers)
    assert no_list.status_code == 400
    too_many = await ingest.client.post(
        "/v1/mentions", json={"mentions": [mention() for _ in range(1001)]}, headers=headers
    )
    assert too_many.status_code == 413
    assert too_many.json()["limit"] == 1000 and too_many.json()["got"] == 1001


async def test_validation_errors_list_locations(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "mentions:read"))
    response = await ingest.client.get("/v1/mentions", params={"limit": 9999}, headers=headers)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["loc"] == "query.limit"
    unknown = await ingest.client.get("/v1/nothing-here", headers=headers)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM


async def test_oversized_body_is_413(
    ingest_factory: IngestFactory, tenant: str, make_token: TokenFactory
) -> None:
    small = await ingest_factory(max_body_bytes=2000)
    headers = auth(make_token(tenant, "mentions:write"))
    response = await small.client.post(
        "/v1/mentions", json={"mentions": [mention(text="x" * 5000)]}, headers=headers
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["limit"] == 2000


async def test_rate_limit_answers_429_with_retry_after(
    ingest_factory: IngestFactory, tenant: str, make_token: TokenFactory
) -> None:
    limited = await ingest_factory(rate_limit_per_second=0.5, rate_limit_burst=2)
    headers = auth(make_token(tenant, "mentions:read"))
    statuses = [(await limited.client.get("/v1/mentions", headers=headers)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["retry-after"]) >= 1
    assert statuses[2].json()["type"].endswith("/rate-limited")
    other = auth(make_token(tenant + "-b", "mentions:read"))
    assert (await limited.client.get("/v1/mentions", headers=other)).status_code == 200


async def test_health_readiness_and_metrics(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    assert (await ingest.client.get("/healthz")).json() == {"status": "ok"}
    ready = await ingest.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    await ingest.client.post(
        "/v1/mentions",
        json={"mentions": [mention()]},
        headers=auth(make_token(tenant, "mentions:write")),
    )
    metrics = (await ingest.client.get("/metrics")).text
    assert 'uitkijk_ingest_mentions_total{outcome="accepted"}' in metrics
    assert "uitkijk_http_requests_total" in metrics
    openapi = (await ingest.client.get("/openapi.json")).json()
    assert openapi["openapi"].startswith("3.1")
    assert "MentionBatchIn" in openapi["components"]["schemas"]


async def test_readyz_reports_a_dead_redis(
    ingest_factory: IngestFactory,
) -> None:
    from services.common.embedded_redis import free_port

    broken = await ingest_factory(
        redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout_seconds=0.3
    )
    ready = await broken.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == PROBLEM
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["redis"].startswith("failed")

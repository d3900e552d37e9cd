"""The service's wiring: health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from tests.sentiment.conftest import Sentiment, SentimentFactory


async def test_health_readiness_metrics_and_openapi(sentiment: Sentiment) -> None:
    assert (await sentiment.client.get("/healthz")).json() == {"status": "ok"}
    ready = await sentiment.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert "uitkijk_http_requests_total" in (await sentiment.client.get("/metrics")).text
    schema = (await sentiment.client.get("/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    assert {
        "/v1/score", "/v1/mentions", "/v1/mentions/{mention_id}", "/v1/trends",
        "/v1/share-of-voice", "/v1/topics", "/v1/topics/{topic_id}", "/v1/topics/emerging",
        "/v1/known-accounts",
    } <= set(schema["paths"])  # fmt: skip
    body = schema["paths"]["/v1/score"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/ScoreIn")
    assert "texts" in schema["components"]["schemas"]["ScoreIn"]["properties"]


async def test_readiness_reports_a_database_that_does_not_answer(
    sentiment_factory: SentimentFactory,
) -> None:
    broken = await sentiment_factory(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", database_schema=None
    )
    ready = await broken.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("failed")
    assert ready.json()["checks"]["redis"] == "ok"

"""POST /v1/score: the API.md shape, in order; its limits and their problem types."""

from __future__ import annotations

from services.sentiment.nlp import load_enricher
from tests.conftest import TokenFactory
from tests.sentiment.conftest import Sentiment
from tests.sentiment.factories import auth


async def test_results_come_in_input_order_with_the_documented_shape(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    texts = [
        "Alweer storing bij de app, niemand die reageert #storing",
        "Thank you so much, the support team was fantastic!",
        "Is the shop open tomorrow?",
    ]
    response = await sentiment.client.post(
        "/v1/score", json={"texts": texts}, headers=auth(make_token(tenant, "analytics:read"))
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 3
    for result in results:
        assert set(result) == {"language", "sentiment", "intents", "risk"}
        assert set(result["sentiment"]) == {"label", "score", "confidence"}
        assert -1 <= result["sentiment"]["score"] <= 1 and 0 <= result["risk"] <= 1
    assert [r["language"] for r in results] == ["nl", "en", "en"]
    assert [r["sentiment"]["label"] for r in results][:2] == ["negative", "positive"]
    assert "crisis_signal" in results[0]["intents"] and "question" in results[2]["intents"]
    direct = load_enricher().score_texts(texts)
    assert [r["sentiment"]["label"] for r in results] == [d.sentiment.label for d in direct]


async def test_limits_and_malformed_bodies_are_problems(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "analytics:read"))
    empty = await sentiment.client.post("/v1/score", json={"texts": []}, headers=headers)
    assert empty.status_code == 422
    assert empty.headers["content-type"] == "application/problem+json"
    assert empty.json()["errors"] == [{"loc": "body.texts", "msg": "at least one text is needed"}]

    many = await sentiment.client.post("/v1/score", json={"texts": ["x"] * 10_000}, headers=headers)
    assert many.status_code == 413
    assert many.json()["type"].endswith("/batch-too-large")
    assert (many.json()["limit"], many.json()["got"]) == (1000, 10_000)
    assert (
        await sentiment.client.post("/v1/score", json={"texts": ["x"] * 1000}, headers=headers)
    ).status_code == 200

    mixed = await sentiment.client.post(
        "/v1/score", json={"texts": ["fine", 42, None, {"text": "x"}]}, headers=headers
    )
    assert mixed.status_code == 422
    assert [e["loc"] for e in mixed.json()["errors"]] == [
        "body.texts[1]",
        "body.texts[2]",
        "body.texts[3]",
    ]
    not_json = await sentiment.client.post("/v1/score", content=b"{nope", headers=headers)
    assert not_json.status_code == 422
    no_list = await sentiment.client.post("/v1/score", json={"text": "x"}, headers=headers)
    assert no_list.json()["errors"][0]["loc"] == "body.texts"


async def test_a_huge_text_is_scored_on_its_first_10000_characters(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "analytics:read"))
    head = "Wat een slechte service, ik ben er klaar mee. " * 220  # about 10,000 characters
    huge = head[:10_000] + "Fantastisch, geweldig, top! " * 40_000  # about 1.1 MB
    both = await sentiment.client.post(
        "/v1/score", json={"texts": [huge, head[:10_000]]}, headers=headers
    )
    assert both.status_code == 200, both.text
    first, second = both.json()["results"]
    assert first == second


async def test_scoring_needs_the_analytics_scope(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    body = {"texts": ["hallo"]}
    assert (await sentiment.client.post("/v1/score", json=body)).status_code == 401
    wrong = await sentiment.client.post(
        "/v1/score", json=body, headers=auth(make_token(tenant, "mentions:read"))
    )
    assert wrong.status_code == 403

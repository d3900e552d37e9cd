"""Topics and known accounts over REST: parse errors with positions, names, scopes, isolation."""

from __future__ import annotations

from tests.conftest import TokenFactory
from tests.sentiment.conftest import Sentiment
from tests.sentiment.factories import auth


async def test_topic_lifecycle(sentiment: Sentiment, tenant: str, make_token: TokenFactory) -> None:
    headers = auth(make_token(tenant, "topics:write", "mentions:read"))
    created = await sentiment.client.post(
        "/v1/topics",
        json={"kind": "brand", "name": "KLM", "query": "klm OR @klm", "languages": ["NL", "en"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    topic = created.json()
    assert (topic["kind"], topic["languages"]) == ("brand", ["en", "nl"])
    taken = await sentiment.client.post(
        "/v1/topics", json={"name": "KLM", "query": "x"}, headers=headers
    )
    assert taken.status_code == 409 and taken.json()["type"].endswith("/topic-name-taken")
    for i in range(3):
        await sentiment.client.post(
            "/v1/topics", json={"name": f"group {i}", "query": f"woord{i}"}, headers=headers
        )
    first = await sentiment.client.get("/v1/topics", params={"limit": 2}, headers=headers)
    second = await sentiment.client.get(
        "/v1/topics", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    names = [t["name"] for t in first.json()["items"] + second.json()["items"]]
    assert names == ["KLM", "group 0", "group 1", "group 2"]
    assert second.json()["next_cursor"] is None
    by_ids = await sentiment.client.get(
        "/v1/topics",
        params={"ids": ",".join(t["id"] for t in first.json()["items"]), "limit": 1},
        headers=headers,
    )
    assert [t["name"] for t in by_ids.json()["items"]] == ["KLM", "group 0"]
    brands = await sentiment.client.get("/v1/topics", params={"kind": "brand"}, headers=headers)
    assert [t["name"] for t in brands.json()["items"]] == ["KLM"]

    patched = await sentiment.client.patch(
        f"/v1/topics/{topic['id']}", json={"query": '"royal dutch" OR klm'}, headers=headers
    )
    assert patched.status_code == 200 and patched.json()["query"] == '"royal dutch" OR klm'
    assert patched.json()["name"] == "KLM"
    got = await sentiment.client.get(f"/v1/topics/{topic['id']}", headers=headers)
    assert got.json()["query"] == '"royal dutch" OR klm'
    deleted = await sentiment.client.delete(f"/v1/topics/{topic['id']}", headers=headers)
    assert deleted.status_code == 204
    gone = await sentiment.client.get(f"/v1/topics/{topic['id']}", headers=headers)
    assert gone.status_code == 404 and gone.json()["type"].endswith("/topic-not-found")


async def test_a_query_that_does_not_parse_says_where(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "topics:write"))
    for query, position in [("(klm OR transavia", 0), ("klm AND", 7), ('klm "late', 4)]:
        response = await sentiment.client.post(
            "/v1/topics", json={"name": "bad", "query": query}, headers=headers
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert body["type"].endswith("/invalid-topic-query")
        assert (body["position"], body["query"]) == (position, query)
        assert body["errors"][0]["loc"] == "body.query"
    ok = await sentiment.client.post(
        "/v1/topics", json={"name": "ok", "query": "klm"}, headers=headers
    )
    bad_patch = await sentiment.client.patch(
        f"/v1/topics/{ok.json()['id']}", json={"query": "OR"}, headers=headers
    )
    assert bad_patch.status_code == 422 and bad_patch.json()["position"] == 0


async def test_topics_belong_to_their_tenant_and_need_scopes(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    mine = auth(make_token(tenant, "topics:write"))
    theirs = auth(make_token(tenant + "-other", "topics:write", "mentions:read"))
    created = await sentiment.client.post(
        "/v1/topics", json={"name": "mine", "query": "klm"}, headers=mine
    )
    topic_id = created.json()["id"]
    assert (await sentiment.client.get(f"/v1/topics/{topic_id}", headers=theirs)).status_code == 404
    assert (
        await sentiment.client.patch(f"/v1/topics/{topic_id}", json={"name": "x"}, headers=theirs)
    ).status_code == 404
    assert (
        await sentiment.client.delete(f"/v1/topics/{topic_id}", headers=theirs)
    ).status_code == 404
    assert (await sentiment.client.get("/v1/topics", headers=theirs)).json()["items"] == []
    reader = auth(make_token(tenant, "analytics:read"))
    assert (await sentiment.client.get("/v1/topics", headers=reader)).status_code == 200
    refused = await sentiment.client.post(
        "/v1/topics", json={"name": "x", "query": "x"}, headers=reader
    )
    assert refused.status_code == 403


async def test_known_accounts_bulk_upsert(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "topics:write"))
    first = await sentiment.client.put(
        "/v1/known-accounts",
        json={
            "accounts": [
                {"handle": "@NOS", "stakeholder": "media"},
                {"handle": "analist", "platform": "linkedin", "stakeholder": "analyst"},
            ]
        },
        headers=headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["upserted"] == 2
    again = await sentiment.client.put(
        "/v1/known-accounts",
        json={"accounts": [{"handle": "nos", "stakeholder": "politician", "note": "oops"}]},
        headers=headers,
    )
    assert again.json()["items"][0]["stakeholder"] == "politician"
    listed = (await sentiment.client.get("/v1/known-accounts", headers=headers)).json()["items"]
    assert [(a["handle"], a["platform"], a["stakeholder"]) for a in listed] == [
        ("analist", "linkedin", "analyst"),
        ("nos", None, "politician"),
    ]
    invalid = await sentiment.client.put(
        "/v1/known-accounts",
        json={"accounts": [{"handle": "x", "stakeholder": "alien"}]},
        headers=headers,
    )
    assert invalid.status_code == 422
    other = auth(make_token(tenant + "-other", "topics:write"))
    assert (
        await sentiment.client.delete(f"/v1/known-accounts/{listed[0]['id']}", headers=other)
    ).status_code == 404
    assert (
        await sentiment.client.delete(f"/v1/known-accounts/{listed[0]['id']}", headers=headers)
    ).status_code == 204

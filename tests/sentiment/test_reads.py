"""GET /v1/mentions (filters, pages, batch reads), trends, share of voice and emerging terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.pagination import encode_cursor
from tests.conftest import TokenFactory
from tests.sentiment.conftest import Sentiment
from tests.sentiment.factories import auth, mention, score

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _ids(s: Sentiment, headers: dict[str, str], **params: Any) -> list[str]:
    response = await s.client.get("/v1/mentions", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


async def test_every_enrichment_field_filters(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "topics:write", "mentions:read"))
    await sentiment.client.post(
        "/v1/topics", json={"name": "bank", "query": "bank* OR #bank"}, headers=headers
    )
    await sentiment.client.put(
        "/v1/known-accounts",
        json={"accounts": [{"handle": "redactie", "stakeholder": "media"}]},
        headers=headers,
    )
    items = [
        mention("Datalek bij de bank, mijn gegevens liggen op straat!", created_at=T0,
                author={"handle": "redactie", "followers": 90_000}),
        mention("Great service from the bank today, thank you!", created_at=T0 + timedelta(minutes=1),
                platform="reddit"),
        mention("Hoe laat gaat de winkel open?", created_at=T0 + timedelta(minutes=2)),
        mention("Alweer storing, de app doet het niet", created_at=T0 + timedelta(minutes=3),
                author={"handle": "Piet"}),
    ]  # fmt: skip
    await score(sentiment.settings, tenant, items)
    leak, praise, question, outage = (m["id"] for m in items)

    assert await _ids(sentiment, headers) == [outage, question, praise, leak]  # newest first
    assert set(await _ids(sentiment, headers, sentiment="positive")) == {praise}
    assert set(await _ids(sentiment, headers, language="en")) == {praise}
    assert set(await _ids(sentiment, headers, intent="question")) == {question}
    assert set(await _ids(sentiment, headers, intent=["praise", "question"])) == {praise, question}
    assert set(await _ids(sentiment, headers, stakeholder="media")) == {leak}
    assert set(await _ids(sentiment, headers, crisis_category="data_leak")) == {leak}
    assert set(await _ids(sentiment, headers, crisis_category="outage,recall")) == {outage}
    assert set(await _ids(sentiment, headers, topic="bank")) == {leak, praise}
    assert set(await _ids(sentiment, headers, platform="reddit")) == {praise}
    assert set(await _ids(sentiment, headers, author="@piet")) == {outage}
    assert set(await _ids(sentiment, headers, q="WINKEL")) == {question}
    assert set(await _ids(sentiment, headers, min_risk=0.5)) == {leak}
    window = {
        "since": (T0 + timedelta(minutes=1)).isoformat(),
        "until": (T0 + timedelta(minutes=3)).isoformat(),
    }
    assert await _ids(sentiment, headers, **window) == [question, praise]
    assert set(await _ids(sentiment, headers, topic="bank", sentiment="positive")) == {praise}

    page1 = await sentiment.client.get("/v1/mentions", params={"limit": 3}, headers=headers)
    cursor = page1.json()["next_cursor"]
    page2 = await sentiment.client.get(
        "/v1/mentions", params={"limit": 3, "cursor": cursor}, headers=headers
    )
    assert [m["id"] for m in page1.json()["items"] + page2.json()["items"]] == [
        outage, question, praise, leak,
    ]  # fmt: skip
    assert page2.json()["next_cursor"] is None
    bad_cursor = await sentiment.client.get("/v1/mentions", params={"cursor": "x"}, headers=headers)
    assert bad_cursor.status_code == 400
    forged = encode_cursor("not a time", "id")
    forged_page = await sentiment.client.get(
        "/v1/mentions", params={"cursor": forged}, headers=headers
    )
    assert forged_page.status_code == 400
    assert forged_page.json()["type"].endswith("/invalid-cursor")


async def test_batch_read_by_id_and_tenant_isolation(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "mentions:read"))
    items = [mention(f"bericht {i}", created_at=T0 + timedelta(seconds=i)) for i in range(60)]
    await score(sentiment.settings, tenant, items)
    ids = [m["id"] for m in items]
    # More ids than the default page size: one page, every id (comma-separated and repeated).
    response = await sentiment.client.get(
        "/v1/mentions",
        params=[("ids", ",".join(ids[:40])), *[("ids", i) for i in ids[40:]]],
        headers=headers,
    )
    assert sorted(m["id"] for m in response.json()["items"]) == sorted(ids)
    assert response.json()["next_cursor"] is None
    too_many = await sentiment.client.get(
        "/v1/mentions", params={"ids": ",".join(str(i) for i in range(501))}, headers=headers
    )
    assert too_many.status_code == 422 and too_many.json()["type"].endswith("/too-many-ids")
    one = await sentiment.client.get(f"/v1/mentions/{ids[0]}", headers=headers)
    assert one.status_code == 200 and one.json()["text"] == "bericht 0"

    theirs = auth(make_token(tenant + "-other", "mentions:read", "analytics:read"))
    assert (await sentiment.client.get(f"/v1/mentions/{ids[0]}", headers=theirs)).status_code == 404
    assert await _ids(sentiment, theirs, ids=",".join(ids[:5])) == []
    trends = await sentiment.client.get(
        "/v1/trends",
        params={"since": T0.isoformat(), "until": (T0 + timedelta(hours=1)).isoformat()},
        headers=theirs,
    )
    assert trends.json()["buckets"][0]["total"] == 0
    no_scope = auth(make_token(tenant, "analytics:read"))
    assert (await sentiment.client.get("/v1/mentions", headers=no_scope)).status_code == 403


async def test_trends_and_share_of_voice(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "topics:write", "analytics:read"))
    for name, query in [("acme", "acme"), ("globex", "globex")]:
        await sentiment.client.post(
            "/v1/topics", json={"kind": "brand", "name": name, "query": query}, headers=headers
        )
    await sentiment.client.post(
        "/v1/topics", json={"name": "prijs", "query": "duur OR prijs"}, headers=headers
    )
    items = [
        *[mention("Acme is fantastisch, top service!", created_at=T0 + timedelta(minutes=i)) for i in range(3)],
        mention("Acme is traag en duur, slechte service", created_at=T0 + timedelta(minutes=5), platform="reddit"),
        mention("Globex had vandaag een storing", created_at=T0 + timedelta(hours=1, minutes=10)),
    ]  # fmt: skip
    await score(sentiment.settings, tenant, items)
    window = {"since": T0.isoformat(), "until": (T0 + timedelta(hours=2)).isoformat()}

    hourly = await sentiment.client.get(
        "/v1/trends", params={**window, "interval": "hour", "split": "platform"}, headers=headers
    )
    body = hourly.json()
    assert [(b["total"], b["counts"]) for b in body["buckets"]] == [
        (4, {"x": 3, "reddit": 1}),
        (1, {"x": 1}),
    ]
    assert body["keys"] == ["reddit", "x"]
    by_topic = await sentiment.client.get(
        "/v1/trends",
        params={**window, "interval": "minute", "split": "sentiment", "topic": "acme"},
        headers=headers,
    )
    minutes = by_topic.json()["buckets"]
    assert len(minutes) == 120 and sum(b["total"] for b in minutes) == 4
    assert minutes[5]["counts"] == {"negative": 1}
    topics = await sentiment.client.get(
        "/v1/trends", params={**window, "split": "topic"}, headers=headers
    )
    assert topics.json()["buckets"][0]["counts"] == {"acme": 4, "prijs": 1}
    too_long = await sentiment.client.get(
        "/v1/trends",
        params={
            "interval": "minute",
            "since": T0.isoformat(),
            "until": (T0 + timedelta(days=2)).isoformat(),
        },
        headers=headers,
    )
    assert too_long.status_code == 422 and too_long.json()["type"].endswith("/invalid-window")

    voice = await sentiment.client.get("/v1/share-of-voice", params=window, headers=headers)
    assert voice.status_code == 200, voice.text
    shares = {v["topic"]: v for v in voice.json()["items"]}
    assert set(shares) == {"acme", "globex"}  # brands only, not the keyword group
    assert (shares["acme"]["count"], shares["globex"]["count"]) == (4, 1)
    assert (shares["acme"]["share"], shares["globex"]["share"]) == (0.8, 0.2)
    assert shares["acme"]["sentiment"]["positive"] == 3
    assert shares["acme"]["sentiment"]["negative"] == 1
    assert voice.json()["total"] == 5
    named = await sentiment.client.get(
        "/v1/share-of-voice", params={**window, "topic": ["prijs", "acme"]}, headers=headers
    )
    assert [(v["topic"], v["share"]) for v in named.json()["items"]] == [
        ("acme", 0.8), ("prijs", 0.2),
    ]  # fmt: skip


async def test_emerging_terms_rise_against_the_baseline(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "analytics:read"))
    routine = ["Fijne dag bij de winkel", "Bestelling netjes ontvangen", "Vraagje over de levering"]
    baseline = [
        mention(routine[i % 3] + f" nummer {i}", created_at=T0 - timedelta(hours=5, minutes=i))
        for i in range(30)
    ]
    surge = [
        mention(f"Mijn pinpas geblokkeerd na de update, pinpas geblokkeerd! ({i})",
                created_at=T0 + timedelta(minutes=i))
        for i in range(8)
    ]  # fmt: skip
    noise = [mention(routine[i % 3], created_at=T0 + timedelta(minutes=20 + i)) for i in range(4)]
    await score(sentiment.settings, tenant, [*baseline, *surge, *noise])
    response = await sentiment.client.get(
        "/v1/topics/emerging",
        params={
            "since": T0.isoformat(),
            "until": (T0 + timedelta(hours=1)).isoformat(),
            "baseline_since": (T0 - timedelta(hours=6)).isoformat(),
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["mentions"], body["baseline_mentions"]) == (12, 30)
    terms = {t["term"]: t for t in body["terms"]}
    assert "pinpas geblokkeerd" in terms and "pinpas" in terms
    top = body["terms"][0]
    assert top["term"] in {"pinpas", "geblokkeerd", "pinpas geblokkeerd", "update"}
    assert terms["pinpas"]["count"] == 8 and terms["pinpas"]["baseline_count"] == 0
    assert len(terms["pinpas"]["examples"]) == 3
    assert {e["id"] for e in terms["pinpas"]["examples"]} <= {m["id"] for m in surge}
    assert "winkel" not in terms

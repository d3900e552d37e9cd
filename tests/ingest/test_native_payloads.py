"""POST /v1/mentions/{source}: each platform's native payload lands as normalized mentions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TokenFactory
from tests.ingest.conftest import Ingest
from tests.ingest.factories import auth

FIXTURES = Path(__file__).parent.parent / "ingest_adapters" / "fixtures"
CASES = [
    ("x", "x_search_recent.json", "x"),
    ("meta", "meta_page_feed.json", "facebook"),
    ("meta", "meta_instagram.json", "instagram"),
    ("youtube", "youtube_comment_threads.json", "youtube"),
    ("reddit", "reddit_search.json", "reddit"),
    ("mastodon", "mastodon_statuses.json", "mastodon"),
    ("bluesky", "bluesky_search_posts.json", "bluesky"),
]


@pytest.mark.parametrize(("source", "fixture", "platform"), CASES)
async def test_native_payload_is_stored_once_per_item(
    ingest: Ingest, tenant: str, make_token: TokenFactory, source: str, fixture: str, platform: str
) -> None:
    headers = auth(make_token(tenant, "mentions:write", "mentions:read"))
    payload = json.loads((FIXTURES / fixture).read_text())
    first = await ingest.client.post(f"/v1/mentions/{source}", json=payload, headers=headers)
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["accepted"] >= 1
    assert len(body["results"]) == body["accepted"] + body["duplicates"] + body["rejected"]
    for result in body["results"]:
        if result["status"] == "rejected":
            assert result["error"]
    stored = await ingest.client.get("/v1/mentions", params={"platform": platform}, headers=headers)
    assert len(stored.json()["items"]) == body["accepted"]
    again = (
        await ingest.client.post(f"/v1/mentions/{source}", json=payload, headers=headers)
    ).json()
    assert again["accepted"] == 0
    assert again["duplicates"] == body["accepted"] + body["duplicates"]


async def test_a_payload_of_the_wrong_shape_is_a_problem(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "mentions:write"))
    response = await ingest.client.post("/v1/mentions/reddit", json={"data": []}, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["source"] == "reddit"
    unknown = await ingest.client.post("/v1/mentions/myspace", json={}, headers=headers)
    assert unknown.status_code == 422

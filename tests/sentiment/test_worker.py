"""The worker path end to end: queue → enrich → read model + counters → playbook queue + events."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from services.common.contracts import (
    EVENT_ADAPTER,
    MentionScoredEventV1,
    ScoredBatchV1,
    events_channel,
)
from services.common.queue import PLAYBOOK_QUEUE, create_queue_pool
from services.sentiment import nlp
from services.sentiment.settings import SentimentSettings
from tests.conftest import TokenFactory
from tests.sentiment.conftest import Sentiment, SentimentFactory
from tests.sentiment.factories import auth, batch, enqueue, mention, run_worker

SINCE = "2026-11-28T09:00:00Z"
UNTIL = "2026-11-28T10:00:00Z"


async def _playbook_jobs(
    settings: SentimentSettings, tenant: str
) -> list[tuple[str, ScoredBatchV1]]:
    pool = await create_queue_pool(settings.redis_url, settings.queue_prefix, PLAYBOOK_QUEUE)
    try:
        jobs = await pool.queued_jobs()
    finally:
        await pool.aclose()
    out = []
    for job in jobs:
        assert job.function == "evaluate_batch"
        scored = ScoredBatchV1.model_validate(job.args[0])
        if scored.tenant == tenant:
            out.append((str(job.job_id), scored))
    return out


async def _counts(
    s: Sentiment, headers: dict[str, str], split: str, **params: Any
) -> dict[str, int]:
    response = await s.client.get(
        "/v1/trends",
        params={"interval": "hour", "split": split, "since": SINCE, "until": UNTIL, **params},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    (bucket,) = response.json()["buckets"]
    return {"total": bucket["total"], **bucket["counts"]}


async def test_batch_is_scored_stored_counted_and_sent_on(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    settings = sentiment.settings
    headers = auth(make_token(tenant, "topics:write", "mentions:read", "analytics:read"))
    topic = await sentiment.client.post(
        "/v1/topics",
        json={"kind": "brand", "name": "acme-app", "query": '(app OR "de website") -bedankt'},
        headers=headers,
    )
    assert topic.status_code == 201, topic.text
    accounts = await sentiment.client.put(
        "/v1/known-accounts",
        json={"accounts": [{"handle": "@PersKees", "stakeholder": "media", "note": "NRC"}]},
        headers=headers,
    )
    assert accounts.status_code == 200, accounts.text
    items = [
        mention("Alweer storing bij de app, niemand die reageert #storing"),
        mention("Wat een slechte service, de app crasht steeds", author={"handle": "perskees"}),
        mention("Thanks @acme, great support today!", platform="mastodon"),
        mention("Is de website morgen bereikbaar?"),
    ]
    payload = batch(tenant, items)
    redis = Redis.from_url(settings.redis_url)
    pubsub = redis.pubsub()
    await pubsub.subscribe(events_channel(settings.queue_prefix, tenant))
    try:
        await enqueue(settings, payload)
        await run_worker(settings)
        events: list[MentionScoredEventV1] = []
        for _ in range(100):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05)
            if message is not None:
                event = EVENT_ADAPTER.validate_json(message["data"])
                assert isinstance(event, MentionScoredEventV1)
                events.append(event)
            if len(events) == len(items):
                break
    finally:
        await pubsub.aclose()
        await redis.aclose()

    listed = await sentiment.client.get("/v1/mentions", headers=headers)
    assert listed.status_code == 200, listed.text
    by_id = {m["id"]: m for m in listed.json()["items"]}
    assert set(by_id) == {m["id"] for m in items}
    version = by_id[items[0]["id"]]["model_version"]
    assert version == nlp.load_enricher().model_version
    first, second, third, fourth = (by_id[m["id"]] for m in items)
    assert first["sentiment"]["label"] == "negative" and "crisis_signal" in first["intents"]
    assert "outage" in first["crisis_categories"] and first["topics"] == ["acme-app"]
    assert second["stakeholder"] == "media"  # the known account, not the profile
    assert second["risk_factors"]["stakeholder_reason"] == "known"
    assert first["stakeholder"] == "customer"
    assert third["sentiment"]["label"] == "positive" and third["topics"] == []
    assert "question" in fourth["intents"] and fourth["topics"] == ["acme-app"]
    assert 0.0 <= first["risk"] <= 1.0 and first["language"] == "nl"

    assert await _counts(sentiment, headers, "sentiment") == {
        "total": 4,
        **{
            k: sum(1 for m in by_id.values() if m["sentiment"]["label"] == k)
            for k in ("negative", "neutral", "positive")
            if any(m["sentiment"]["label"] == k for m in by_id.values())
        },
    }
    assert await _counts(sentiment, headers, "platform") == {"total": 4, "x": 3, "mastodon": 1}
    assert await _counts(sentiment, headers, "topic") == {"total": 4, "acme-app": 3}
    assert (await _counts(sentiment, headers, "stakeholder"))["media"] == 1
    minute = await sentiment.client.get(
        "/v1/trends",
        params={
            "interval": "minute",
            "since": "2026-11-28T09:14:00Z",
            "until": "2026-11-28T09:17:00Z",
        },
        headers=headers,
    )
    assert [b["total"] for b in minute.json()["buckets"]] == [0, 4, 0]

    jobs = await _playbook_jobs(settings, tenant)
    assert [job_id for job_id, _ in jobs] == [f"{payload['batch_id']}:{version}"]
    scored = jobs[0][1]
    assert scored.batch_id == payload["batch_id"]
    assert sorted(m.id for m in scored.mentions) == sorted(by_id)
    assert {m.id: m.topics for m in scored.mentions}[items[0]["id"]] == ["acme-app"]
    assert sorted(e.mention.id for e in events) == sorted(by_id)
    assert all(e.tenant == tenant and e.mention.model_version == version for e in events)


async def test_the_same_batch_twice_changes_nothing(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    settings = sentiment.settings
    headers = auth(make_token(tenant, "mentions:read", "analytics:read"))
    items = [mention(f"Storing nummer {i} bij de app") for i in range(5)]
    payload = batch(tenant, items)
    await enqueue(settings, payload)
    await run_worker(settings)
    before = await _counts(sentiment, headers, "sentiment")
    # arq refuses the same job id while the result is kept; a redelivery comes under another id.
    await enqueue(settings, payload, job_id=payload["batch_id"] + ":again")
    await run_worker(settings)
    listed = await sentiment.client.get("/v1/mentions", headers=headers)
    assert len(listed.json()["items"]) == 5
    assert (
        await _counts(sentiment, headers, "sentiment")
        == before
        == {"total": 5, **{k: v for k, v in before.items() if k != "total"}}
    )
    assert sum(v for k, v in before.items() if k != "total") == 5
    assert await _counts(sentiment, headers, "platform") == {"total": 5, "x": 5}
    jobs = await _playbook_jobs(settings, tenant)
    assert len(jobs) == 1  # same batch, same model: one playbook job id


async def test_replay_with_a_new_model_moves_counts_without_double_counting(
    sentiment_factory: SentimentFactory, tenant: str, make_token: TokenFactory, tmp_path: Path
) -> None:
    sentiment = await sentiment_factory()
    settings = sentiment.settings
    headers = auth(make_token(tenant, "topics:write", "mentions:read", "analytics:read"))
    items = [
        mention("De app ligt er weer uit", author={"handle": "anne"}),
        mention("Mooie nieuwe functie in de app", author={"handle": "bert"}),
        mention("Niets over te zeggen", author={"handle": "anne"}),
    ]
    await enqueue(settings, batch(tenant, items))
    await run_worker(settings)
    assert (await _counts(sentiment, headers, "stakeholder")) == {"total": 3, "customer": 3}
    assert (await _counts(sentiment, headers, "topic")) == {"total": 3}

    # What changes between the runs: a new model version, a topic and a known account.
    models = tmp_path / "models"
    shutil.copytree(Path(nlp.__file__).parent.parent / "models", models)
    manifest = json.loads((models / "manifest.json").read_text())
    manifest["model_version"] = "replay-test-2"
    (models / "manifest.json").write_text(json.dumps(manifest))
    await sentiment.client.post("/v1/topics", json={"name": "app", "query": "app"}, headers=headers)
    await sentiment.client.put(
        "/v1/known-accounts",
        json={"accounts": [{"handle": "anne", "platform": "x", "stakeholder": "employee"}]},
        headers=headers,
    )
    replay_settings = settings.model_copy(update={"model_dir": models})
    await enqueue(replay_settings, batch(tenant, items, reason="replay"))
    await run_worker(replay_settings)

    listed = (await sentiment.client.get("/v1/mentions", headers=headers)).json()["items"]
    assert len(listed) == 3
    assert {m["model_version"] for m in listed} == {"replay-test-2"}
    assert sorted(m["stakeholder"] for m in listed) == ["customer", "employee", "employee"]
    assert await _counts(sentiment, headers, "stakeholder") == {
        "total": 3,
        "customer": 1,
        "employee": 2,
    }
    assert await _counts(sentiment, headers, "topic") == {"total": 3, "app": 2}
    assert await _counts(sentiment, headers, "platform", topic="app") == {"total": 2, "x": 2}
    # Every split still adds up to the read model (list-valued fields included).
    expected: dict[str, dict[str, int]] = {"intent": {}, "sentiment": {}, "language": {}}
    for m in listed:
        for intent in m["intents"] or ["none"]:
            expected["intent"][intent] = expected["intent"].get(intent, 0) + 1
        label = m["sentiment"]["label"]
        expected["sentiment"][label] = expected["sentiment"].get(label, 0) + 1
        expected["language"][m["language"]] = expected["language"].get(m["language"], 0) + 1
    for split, counts in expected.items():
        assert await _counts(sentiment, headers, split) == {"total": 3, **counts}, split
    jobs = await _playbook_jobs(settings, tenant)
    assert sorted(job_id.rsplit(":", 1)[1] for job_id, _ in jobs) == sorted(
        [nlp.load_enricher().model_version, "replay-test-2"]
    )


@pytest.mark.parametrize("backend", ["postgres"])
async def test_concurrent_batches_with_the_same_mentions_count_each_once(
    sentiment_factory: SentimentFactory, tenant: str, make_token: TokenFactory
) -> None:
    sentiment = await sentiment_factory(worker_max_jobs=6)
    settings = sentiment.settings
    headers = auth(make_token(tenant, "mentions:read", "analytics:read", "admin"))
    items = [mention(f"Storing {i} bij de app, weer niets") for i in range(40)]
    # Six batches (a replay racing the original, a redelivery...) with the same mentions at once.
    await enqueue(settings, *(batch(tenant, items) for _ in range(6)))
    await run_worker(settings)
    assert await _counts(sentiment, headers, "platform") == {"total": 40, "x": 40}
    assert len((await sentiment.client.get("/v1/mentions", headers=headers)).json()["items"]) == 40
    failed = await sentiment.client.get("/v1/failed-jobs", headers=headers)
    assert failed.json()["items"] == []
    assert len(await _playbook_jobs(settings, tenant)) == 6


async def test_a_batch_spread_over_many_buckets(
    sentiment: Sentiment, tenant: str, make_token: TokenFactory
) -> None:
    headers = auth(make_token(tenant, "analytics:read"))
    start = datetime(2026, 10, 1, tzinfo=UTC)
    items = [mention(f"Bericht {i}", created_at=start + timedelta(hours=i)) for i in range(400)]
    await enqueue(sentiment.settings, batch(tenant, items))
    await run_worker(sentiment.settings)
    trends = await sentiment.client.get(
        "/v1/trends",
        params={"interval": "hour", "split": "platform", "since": start.isoformat(),
                "until": (start + timedelta(hours=400)).isoformat()},
        headers=headers,
    )  # fmt: skip
    assert trends.status_code == 200, trends.text
    assert [b["counts"] for b in trends.json()["buckets"]] == [{"x": 1}] * 400

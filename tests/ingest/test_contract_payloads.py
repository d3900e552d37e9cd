"""The hot path builds queue payloads by hand: they must be exactly the versioned contract."""

from __future__ import annotations

from typing import Any

import orjson

from services.common.contracts import MentionBatchV1
from services.common.queue import deserialize, serialize
from tests.conftest import TokenFactory
from tests.ingest.conftest import Ingest
from tests.ingest.factories import auth, mention


async def test_enqueued_payload_is_a_valid_mention_batch_v1(
    ingest: Ingest, tenant: str, make_token: TokenFactory, queue_reader: Any
) -> None:
    sent = mention(language="nl", in_reply_to="99", thread_id="98", raw={"source": "test"})
    await ingest.client.post(
        "/v1/mentions",
        json={"mentions": [sent]},
        headers=auth(make_token(tenant, "mentions:write")),
    )
    pool = await queue_reader("sentiment", ingest.settings.redis_url)
    payloads = [j.args[0] for j in await pool.queued_jobs() if j.args[0]["tenant"] == tenant]
    assert len(payloads) == 1
    # What a consumer reads back through the JSON serializer must validate strictly.
    wire = deserialize(serialize(payloads[0]))
    batch = MentionBatchV1.model_validate(wire)
    assert batch.version == 1 and batch.reason == "new"
    (got,) = batch.mentions
    assert (got.platform, got.external_id, got.text) == ("x", sent["external_id"], sent["text"])
    assert (got.language, got.in_reply_to, got.thread_id) == ("nl", "99", "98")
    assert got.author.bio == "Journalist bij een landelijke krant"
    assert got.engagement.views == 250
    assert got.created_at.isoformat() == "2026-11-28T09:15:00+00:00"
    # No field outside the contract leaks onto the queue (e.g. the tenant-private raw payload).
    allowed = set(MentionBatchV1.model_fields)
    assert set(wire) <= allowed
    assert set(wire["mentions"][0]) <= set(type(got).model_fields)
    assert orjson.loads(orjson.dumps(wire)) == wire

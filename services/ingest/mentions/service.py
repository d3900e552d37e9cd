"""Use cases of ingest: accept a batch, read mentions, replay a range, deliver to the queue.

Services flush, never commit: the router or the background loop that calls them owns the
transaction, and queue messages leave only after the commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter, Gauge
from pydantic import JsonValue, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import outbox
from services.common.contracts import MentionBatchV1, MentionV1
from services.common.db import new_id, transaction
from services.common.outbox import SentLog
from services.common.queue import LazyQueue
from services.ingest.mentions import repository as repo
from services.ingest.mentions.errors import InvalidTimeRange
from services.ingest.mentions.schemas import (
    AuthorIn,
    BatchResult,
    EngagementIn,
    ItemResult,
    MentionIn,
    MentionRead,
)
from services.ingest.mentions.tables import Mention, OutboxBatch

log = structlog.get_logger("uitkijk.ingest")

MENTIONS = Counter("uitkijk_ingest_mentions_total", "Mentions received, by outcome", ["outcome"])
ENQUEUE_FAILURES = Counter(
    "uitkijk_ingest_enqueue_failures_total", "Batches that failed to enqueue"
)
ENQUEUED = Counter("uitkijk_ingest_batches_enqueued_total", "Batches handed to the sentiment queue")
PENDING = Gauge("uitkijk_ingest_outbox_pending_batches", "Stored batches not yet on the queue")

SCORE_JOB = "score_batch"


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """A queue batch in its wire form (``MentionBatchV1``), built without a model on the hot path.

    ``tests/ingest/test_contract_payloads.py`` checks that it validates as ``MentionBatchV1``.
    """

    batch_id: str
    payload: dict[str, Any]  # the JSON wire form of MentionBatchV1 (hot path: no model round trip)


@dataclass(slots=True)
class Accepted:
    """The answer to a batch, and the queue batches to send once the transaction commits."""

    result: BatchResult
    batches: list[PlannedBatch] = field(default_factory=list)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item.get("loc", ()))
        parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
    return "; ".join(parts)


def to_contract(mention: Mention) -> MentionV1:
    """The stored mention as the queue contract (the sweeper's path; the hot path builds the wire
    form directly in :func:`_wire_mention`)."""
    return MentionV1.model_validate(to_read(mention).model_dump(exclude={"raw"}))


def to_read(mention: Mention) -> MentionRead:
    return MentionRead(
        id=mention.id,
        platform=mention.platform,
        external_id=mention.external_id,
        url=mention.url,
        text=mention.text,
        language=mention.language,
        created_at=mention.created_at,
        author=AuthorIn(
            handle=mention.author_handle,
            name=mention.author_name,
            followers=mention.author_followers,
            verified=mention.author_verified,
            bio=mention.author_bio,
            url=mention.author_url,
        ),
        in_reply_to=mention.in_reply_to,
        thread_id=mention.thread_id,
        engagement=EngagementIn(
            likes=mention.likes, shares=mention.shares, replies=mention.replies, views=mention.views
        ),
        raw=mention.raw or {},
        ingested_at=mention.ingested_at,
    )


def _row(mention_id: str, tenant: str, m: MentionIn, now: datetime) -> dict[str, Any]:
    return {
        "id": mention_id,
        "tenant": tenant,
        "platform": m.platform.value,
        "external_id": m.external_id,
        "url": m.url,
        "text": m.text,
        "language": m.language,
        "created_at": m.created_at.astimezone(UTC),
        "author_handle": m.author.handle,
        "author_name": m.author.name,
        "author_followers": m.author.followers,
        "author_verified": m.author.verified,
        "author_bio": m.author.bio,
        "author_url": m.author.url,
        "in_reply_to": m.in_reply_to,
        "thread_id": m.thread_id,
        "likes": m.engagement.likes,
        "shares": m.engagement.shares,
        "replies": m.engagement.replies,
        "views": m.engagement.views,
        "raw": m.raw,
        "ingested_at": now,
    }


def _wire_mention(row: dict[str, Any]) -> dict[str, Any]:
    """One stored row in the ``MentionV1`` wire form (orjson writes the datetimes)."""
    return {
        "id": row["id"],
        "platform": row["platform"],
        "external_id": row["external_id"],
        "url": row["url"],
        "text": row["text"],
        "language": row["language"],
        "created_at": row["created_at"],
        "author": {
            "handle": row["author_handle"],
            "name": row["author_name"],
            "followers": row["author_followers"],
            "verified": row["author_verified"],
            "bio": row["author_bio"],
            "url": row["author_url"],
        },
        "in_reply_to": row["in_reply_to"],
        "thread_id": row["thread_id"],
        "engagement": {
            "likes": row["likes"],
            "shares": row["shares"],
            "replies": row["replies"],
            "views": row["views"],
        },
        "ingested_at": row["ingested_at"],
    }


def validate_items(items: Sequence[JsonValue]) -> list[MentionIn | str]:
    """Each item on its own: a valid mention or the reason it is rejected."""
    out: list[MentionIn | str] = []
    for item in items:
        if not isinstance(item, dict):
            out.append(f"expected a JSON object, got {type(item).__name__}")
            continue
        try:
            out.append(MentionIn.model_validate(item))
        except ValidationError as exc:
            out.append(_describe(exc))
    return out


async def accept_batch(
    session: AsyncSession,
    tenant: str,
    items: Sequence[MentionIn | str],
    *,
    job_batch_size: int,
    reason: str = "new",
) -> Accepted:
    """Store what is new exactly once, report each item, and plan the queue batches."""
    now = datetime.now(UTC)
    results: list[ItemResult | None] = [None] * len(items)
    rows: list[dict[str, Any]] = []
    row_index: list[int] = []
    first_seen: dict[tuple[str, str], int] = {}
    later_dupes: list[tuple[int, tuple[str, str]]] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            results[index] = ItemResult(index=index, status="rejected", error=item)
            continue
        key = (item.platform.value, item.external_id)
        if key in first_seen:
            later_dupes.append((index, key))
            continue
        first_seen[key] = index
        rows.append(_row(new_id(now), tenant, item, now))
        row_index.append(index)

    stored = await repo.insert_new(session, rows)
    accepted_rows: list[dict[str, Any]] = []
    missing: list[tuple[int, tuple[str, str]]] = []
    for index, row in zip(row_index, rows, strict=True):
        if row["id"] in stored:
            results[index] = ItemResult(index=index, status="accepted", id=row["id"])
            accepted_rows.append(row)
        else:
            missing.append((index, (row["platform"], row["external_id"])))
    known = {(r["platform"], r["external_id"]): r["id"] for r in accepted_rows}
    if missing:
        known.update(await repo.existing_ids(session, tenant, [k for _, k in missing]))
    for index, key in [*missing, *later_dupes]:
        results[index] = ItemResult(index=index, status="duplicate", id=known.get(key))

    batches: list[PlannedBatch] = []
    outbox: list[OutboxBatch] = []
    for start in range(0, len(accepted_rows), job_batch_size):
        chunk = accepted_rows[start : start + job_batch_size]
        batch_id = new_id(now)
        payload = {
            "version": 1,
            "batch_id": batch_id,
            "tenant": tenant,
            "reason": reason,
            "mentions": [_wire_mention(r) for r in chunk],
        }
        batches.append(PlannedBatch(batch_id=batch_id, payload=payload))
        outbox.append(
            OutboxBatch(
                batch_id=batch_id,
                tenant=tenant,
                reason=reason,
                mention_ids=[r["id"] for r in chunk],
                created_at=now,
            )
        )
    await repo.add_outbox(session, outbox)

    final = [r for r in results if r is not None]
    accepted = sum(1 for r in final if r.status == "accepted")
    duplicates = sum(1 for r in final if r.status == "duplicate")
    rejected = len(final) - accepted - duplicates
    MENTIONS.labels("accepted").inc(accepted)
    MENTIONS.labels("duplicate").inc(duplicates)
    MENTIONS.labels("rejected").inc(rejected)
    return Accepted(
        result=BatchResult(
            results=final, accepted=accepted, duplicates=duplicates, rejected=rejected
        ),
        batches=batches,
    )


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# --- delivery ---------------------------------------------------------------------------------


async def deliver(queue: LazyQueue, sent_log: SentLog, batches: Sequence[PlannedBatch]) -> int:
    """Hand committed batches to the queue; what fails stays in the outbox for the sweeper."""
    sent: list[str] = []
    for batch in batches:
        try:
            await queue.enqueue(SCORE_JOB, batch.payload, job_id=batch.batch_id)
        except Exception as exc:  # Redis down or slow: the sweeper retries from the outbox
            ENQUEUE_FAILURES.inc()
            log.warning("enqueue failed; left in outbox", batch_id=batch.batch_id, error=repr(exc))
            break
        sent.append(batch.batch_id)
    if sent:
        ENQUEUED.inc(len(sent))
        sent_log.add(sent)
    return len(sent)


async def forget_sent(sessions: async_sessionmaker[AsyncSession], sent_log: SentLog) -> int:
    """Delete ingest's outbox rows of batches that reached the queue."""
    return await outbox.forget_sent(sessions, sent_log, repo.remove_outbox)


async def sweep_once(
    queue: LazyQueue,
    sessions: async_sessionmaker[AsyncSession],
    *,
    grace: timedelta,
    limit: int = 50,
    sent_log: SentLog | None = None,
    only: Sequence[str] | None = None,
) -> int:
    """Send batches that were stored but never reached the queue. Returns how many were sent."""
    if sent_log is not None:
        await forget_sent(sessions, sent_log)
    sent = 0
    async with transaction(sessions) as session:
        claimed = await repo.claim_unsent(session, datetime.now(UTC) - grace, limit, only)
        for entry in claimed:
            mentions = await repo.mentions_by_ids(session, entry.tenant, entry.mention_ids)
            batch = MentionBatchV1(
                batch_id=entry.batch_id,
                tenant=entry.tenant,
                reason="replay" if entry.reason == "replay" else "new",
                mentions=[to_contract(m) for m in sorted(mentions, key=lambda m: m.id)],
            )
            try:
                await queue.enqueue(SCORE_JOB, batch.model_dump(mode="json"), job_id=batch.batch_id)
            except Exception as exc:
                ENQUEUE_FAILURES.inc()
                await repo.note_failure(session, entry.batch_id, repr(exc))
                break
            await repo.remove_outbox(session, [entry.batch_id])
            sent += 1
        PENDING.set(await repo.count_unsent(session))
    if sent:
        ENQUEUED.inc(sent)
        log.info("sweeper sent stored batches", batches=sent)
    return sent


async def purge_idempotency_keys(
    sessions: async_sessionmaker[AsyncSession], ttl: timedelta
) -> None:
    async with transaction(sessions) as session:
        await repo.purge_idempotency(session, datetime.now(UTC) - ttl)


async def plan_replay(
    session: AsyncSession,
    tenant: str,
    since: datetime,
    until: datetime,
    platforms: Sequence[str] | None,
    *,
    job_batch_size: int,
) -> tuple[str, int, list[str]]:
    """Put every mention of the range in outbox batches marked ``replay``; the caller commits."""
    if until <= since:
        raise InvalidTimeRange("`until` must be after `since`.")
    replay_id = new_id()
    now = datetime.now(UTC)
    total = 0
    batch_ids: list[str] = []
    after: str | None = None
    while True:
        ids = await repo.ids_in_range(
            session, tenant, since, until, platforms, after_id=after, limit=job_batch_size
        )
        if not ids:
            break
        batch_id = new_id(now)
        await repo.add_outbox(
            session,
            [
                OutboxBatch(
                    batch_id=batch_id,
                    tenant=tenant,
                    reason="replay",
                    mention_ids=ids,
                    created_at=now,
                )
            ],
        )
        batch_ids.append(batch_id)
        total += len(ids)
        after = ids[-1]
    return replay_id, total, batch_ids

"""Scoring a batch end to end: enrich, tag, store (read model + counters), then send it on.

The job (``pipeline.jobs``) owns the transaction boundaries: one transaction writes the read
model, the counter delta and the playbook outbox row; the playbook job and the live events
leave only after it commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import structlog
from arq.connections import ArqRedis
from prometheus_client import Counter, Gauge
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import outbox
from services.common.contracts import MentionBatchV1, MentionV1, events_channel
from services.common.db import new_id, transaction
from services.common.outbox import SentLog
from services.common.queue import PLAYBOOK_QUEUE, SENTIMENT_QUEUE, enqueue_batch, queue_name
from services.sentiment.analytics import buckets
from services.sentiment.analytics import repository as analytics_repo
from services.sentiment.mentions import repository as mentions_repo
from services.sentiment.mentions.tables import EnrichedMention
from services.sentiment.nlp import Enricher, EnrichInput
from services.sentiment.pipeline import repository as repo
from services.sentiment.pipeline.tables import FailedJob, PlaybookOutbox
from services.sentiment.topics.service import ProfileCache, TenantProfile

log = structlog.get_logger("uitkijk.sentiment")

EVALUATE_JOB = "evaluate_batch"
SCORED = Counter("uitkijk_sentiment_mentions_scored_total", "Mentions scored by the worker")
OUTBOX_PENDING = Gauge(
    "uitkijk_sentiment_outbox_pending_batches", "Scored batches not yet on the playbook queue"
)
PLAYBOOK_ENQUEUE_FAILURES = Counter(
    "uitkijk_sentiment_playbook_enqueue_failures_total", "Scored batches left in the outbox"
)


class ConcurrentScoring(Exception):  # noqa: N818 - a condition, retried like a transient error
    """Another job stored one of these mentions between our read and our write: retry."""


def playbook_job_id(batch_id: str, model_version: str) -> str:
    return f"{batch_id}:{model_version}"


@dataclass(frozen=True, slots=True)
class Pipeline:
    """What a scoring job needs, made once in the worker's start-up."""

    sessions: async_sessionmaker[AsyncSession]
    enricher: Enricher
    profiles: ProfileCache
    playbook: ArqRedis
    redis: Redis
    prefix: str
    sent_log: SentLog
    publish_events: bool = True
    enqueue_timeout: float = 2.0
    #: Characters of a text that are enriched (the stored text stays whole), as in the API.
    max_chars: int = 10_000


# --- enrichment (CPU, on the event loop: in a thread it only added GIL hand-offs) ----------


def score_rows(
    enricher: Enricher,
    profile: TenantProfile,
    tenant: str,
    mentions: Sequence[MentionV1],
    now: datetime,
    max_chars: int = 10_000,
) -> list[dict[str, Any]]:
    """Read-model rows for ``mentions`` (one batched ``enrich`` call, then topic tags).

    Each text is enriched on its first ``max_chars`` characters; topics match the whole text.
    """
    # The contract's ``AuthorV1`` and ``EngagementV1`` carry exactly the fields the library reads
    # from its ``Author`` and ``Engagement``; passing them through (no copy, no validation: they
    # were validated with the batch) saves two model constructions per mention.
    inputs = [
        EnrichInput.model_construct(
            text=m.text if len(m.text) <= max_chars else m.text[:max_chars],
            language=m.language,
            author=cast(Any, m.author),
            engagement=cast(Any, m.engagement),
            platform=m.platform.value,
            known_accounts=profile.platform_accounts.get(m.platform.value),
        )
        for m in mentions
    ]
    enriched = enricher.enrich(inputs, profile.accounts)
    rows: list[dict[str, Any]] = []
    for m, x in zip(mentions, enriched, strict=True):
        sentiment = x.sentiment
        rows.append(
            {
                "id": m.id,
                "tenant": tenant,
                "platform": m.platform.value,
                "external_id": m.external_id,
                "created_at": m.created_at.astimezone(UTC),
                "text": m.text,
                "url": m.url,
                "author_handle": m.author.handle,
                "author_name": m.author.name,
                "author_followers": m.author.followers,
                "language": x.language,
                "sentiment": sentiment.label.value,
                "sentiment_score": float(sentiment.score),
                "confidence": float(sentiment.confidence),
                "intents": [i.value for i in x.intents],
                "crisis_categories": [c.value for c in x.crisis_categories],
                "stakeholder": x.stakeholder.value,
                "reach": float(x.reach),
                "risk": float(x.risk),
                # The factors' fields as they are (floats, a tuple of str enums): JSON-ready.
                "risk_factors": {
                    **vars(x.risk_factors),
                    "stakeholder_reason": x.stakeholder_reason,
                },
                "topics": profile.tag(m.text, m.author.handle, x.language),
                "model_version": x.model_version,
                "scored_at": now,
            }
        )
    return rows


def facets(row: dict[str, Any]) -> buckets.Facets:
    return buckets.Facets(
        created_at=row["created_at"],
        platform=row["platform"],
        language=row["language"],
        sentiment=row["sentiment"],
        intents=tuple(row["intents"]),
        stakeholder=row["stakeholder"],
        topics=tuple(row["topics"]),
    )


def wire_mention(row: dict[str, Any]) -> dict[str, Any]:
    """A read-model row in the ``ScoredMentionV1`` wire form (orjson writes the datetimes)."""
    return {
        "id": row["id"],
        "platform": row["platform"],
        "created_at": row["created_at"],
        "text": row["text"],
        "url": row["url"],
        "author_handle": row["author_handle"],
        "author_followers": row["author_followers"],
        "language": row["language"],
        "sentiment": row["sentiment"],
        "sentiment_score": row["sentiment_score"],
        "confidence": row["confidence"],
        "intents": row["intents"],
        "crisis_categories": row["crisis_categories"],
        "stakeholder": row["stakeholder"],
        "reach": row["reach"],
        "risk": row["risk"],
        "topics": row["topics"],
        "model_version": row["model_version"],
    }


def stored_row(mention: EnrichedMention) -> dict[str, Any]:
    return {c: getattr(mention, c) for c in mentions_repo.COLUMNS}


# --- the use case -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    batch_id: str
    tenant: str
    mentions: int
    new: int
    model_version: str
    playbook_job_id: str
    sent_to_playbook: bool


async def store(
    session: AsyncSession, tenant: str, rows: list[dict[str, Any]], outbox: PlaybookOutbox
) -> int:
    """Write the read model, the counter delta and the outbox row; returns how many were new."""
    ids = [r["id"] for r in rows]
    previous = await mentions_repo.lock_previous(session, ids)
    inserted = await mentions_repo.upsert(session, rows)
    raced = [i for i, new in inserted.items() if not new and i not in previous]
    if raced:
        raise ConcurrentScoring(f"{len(raced)} mention(s) stored concurrently, e.g. {raced[0]}")
    await repo.add_outbox(session, outbox)
    # Last before the commit: concurrent batches of a tenant update the same counter rows, so
    # their row locks should be held as briefly as possible.
    change = buckets.delta(previous.values(), (facets(r) for r in rows))
    await analytics_repo.apply_delta(session, tenant, change)
    return len(ids) - len(previous)


async def process(pipeline: Pipeline, batch: MentionBatchV1) -> Outcome:
    """Score, store and send on one batch; a second run changes nothing but ``scored_at``."""
    unique = list({m.id: m for m in batch.mentions}.values())
    profile = await pipeline.profiles.get(batch.tenant)
    now = datetime.now(UTC)
    rows = score_rows(pipeline.enricher, profile, batch.tenant, unique, now, pipeline.max_chars)
    model_version = pipeline.enricher.model_version
    job_id = playbook_job_id(batch.batch_id, model_version)
    outbox = PlaybookOutbox(
        job_id=job_id,
        batch_id=batch.batch_id,
        tenant=batch.tenant,
        mention_ids=[r["id"] for r in rows],
        trace_id=batch.trace_id,
        created_at=now,
    )
    async with transaction(pipeline.sessions) as session:
        new = await store(session, batch.tenant, rows, outbox)
    SCORED.inc(len(rows))
    # Each mention is serialised once and spliced into both the playbook job and its event.
    wire = [orjson.Fragment(orjson.dumps(wire_mention(r))) for r in rows]
    payload = {
        "version": 1,
        "batch_id": batch.batch_id,
        "tenant": batch.tenant,
        "mentions": wire,
        "trace_id": batch.trace_id,
    }
    sent = await send_to_playbook(pipeline, job_id, payload)
    if pipeline.publish_events:
        await publish(pipeline, batch.tenant, wire, now)
    return Outcome(batch.batch_id, batch.tenant, len(rows), new, model_version, job_id, sent)


async def send_to_playbook(pipeline: Pipeline, job_id: str, payload: dict[str, Any]) -> bool:
    """Enqueue after the commit; on failure the outbox row stays for the sweeper."""
    try:
        await enqueue_batch(
            pipeline.playbook,
            EVALUATE_JOB,
            payload,
            job_id=job_id,
            queue=queue_name(pipeline.prefix, PLAYBOOK_QUEUE),
            within_seconds=pipeline.enqueue_timeout,
        )
    except Exception as exc:  # Redis down or slow: the outbox keeps it
        PLAYBOOK_ENQUEUE_FAILURES.inc()
        log.warning("playbook enqueue failed; left in outbox", job_id=job_id, error=repr(exc))
        return False
    pipeline.sent_log.add([job_id])
    return True


#: PUBLISH every message in ARGV on KEYS[1]: one command (and one packing) for a whole batch.
_PUBLISH_ALL = "for i = 1, #ARGV do redis.call('PUBLISH', KEYS[1], ARGV[i]) end return #ARGV"


async def publish(
    pipeline: Pipeline, tenant: str, mentions: Sequence[orjson.Fragment], at: datetime
) -> None:
    """One ``MentionScoredEventV1`` message per mention (``ScoredMentionV1`` JSON fragments),
    in one round trip. Best effort."""
    channel = events_channel(pipeline.prefix, tenant)
    messages = [
        orjson.dumps(
            {"version": 1, "tenant": tenant, "at": at, "type": "mention.scored", "mention": m}
        )
        for m in mentions
    ]
    if not messages:
        return
    try:
        await asyncio.wait_for(
            cast(
                Awaitable[Any],
                pipeline.redis.eval(_PUBLISH_ALL, 1, channel, *cast(list[Any], messages)),
            ),
            timeout=pipeline.enqueue_timeout,
        )
    except Exception as exc:  # subscribers miss a live update; the read model has it
        log.warning("publishing scored events failed", tenant=tenant, error=repr(exc))


# --- housekeeping: the outbox sweep and failed jobs ---------------------------------------------


async def forget_sent(sessions: async_sessionmaker[AsyncSession], sent_log: SentLog) -> int:
    """Delete sentiment's outbox rows of batches that reached the playbook queue."""
    return await outbox.forget_sent(sessions, sent_log, repo.remove_outbox)


async def sweep_outbox(pipeline: Pipeline, *, grace: timedelta, limit: int = 50) -> int:
    """Send scored batches that were committed but never reached the playbook queue."""
    await forget_sent(pipeline.sessions, pipeline.sent_log)
    sent = 0
    async with transaction(pipeline.sessions) as session:
        for entry in await repo.claim_unsent(session, datetime.now(UTC) - grace, limit):
            stored = await mentions_repo.mentions_by_ids(session, entry.tenant, entry.mention_ids)
            payload = {
                "version": 1,
                "batch_id": entry.batch_id,
                "tenant": entry.tenant,
                "mentions": [
                    wire_mention(stored_row(m)) for m in sorted(stored, key=lambda m: m.id)
                ],
                "trace_id": entry.trace_id,
            }
            try:
                await enqueue_batch(
                    pipeline.playbook,
                    EVALUATE_JOB,
                    payload,
                    job_id=entry.job_id,
                    queue=queue_name(pipeline.prefix, PLAYBOOK_QUEUE),
                    within_seconds=pipeline.enqueue_timeout,
                )
            except Exception as exc:
                PLAYBOOK_ENQUEUE_FAILURES.inc()
                await repo.note_failure(session, entry.job_id, repr(exc))
                break
            await repo.remove_outbox(session, [entry.job_id])
            sent += 1
        OUTBOX_PENDING.set(await repo.count_unsent(session))
    if sent:
        log.info("sweeper sent scored batches", batches=sent)
    return sent


async def record_failure(
    sessions: async_sessionmaker[AsyncSession],
    *,
    job_id: str,
    function: str,
    payload: dict[str, Any],
    error: BaseException,
    tries: int,
) -> str | None:
    """Keep a job that failed for good; ``None`` when even that fails (the log has it)."""
    tenant = payload.get("tenant") if isinstance(payload, dict) else None
    failed = FailedJob(
        id=new_id(),
        job_id=job_id,
        function=function,
        tenant=tenant if isinstance(tenant, str) else None,
        payload=payload if isinstance(payload, dict) else {"value": payload},
        error=f"{type(error).__name__}: {error}"[:4000],
        tries=tries,
        failed_at=datetime.now(UTC),
    )
    try:
        async with transaction(sessions) as session:
            await repo.add_failed(session, failed)
    except Exception as exc:
        log.error("could not record a failed job", job_id=job_id, error=repr(exc))
        return None
    log.error("job failed for good", job_id=job_id, failed_id=failed.id, error=failed.error)
    return failed.id


async def replay_failed(
    sessions: async_sessionmaker[AsyncSession],
    queue: ArqRedis,
    prefix: str,
    *,
    tenant: str | None = None,
    ids: Sequence[str] | None = None,
    limit: int = 100,
) -> list[str]:
    """Put failed jobs back on the sentiment queue (new job ids); returns the replayed ids."""
    replayed: list[str] = []
    async with transaction(sessions) as session:
        failures = await repo.unreplayed_failures(session, tenant=tenant, ids=ids, limit=limit)
        for failure in failures:
            await enqueue_batch(
                queue,
                failure.function,
                dict(failure.payload),
                job_id=f"{failure.job_id}:replay:{failure.id}",
                queue=queue_name(prefix, SENTIMENT_QUEUE),
            )
            replayed.append(failure.id)
        await repo.mark_replayed(session, replayed, datetime.now(UTC))
    return replayed

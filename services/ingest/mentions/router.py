"""``/v1/mentions``, ``/v1/mentions/{source}`` (native platform payloads) and ``/v1/replays``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from pydantic import AwareDatetime, JsonValue, TypeAdapter, ValidationError

from services.common.auth import Caller
from services.common.contracts import Platform
from services.common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_RESPONSES, BatchTooLarge
from services.common.responses import JSONBytes
from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from services.ingest.deps import Queue, Reader, Sent, Sessions, Settings, Tx, Writer
from services.ingest.mentions import repository as repo
from services.ingest.mentions import service
from services.ingest.mentions.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    MalformedBatch,
    MentionNotFound,
)
from services.ingest.mentions.schemas import (
    BatchResult,
    MentionBatchIn,
    MentionIn,
    MentionRead,
    ReplayIn,
    ReplayOut,
)
from services.ingest.mentions.tables import IdempotencyKey

router = APIRouter(prefix="/v1", tags=["mentions"], responses=PROBLEM_RESPONSES)


class _UnboundedBatch(MentionBatchIn):
    """The fast path parses any length; the batch limit is checked with its own problem type."""

    mentions: list[MentionIn]


_BATCH_ADAPTER = TypeAdapter(_UnboundedBatch)
_BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/MentionBatchIn"}}
        },
    }
}
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=256,
        description="Makes a retried request return the first answer (kept 24 hours).",
    ),
]


def _parse_json(body: bytes) -> JsonValue:
    try:
        value: JsonValue = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedBatch(f"The body is not valid JSON: {exc}.") from exc
    return value


async def _store(
    items: list[MentionIn | str],
    *,
    caller: Caller,
    tx: Tx,
    sent_log: Sent,
    queue: Queue,
    settings: Settings,
    idempotency: tuple[str, str] | None,
) -> JSONBytes:
    if len(items) > settings.max_batch:
        raise BatchTooLarge(limit=settings.max_batch, got=len(items))
    if idempotency is not None:
        key, digest = idempotency
        previous = await repo.get_idempotency(
            tx, caller.tenant, key, ttl_hours=settings.idempotency_ttl_hours
        )
        if previous is not None:
            return _replayed(previous, digest)
    accepted = await service.accept_batch(
        tx, caller.tenant, items, job_batch_size=settings.job_batch_size
    )
    body = accepted.result.model_dump(mode="json")
    if idempotency is not None:
        key, digest = idempotency
        record = IdempotencyKey(
            tenant=caller.tenant,
            key=key,
            request_hash=digest,
            status_code=202,
            response=body,
            created_at=datetime.now(UTC),
        )
        if not await repo.save_idempotency(tx, record):
            await tx.rollback()
            previous = await repo.get_idempotency(tx, caller.tenant, key)
            if previous is None:
                raise IdempotencyKeyInFlight("Retry in a moment.")
            return _replayed(previous, digest)
    await tx.commit()
    await service.deliver(queue, sent_log, accepted.batches)
    return JSONBytes(body, status_code=202)


def _replayed(previous: IdempotencyKey, digest: str) -> JSONBytes:
    if previous.request_hash != digest:
        raise IdempotencyKeyReused
    return JSONBytes(
        previous.response, status_code=previous.status_code, headers={"Idempotent-Replayed": "true"}
    )


@router.post(
    "/mentions",
    status_code=202,
    response_model=BatchResult,
    summary="Push a batch of mentions (up to 1,000)",
    description=(
        "Each item is validated on its own: one bad item is `rejected` with its reason and never "
        "rejects the others. A mention is stored once per (tenant, platform, external_id); a "
        "resend reports `duplicate` with the stored id and changes nothing. With an "
        "`Idempotency-Key` a retried request returns the first answer."
    ),
    openapi_extra=_BATCH_BODY,
)
async def push_mentions(
    request: Request,
    caller: Writer,
    tx: Tx,
    sent_log: Sent,
    queue: Queue,
    settings: Settings,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONBytes:
    raw = await request.body()
    items: list[MentionIn | str]
    try:
        # The common case, every item valid, is validated straight from the JSON bytes.
        items = list(_BATCH_ADAPTER.validate_json(raw).mentions)
    except ValidationError:
        payload = _parse_json(raw)
        if not isinstance(payload, dict) or not isinstance(payload.get("mentions"), list):
            raise MalformedBatch('The body must be an object with a "mentions" list.') from None
        entries = payload["mentions"]
        assert isinstance(entries, list)
        if len(entries) > settings.max_batch:
            raise BatchTooLarge(limit=settings.max_batch, got=len(entries)) from None
        items = service.validate_items(entries)
    digest = service.request_hash(request.url.path.encode() + b"\0" + raw)
    return await _store(
        items,
        caller=caller,
        tx=tx,
        sent_log=sent_log,
        queue=queue,
        settings=settings,
        idempotency=(idempotency_key, digest) if idempotency_key else None,
    )


@router.post(
    "/mentions/{source}",
    status_code=202,
    response_model=BatchResult,
    summary="Push a platform's native payload",
    description=(
        "The body is the payload as the platform delivers it: `x` (X API v2 tweets with "
        "`includes.users`), `meta` (Graph API webhooks: Facebook page feed, Instagram comments), "
        "`youtube` (Data API `commentThreads`), `reddit` (listing JSON), `mastodon` (statuses), "
        "`bluesky` (`app.bsky.feed.defs#postView` lists). Each native item becomes one result."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}
    },
)
async def push_native(
    source: AdapterSource,
    request: Request,
    caller: Writer,
    tx: Tx,
    sent_log: Sent,
    queue: Queue,
    settings: Settings,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONBytes:
    raw = await request.body()
    payload = _parse_json(raw)
    try:
        adapted = adapt(source, payload)
    except PayloadNotRecognized as exc:
        raise MalformedBatch(f"Not a {source.value} payload: {exc}", source=source.value) from exc
    items: list[MentionIn | str] = []
    for entry in adapted:
        if entry.mention is None:
            items.append(entry.error or "skipped")
        else:
            items.extend(service.validate_items([entry.mention]))
    digest = service.request_hash(request.url.path.encode() + b"\0" + raw)
    return await _store(
        items,
        caller=caller,
        tx=tx,
        sent_log=sent_log,
        queue=queue,
        settings=settings,
        idempotency=(idempotency_key, digest) if idempotency_key else None,
    )


@router.get("/mentions", response_model=Page[MentionRead], summary="List and filter mentions")
async def list_mentions(
    caller: Reader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    platform: Annotated[list[Platform] | None, Query()] = None,
    since: Annotated[AwareDatetime | None, Query(description="created_at ≥ since")] = None,
    until: Annotated[AwareDatetime | None, Query(description="created_at < until")] = None,
    author: Annotated[str | None, Query(description="Author handle, with or without @")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text contains (case-insensitive)")
    ] = None,
    ids: Annotated[
        list[str] | None,
        Query(
            max_length=500, description="Batch read: these ids only (repeat, or comma-separated)"
        ),
    ] = None,
) -> Page[MentionRead]:
    id_list = [part for value in ids for part in value.split(",") if part] if ids else None
    after = None
    if cursor:
        created, last_id = decode_cursor(cursor, 2)
        after = (datetime.fromisoformat(created), str(last_id))
    rows = await repo.list_mentions(
        tx,
        caller.tenant,
        repo.MentionFilter(
            platforms=[p.value for p in platform] if platform else None,
            since=since,
            until=until,
            author=author,
            text_contains=q,
            ids=id_list,
        ),
        limit=limit + 1,
        after=after,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
    return Page[MentionRead](items=[service.to_read(r) for r in rows], next_cursor=next_cursor)


@router.get("/mentions/{mention_id}", response_model=MentionRead, summary="One mention")
async def get_mention(mention_id: str, caller: Reader, tx: Tx) -> MentionRead:
    mention = await repo.get_mention(tx, caller.tenant, mention_id)
    if mention is None:
        raise MentionNotFound(mention_id)
    return service.to_read(mention)


@router.post(
    "/replays",
    status_code=202,
    response_model=ReplayOut,
    summary="Re-score a time range (after a model upgrade)",
)
async def replay(
    body: ReplayIn, caller: Writer, tx: Tx, sessions: Sessions, queue: Queue, settings: Settings
) -> ReplayOut:
    replay_id, total, batch_ids = await service.plan_replay(
        tx,
        caller.tenant,
        body.since,
        body.until,
        [p.value for p in body.platforms] if body.platforms else None,
        job_batch_size=settings.job_batch_size,
    )
    await tx.commit()
    sent = 0
    if batch_ids:
        sent = await service.sweep_once(
            queue, sessions, grace=timedelta(seconds=-1), limit=len(batch_ids), only=batch_ids
        )
    return ReplayOut(
        replay_id=replay_id, mentions=total, batches=len(batch_ids), enqueued_batches=sent
    )

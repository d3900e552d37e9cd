"""``/v1/topics`` (tracked brands and keyword groups) and ``/v1/known-accounts``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_RESPONSES
from services.sentiment.deps import TopicsReader, TopicsWriter, Tx
from services.sentiment.mentions.errors import TooManyIds
from services.sentiment.topics import repository as repo
from services.sentiment.topics import service
from services.sentiment.topics.errors import KnownAccountNotFound, TopicNotFound
from services.sentiment.topics.schemas import (
    KnownAccountRead,
    KnownAccountsIn,
    KnownAccountsOut,
    TopicIn,
    TopicKind,
    TopicPatch,
    TopicRead,
)

router = APIRouter(prefix="/v1", tags=["topics"], responses=PROBLEM_RESPONSES)
MAX_IDS = 500


def _forget(request: Request, tenant: str) -> None:
    cache = getattr(request.app.state, "profiles", None)
    if cache is not None:
        cache.invalidate(tenant)


@router.post(
    "/topics",
    status_code=201,
    response_model=TopicRead,
    summary="Track a brand or keyword group",
    description=(
        "A query that does not parse is answered 422 `invalid-topic-query` with the 0-based "
        "`position` of the problem. Names are unique per tenant (409 otherwise). New and edited "
        "topics tag mentions scored from then on (workers pick them up within seconds)."
    ),
)
async def create_topic(body: TopicIn, caller: TopicsWriter, tx: Tx, request: Request) -> TopicRead:
    topic = await service.create_topic(tx, caller.tenant, body)
    await tx.commit()
    _forget(request, caller.tenant)
    return service.to_read(topic)


@router.get(
    "/topics",
    response_model=Page[TopicRead],
    summary="List topics (by name), or a batch read by id",
    description="`ids` (repeat or comma-separated, at most 500) reads those topics in one page.",
)
async def list_topics(
    caller: TopicsReader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[TopicKind | None, Query()] = None,
    ids: Annotated[list[str] | None, Query(description="Batch read: these ids only")] = None,
) -> Page[TopicRead]:
    id_list = [p.strip() for v in ids for p in v.split(",") if p.strip()] if ids else None
    if id_list is not None:
        if len(id_list) > MAX_IDS:
            raise TooManyIds(limit=MAX_IDS, got=len(id_list))
        limit = max(limit, len(id_list))
    after = None
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        after = (str(name), str(last_id))
    rows = await repo.list_topics(
        tx,
        caller.tenant,
        kind=kind.value if kind else None,
        ids=id_list,
        after=after,
        limit=limit + 1,
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].name, rows[-1].id)
    return Page[TopicRead](items=[service.to_read(t) for t in rows], next_cursor=next_cursor)


@router.get("/topics/{topic_id}", response_model=TopicRead, summary="One topic")
async def get_topic(topic_id: str, caller: TopicsReader, tx: Tx) -> TopicRead:
    topic = await repo.get_topic(tx, caller.tenant, topic_id)
    if topic is None:
        raise TopicNotFound(topic_id)
    return service.to_read(topic)


@router.patch("/topics/{topic_id}", response_model=TopicRead, summary="Change a topic")
async def update_topic(
    topic_id: str, body: TopicPatch, caller: TopicsWriter, tx: Tx, request: Request
) -> TopicRead:
    topic = await service.update_topic(tx, caller.tenant, topic_id, body)
    await tx.commit()
    _forget(request, caller.tenant)
    return service.to_read(topic)


@router.delete(
    "/topics/{topic_id}",
    status_code=204,
    response_class=Response,
    summary="Stop tracking a topic (mentions keep the tags they have)",
)
async def delete_topic(topic_id: str, caller: TopicsWriter, tx: Tx, request: Request) -> Response:
    await service.delete_topic(tx, caller.tenant, topic_id)
    await tx.commit()
    _forget(request, caller.tenant)
    return Response(status_code=204)


@router.put(
    "/known-accounts",
    response_model=KnownAccountsOut,
    summary="Upsert known accounts (up to 1,000)",
    description=(
        "Each (platform, handle) is inserted or updated; handles are stored lower case without "
        "`@`. A known account's stakeholder type overrides what its profile suggests. An account "
        "without `platform` counts on every platform; one with a platform wins there."
    ),
)
async def upsert_known_accounts(
    body: KnownAccountsIn, caller: TopicsWriter, tx: Tx, request: Request
) -> KnownAccountsOut:
    stored = await service.upsert_accounts(tx, caller.tenant, body.accounts)
    await tx.commit()
    _forget(request, caller.tenant)
    return KnownAccountsOut(
        upserted=len(stored), items=[service.account_to_read(a) for a in stored]
    )


@router.get("/known-accounts", response_model=Page[KnownAccountRead], summary="List known accounts")
async def list_known_accounts(
    caller: TopicsReader, tx: Tx, limit: Limit = 50, cursor: Cursor = None
) -> Page[KnownAccountRead]:
    after = None
    if cursor:
        handle, platform, last_id = decode_cursor(cursor, 3)
        after = (str(handle), str(platform), str(last_id))
    rows = await repo.list_accounts(tx, caller.tenant, after=after, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(last.handle, last.platform, last.id)
    return Page[KnownAccountRead](
        items=[service.account_to_read(a) for a in rows], next_cursor=next_cursor
    )


@router.delete(
    "/known-accounts/{account_id}",
    status_code=204,
    response_class=Response,
    summary="Forget a known account",
)
async def delete_known_account(
    account_id: str, caller: TopicsWriter, tx: Tx, request: Request
) -> Response:
    if not await repo.delete_account(tx, caller.tenant, account_id):
        raise KnownAccountNotFound(account_id)
    await tx.commit()
    _forget(request, caller.tenant)
    return Response(status_code=204)

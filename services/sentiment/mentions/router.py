"""``GET /v1/mentions`` (filters on every enrichment field, cursor pages, batch reads by id) and
``GET /v1/mentions/{id}``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.common.contracts import Platform
from services.common.pagination import (
    Cursor,
    InvalidCursor,
    Limit,
    Page,
    decode_cursor,
    encode_cursor,
)
from services.common.problems import PROBLEM_RESPONSES
from services.sentiment.deps import MentionsReader, Tx
from services.sentiment.mentions import repository as repo
from services.sentiment.mentions import service
from services.sentiment.mentions.errors import InvalidTimeRange, MentionNotFound, TooManyIds
from services.sentiment.mentions.schemas import IntentName, ScoredMentionRead, SentimentLabel

router = APIRouter(prefix="/v1", tags=["mentions"], responses=PROBLEM_RESPONSES)

MAX_IDS = 500


def split_values(values: list[str] | None) -> list[str] | None:
    """Repeated parameters, comma-separated values, or both."""
    if not values:
        return None
    out = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return out or None


@router.get(
    "/mentions",
    response_model=Page[ScoredMentionRead],
    summary="Scored mentions, filtered; or a batch read by id",
    description=(
        "Newest first. Repeat a filter (or separate values with commas) to accept any of its "
        "values; different filters combine with AND. `ids` (at most 500) reads those mentions "
        "only: the gateway's DataLoader uses it; ids of other tenants or not yet scored are "
        "simply absent. A batch read returns every id in one page (`limit` is raised to the number "
        "of ids)."
    ),
)
async def list_mentions(
    caller: MentionsReader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    sentiment: Annotated[list[SentimentLabel] | None, Query()] = None,
    language: Annotated[list[str] | None, Query(description="ISO 639-1 codes, `und`")] = None,
    intent: Annotated[list[IntentName] | None, Query()] = None,
    crisis_category: Annotated[
        list[str] | None, Query(description="data_leak, outage, recall, fraud, lawsuit, ...")
    ] = None,
    stakeholder: Annotated[list[str] | None, Query()] = None,
    topic: Annotated[list[str] | None, Query(description="Topic names")] = None,
    platform: Annotated[list[Platform] | None, Query()] = None,
    min_risk: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    since: Annotated[AwareDatetime | None, Query(description="created_at ≥ since")] = None,
    until: Annotated[AwareDatetime | None, Query(description="created_at < until")] = None,
    author: Annotated[str | None, Query(description="Author handle, with or without @")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text contains (case-insensitive)")
    ] = None,
    ids: Annotated[
        list[str] | None,
        Query(description="Batch read: these ids only (repeat, or comma-separated; max 500)"),
    ] = None,
) -> Page[ScoredMentionRead]:
    id_list = split_values(ids)
    if id_list is not None and len(id_list) > MAX_IDS:
        raise TooManyIds(limit=MAX_IDS, got=len(id_list))
    if since is not None and until is not None and until <= since:
        raise InvalidTimeRange("`until` must be after `since`.")
    after = None
    if cursor:
        created, last_id = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(str(created)), str(last_id))
        except ValueError as exc:
            raise InvalidCursor("The cursor is not one this API issued.") from exc
    where = repo.MentionFilter(
        sentiments=[s.value for s in sentiment] if sentiment else None,
        languages=split_values(language),
        intents=[i.value for i in intent] if intent else None,
        crisis_categories=split_values(crisis_category),
        stakeholders=split_values(stakeholder),
        topics=split_values(topic),
        platforms=[p.value for p in platform] if platform else None,
        min_risk=min_risk,
        since=since,
        until=until,
        author=author,
        text_contains=q,
        ids=id_list,
    )
    if id_list is not None:  # a batch read answers every id in one page
        limit = max(limit, len(id_list))
    rows = await repo.list_mentions(tx, caller.tenant, where, limit=limit + 1, after=after)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
    return Page[ScoredMentionRead](
        items=[service.to_read(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/mentions/{mention_id}", response_model=ScoredMentionRead, summary="One scored mention"
)
async def get_mention(mention_id: str, caller: MentionsReader, tx: Tx) -> ScoredMentionRead:
    mention = await repo.get_mention(tx, caller.tenant, mention_id)
    if mention is None:
        raise MentionNotFound(mention_id)
    return service.to_read(mention)

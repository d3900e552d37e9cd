"""``/v1/trends``, ``/v1/share-of-voice`` and ``/v1/topics/emerging``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.common.problems import PROBLEM_RESPONSES
from services.sentiment.analytics import service
from services.sentiment.analytics.buckets import Dimension, Granularity
from services.sentiment.analytics.schemas import EmergingOut, ShareOfVoiceOut, TrendsOut
from services.sentiment.deps import AnalyticsReader, Settings, Tx

router = APIRouter(prefix="/v1", tags=["analytics"], responses=PROBLEM_RESPONSES)

Since = Annotated[AwareDatetime | None, Query(description="Start of the window (inclusive)")]
Until = Annotated[AwareDatetime | None, Query(description="End of the window (exclusive); now")]


@router.get(
    "/trends",
    response_model=TrendsOut,
    summary="Mention counts per minute or hour, split by one dimension",
    description=(
        "Counts every bucket of the window (widened to whole buckets), empty ones included: at "
        "most 1,440 minute or 2,160 hour buckets. Defaults: the last hour by minute, the last "
        "day by hour. `split` is sentiment, platform, language, intent (a mention with several "
        "intents counts under each; `none` for no intent), stakeholder or topic. `topic` counts "
        "only that topic's mentions. `total` is the number of mentions in the bucket."
    ),
)
async def trends(
    caller: AnalyticsReader,
    tx: Tx,
    interval: Granularity = Granularity.HOUR,
    split: Dimension = Dimension.SENTIMENT,
    since: Since = None,
    until: Until = None,
    topic: Annotated[str | None, Query(max_length=128, description="A topic name")] = None,
) -> TrendsOut:
    return await service.trends(
        tx, caller.tenant, interval=interval, split=split, since=since, until=until, topic=topic
    )


@router.get(
    "/share-of-voice",
    response_model=ShareOfVoiceOut,
    summary="Share of voice of the tracked brands, with their sentiment",
    description=(
        "For every `brand` topic (or the topics named in `topic`, repeatable): its mentions in "
        "the window, its share of the mentions of all topics listed, and the sentiment split. "
        "Default window: the last 7 days. Counted in whole minutes for windows up to 48 hours, "
        "in whole hours beyond."
    ),
)
async def share_of_voice(
    caller: AnalyticsReader,
    tx: Tx,
    since: Since = None,
    until: Until = None,
    topic: Annotated[list[str] | None, Query(description="Topic names (default: brands)")] = None,
) -> ShareOfVoiceOut:
    return await service.share_of_voice(tx, caller.tenant, since=since, until=until, topics=topic)


@router.get(
    "/topics/emerging",
    response_model=EmergingOut,
    summary="Terms and phrases rising in a window against a baseline",
    description=(
        "Words and word pairs ranked by the z-score of their log-odds ratio between the window "
        "and the baseline (an informative Dirichlet prior keeps rare terms honest), with example "
        "mentions. Defaults: the last hour against the 24 hours before it. Each window reads at "
        "most 20,000 mentions (the newest)."
    ),
)
async def emerging(
    caller: AnalyticsReader,
    tx: Tx,
    settings: Settings,
    since: Since = None,
    until: Until = None,
    baseline_since: Annotated[AwareDatetime | None, Query()] = None,
    baseline_until: Annotated[AwareDatetime | None, Query(description="Default: `since`")] = None,
    topic: Annotated[str | None, Query(max_length=128)] = None,
    language: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    min_count: Annotated[int, Query(ge=1, le=1000)] = 3,
    examples: Annotated[int, Query(ge=0, le=10)] = 3,
) -> EmergingOut:
    return await service.emerging(
        tx,
        caller.tenant,
        since=since,
        until=until,
        baseline_since=baseline_since,
        baseline_until=baseline_until,
        topic=topic,
        languages=language,
        top_k=limit,
        min_count=min_count,
        examples=examples,
        max_mentions=settings.emerging_max_mentions,
    )

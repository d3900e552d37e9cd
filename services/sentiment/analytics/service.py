"""Trends, share of voice and emerging terms, read from the counters and the read model."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.sentiment.analytics import repository as repo
from services.sentiment.analytics.buckets import ALL_TOPICS, Dimension, Granularity
from services.sentiment.analytics.errors import InvalidWindow
from services.sentiment.analytics.schemas import (
    EmergingOut,
    EmergingTermOut,
    Example,
    SentimentSplit,
    ShareOfVoiceOut,
    TrendBucket,
    TrendsOut,
    VoiceShare,
)
from services.sentiment.mentions import repository as mentions_repo
from services.sentiment.nlp.emerging import count_terms, emerging_terms, tokenize
from services.sentiment.topics import repository as topics_repo

#: The most buckets one trends call returns (a day of minutes, 90 days of hours).
MAX_BUCKETS = {Granularity.MINUTE: 1440, Granularity.HOUR: 2160}
DEFAULT_WINDOW = {Granularity.MINUTE: timedelta(hours=1), Granularity.HOUR: timedelta(days=1)}


def ceil(granularity: Granularity, at: datetime) -> datetime:
    floor = granularity.floor(at)
    return floor if floor == at else floor + granularity.step


def window(
    granularity: Granularity, since: datetime | None, until: datetime | None, default: timedelta
) -> tuple[datetime, datetime]:
    """[since, until) widened to whole buckets; ``until`` defaults to now."""
    end = ceil(granularity, (until or datetime.now(UTC)).astimezone(UTC))
    start = granularity.floor((since or end - default).astimezone(UTC))
    if end <= start:
        raise InvalidWindow("`until` must be after `since`.")
    return start, end


async def trends(
    session: AsyncSession,
    tenant: str,
    *,
    interval: Granularity,
    split: Dimension,
    since: datetime | None,
    until: datetime | None,
    topic: str | None,
) -> TrendsOut:
    start, end = window(interval, since, until, DEFAULT_WINDOW[interval])
    n = int((end - start) / interval.step)
    if n > MAX_BUCKETS[interval]:
        raise InvalidWindow(
            f"At most {MAX_BUCKETS[interval]} {interval.value} buckets per call; this window has "
            f"{n}. Use a shorter window or `interval=hour`.",
            limit=MAX_BUCKETS[interval],
            got=n,
        )
    if split is Dimension.TOPIC and topic is not None:
        raise InvalidWindow("Split by topic or filter on one topic, not both.")
    topic_key = topic if topic is not None else ALL_TOPICS
    rows = await repo.grouped_counts(
        session,
        tenant,
        granularity=interval.value,
        since=start,
        until=end,
        dimension=split.value,
        topics=[topic_key],
    )
    totals_rows = (
        rows
        if split is Dimension.SENTIMENT
        else await repo.grouped_counts(
            session,
            tenant,
            granularity=interval.value,
            since=start,
            until=end,
            dimension=Dimension.SENTIMENT.value,
            topics=[topic_key],
        )
    )
    counts: dict[datetime, dict[str, int]] = {}
    keys: set[str] = set()
    for bucket, _topic, value, _sentiment, count in rows:
        if count:
            per = counts.setdefault(bucket, {})
            per[value] = per.get(value, 0) + count
            keys.add(value)
    totals: dict[datetime, int] = {}
    for bucket, _topic, _value, _sentiment, count in totals_rows:
        totals[bucket] = totals.get(bucket, 0) + count
    buckets = []
    for i in range(n):
        at = start + i * interval.step
        per = counts.get(at, {})
        buckets.append(
            TrendBucket(
                start=at, total=totals.get(at, 0), counts={k: v for k, v in per.items() if v}
            )
        )
    return TrendsOut(
        interval=interval,
        split=split,
        topic=topic,
        since=start,
        until=end,
        keys=sorted(keys),
        buckets=buckets,
    )


async def share_of_voice(
    session: AsyncSession,
    tenant: str,
    *,
    since: datetime | None,
    until: datetime | None,
    topics: Sequence[str] | None,
) -> ShareOfVoiceOut:
    """Per brand topic (or the topics named): mentions, share among them, sentiment split."""
    probe_end = until or datetime.now(UTC)
    probe_start = since or probe_end - timedelta(days=7)
    granularity = (
        Granularity.MINUTE if probe_end - probe_start <= timedelta(hours=48) else Granularity.HOUR
    )
    start, end = window(granularity, probe_start, probe_end, timedelta(days=7))
    if topics:
        names = list(dict.fromkeys(topics))
    else:
        names = [t.name for t in await topics_repo.list_topics(session, tenant, kind="brand")]
    split: dict[str, SentimentSplit] = {name: SentimentSplit() for name in names}
    if names:
        rows = await repo.grouped_counts(
            session,
            tenant,
            granularity=granularity.value,
            since=start,
            until=end,
            dimension=Dimension.SENTIMENT.value,
            topics=names,
        )
        for _bucket, topic, _value, sentiment, count in rows:
            current = split[topic]
            if sentiment in ("negative", "neutral", "positive"):
                setattr(current, sentiment, getattr(current, sentiment) + count)
    total = sum(s.negative + s.neutral + s.positive for s in split.values())
    items = []
    for name in names:
        s = split[name]
        count = s.negative + s.neutral + s.positive
        items.append(
            VoiceShare(
                topic=name,
                count=count,
                share=round(count / total, 4) if total else 0.0,
                sentiment=s,
                net_sentiment=round((s.positive - s.negative) / count, 4) if count else 0.0,
            )
        )
    items.sort(key=lambda v: (-v.count, v.topic))
    return ShareOfVoiceOut(since=start, until=end, interval=granularity, total=total, items=items)


def _rank(
    current: list[tuple[str, str, datetime]],
    baseline: list[tuple[str, str, datetime]],
    top_k: int,
    min_count: int,
    examples: int,
) -> list[EmergingTermOut]:
    ranked = emerging_terms(
        count_terms(t for _, t, _ in current),
        count_terms(t for _, t, _ in baseline),
        top_k=top_k,
        min_count=min_count,
    )
    wanted = {term.term: [] for term in ranked}  # type: dict[str, list[Example]]
    if wanted and examples:
        for mention_id, text, created_at in current:
            terms = set(tokenize(text)) & wanted.keys()
            for term in terms:
                found = wanted[term]
                if len(found) < examples:
                    found.append(Example(id=mention_id, text=text, created_at=created_at))
            if all(len(v) >= examples for v in wanted.values()):
                break
    return [
        EmergingTermOut(
            term=t.term,
            count=t.count,
            baseline_count=t.baseline_count,
            score=round(t.score, 4),
            delta=round(t.delta, 4),
            examples=wanted.get(t.term, []),
        )
        for t in ranked
    ]


async def emerging(
    session: AsyncSession,
    tenant: str,
    *,
    since: datetime | None,
    until: datetime | None,
    baseline_since: datetime | None,
    baseline_until: datetime | None,
    topic: str | None,
    languages: Sequence[str] | None,
    top_k: int,
    min_count: int,
    examples: int,
    max_mentions: int,
) -> EmergingOut:
    """Terms and phrases whose share rises most in [since, until) against the baseline window.

    Defaults: the last hour against the 24 hours before it. Each window reads at most
    ``max_mentions`` mentions (the newest).
    """
    end = (until or datetime.now(UTC)).astimezone(UTC)
    start = (since or end - timedelta(hours=1)).astimezone(UTC)
    if end <= start:
        raise InvalidWindow("`until` must be after `since`.")
    base_end = (baseline_until or start).astimezone(UTC)
    base_start = (baseline_since or base_end - timedelta(hours=24)).astimezone(UTC)
    if base_end <= base_start:
        raise InvalidWindow("`baseline_until` must be after `baseline_since`.")
    common = {"topics": [topic] if topic else None, "languages": languages or None}
    current = await mentions_repo.texts_in_window(
        session,
        tenant,
        mentions_repo.MentionFilter(since=start, until=end, **common),  # type: ignore[arg-type]
        limit=max_mentions,
    )
    baseline = await mentions_repo.texts_in_window(
        session,
        tenant,
        mentions_repo.MentionFilter(since=base_start, until=base_end, **common),  # type: ignore[arg-type]
        limit=max_mentions,
    )
    terms = await asyncio.to_thread(_rank, current, baseline, top_k, min_count, examples)
    return EmergingOut(
        since=start,
        until=end,
        baseline_since=base_start,
        baseline_until=base_end,
        mentions=len(current),
        baseline_mentions=len(baseline),
        terms=terms,
    )

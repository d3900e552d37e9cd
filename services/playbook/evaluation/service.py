"""Evaluating a scored batch: counts, detectors, signals, incidents. One transaction per batch.

The batch id is recorded in the same transaction, so a job that runs twice changes nothing the
second time; the detector states are row-locked (PostgreSQL), so workers sharing a tenant take
turns and never lose an update.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.contracts import ScoredBatchV1, ScoredMentionV1
from services.common.db import transaction
from services.playbook import hooks
from services.playbook.clock import Clock
from services.playbook.counts import repository as counts
from services.playbook.detection import (
    DetectorConfig,
    MentionLike,
    ScoredMention,
    Signal,
    TopicDetector,
)
from services.playbook.detection.model import CRISIS_INTENT
from services.playbook.effects import Dispatcher, Effects
from services.playbook.incidents import repository as incident_repo
from services.playbook.incidents import service as incidents
from services.playbook.incidents import steps
from services.playbook.incidents.schemas import TimelineKind
from services.playbook.incidents.tables import Incident
from services.playbook.playbook_store.service import ActivePlaybook, active_playbooks
from services.playbook.playbooks import (
    Condition,
    Severity,
    Trigger,
    condition_matches,
    evaluate_trigger,
    severity_for,
)
from services.playbook.settings import PlaybookSettings
from services.playbook.signals import repository as signal_repo
from services.playbook.signals import service as signals


@dataclass
class Evaluator:
    """What a worker (or a bench) needs to evaluate batches; made once at start-up."""

    sessions: async_sessionmaker[AsyncSession]
    settings: PlaybookSettings
    clock: Clock
    dispatcher: Dispatcher | None = None

    @property
    def config(self) -> DetectorConfig:
        return self.settings.detector


@dataclass
class Outcome:
    batch_id: str
    status: str
    mentions: int = 0
    signals: int = 0
    opened: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "mentions": self.mentions,
            "signals": self.signals,
            "opened": self.opened,
            "joined": self.joined,
        }


def minute_rows(tenant: str, mentions: Sequence[ScoredMentionV1]) -> list[dict[str, Any]]:
    """Per topic (``*`` for all) and minute: total, negative, risk-weighted, crisis-signal."""
    acc: dict[tuple[str, int], list[float]] = {}
    for m in mentions:
        minute = int(m.created_at.timestamp() // 60)
        negative = 1.0 if m.sentiment == "negative" else 0.0
        crisis = 1.0 if CRISIS_INTENT in m.intents else 0.0
        for topic in ("*", *dict.fromkeys(m.topics)):
            row = acc.get((topic, minute))
            if row is None:
                acc[(topic, minute)] = [1.0, negative, m.risk, crisis]
            else:
                row[0] += 1.0
                row[1] += negative
                row[2] += m.risk
                row[3] += crisis
    return [
        {
            "tenant": tenant,
            "topic": topic,
            "minute": datetime.fromtimestamp(minute * 60, UTC),
            "total": int(v[0]),
            "negative": int(v[1]),
            "risk": float(v[2]),
            "crisis_signal": int(v[3]),
        }
        for (topic, minute), v in acc.items()
    ]


#: A crisis category longer than the column is cut (the contract does not bound it).
CATEGORY_CHARS = 64


def crisis_category_rows(tenant: str, mentions: Sequence[ScoredMentionV1]) -> list[dict[str, Any]]:
    """Per topic (``*`` for all), minute and crisis category: the crisis-signal mentions naming it."""
    acc: Counter[tuple[str, int, str]] = Counter()
    for m in mentions:
        if CRISIS_INTENT not in m.intents or not m.crisis_categories:
            continue
        minute = int(m.created_at.timestamp() // 60)
        categories = dict.fromkeys(c[:CATEGORY_CHARS] for c in m.crisis_categories if c)
        for topic in ("*", *dict.fromkeys(m.topics)):
            for category in categories:
                acc[(topic, minute, category)] += 1
    return [
        {
            "tenant": tenant,
            "topic": topic,
            "minute": datetime.fromtimestamp(minute * 60, UTC),
            "category": category,
            "mentions": n,
        }
        for (topic, minute, category), n in acc.items()
    ]


def detector_topics(mentions: Sequence[ScoredMentionV1], limit: int) -> list[str]:
    """``*`` and the batch's most frequent topics (at most ``limit``)."""
    counter: Counter[str] = Counter(t for m in mentions for t in dict.fromkeys(m.topics))
    return ["*", *[t for t, _ in counter.most_common(limit) if t != "*"]]


def counted_only(mentions: Sequence[ScoredMentionV1], topic: str) -> list[ScoredMention]:
    """A topic's mentions for its spike detectors only (the crisis-signal intent included): the
    keyword and stakeholder triggers run once per batch, on ``*`` (the same mention must not fire
    them once per topic)."""
    return [
        ScoredMention(
            id=m.id,
            created_at=m.created_at,
            text="",
            sentiment=m.sentiment,
            risk=m.risk,
            stakeholder="unknown",
            author_followers=None,
            intents=tuple(m.intents),
            crisis_categories=tuple(m.crisis_categories),
        )
        for m in mentions
        if topic in m.topics
    ]


def dump(detector: TopicDetector) -> tuple[str, datetime | None]:
    """The state to persist and when its last open minute may be closed without new mentions."""
    state = detector.state()
    config = detector.config
    open_until = None
    if state.open_minutes:
        last = max(state.open_minutes)
        open_until = datetime.fromtimestamp(
            (last + 1) * config.bucket_seconds + config.grace_seconds + 1, UTC
        )
    return state.model_dump_json(), open_until


def conditions(trigger: Trigger) -> list[Condition]:
    return [*(trigger.any or []), *(trigger.all or [])]


async def evaluate(ev: Evaluator, batch: ScoredBatchV1) -> Outcome:
    """Evaluate one scored batch; dispatches live events and deadline jobs after the commit."""
    now = ev.clock.now()
    fx = Effects()
    outcome = Outcome(batch_id=batch.batch_id, status="evaluated", mentions=len(batch.mentions))
    async with transaction(ev.sessions) as session:
        if not await counts.claim_batch(
            session, batch.batch_id, batch.tenant, len(batch.mentions), now
        ):
            outcome.status = "duplicate"
            return outcome
        await counts.add_counts(session, minute_rows(batch.tenant, batch.mentions))
        await counts.add_crisis_categories(
            session, crisis_category_rows(batch.tenant, batch.mentions)
        )
        topics = detector_topics(batch.mentions, ev.settings.max_topics_per_batch)
        stored = await counts.lock_states(session, batch.tenant, topics, now)
        detector_now = await hooks.scenario_now(session, batch.tenant, now)
        found: list[Signal] = []
        states: dict[str, tuple[str, datetime | None]] = {}
        for topic in topics:
            subset: Sequence[MentionLike] = (
                batch.mentions if topic == "*" else counted_only(batch.mentions, topic)
            )
            state = stored.get(topic)
            detector = (
                TopicDetector.restore(ev.config, batch.tenant, topic, state)
                if state
                else TopicDetector(ev.config, batch.tenant, topic)
            )
            found.extend(detector.process_batch(subset, detector_now))
            states[topic] = dump(detector)
        await counts.save_states(session, batch.tenant, states, now)
        if found:
            await act_on_signals(ev, session, batch, found, now, fx, outcome)
        outcome.signals = len(found)
    if ev.dispatcher is not None:
        await ev.dispatcher.dispatch(fx, now)
    return outcome


def _more_severe(a: Severity, b: str) -> bool:
    return a.rank < Severity(b).rank


async def act_on_signals(
    ev: Evaluator,
    session: AsyncSession,
    batch: ScoredBatchV1,
    found: Sequence[Signal],
    now: datetime,
    fx: Effects,
    outcome: Outcome,
) -> None:
    """Open or join incidents for the playbooks the signals trigger; store the signals."""
    tenant = batch.tenant
    settings = ev.settings
    every = list(found)
    quiet = await signal_repo.snoozed(
        session, tenant, sorted({signals.signal_fingerprint(s) for s in every}), now
    )
    if quiet:  # snoozed: counted on their signal, but they neither open nor join an incident
        found = [s for s in every if signals.signal_fingerprint(s) not in quiet]
    playbooks = await active_playbooks(session, tenant, library_fallback=settings.library_fallback)
    matched: list[tuple[ActivePlaybook, Severity]] = [
        (ap, severity_for(ap.playbook, found))
        for ap in playbooks
        if evaluate_trigger(ap.playbook, found)
    ]
    matched.sort(key=lambda pair: pair[1].rank)
    open_now = (
        await incident_repo.open_for_playbook(
            session, tenant, [ap.playbook.id for ap, _ in matched], lock=True
        )
        if matched
        else {}
    )
    created_at = {m.id: m.created_at for m in batch.mentions}
    languages = {m.id: m.language for m in batch.mentions}
    target: dict[int, Incident] = {}
    touched: dict[str, Incident] = {}
    opened_any = False
    for ap, severity in matched:
        playbook = ap.playbook
        relevant = [
            s for s in found if any(condition_matches(c, s) for c in conditions(playbook.trigger))
        ] or list(found)
        evidence = list(dict.fromkeys(i for s in relevant for i in s.evidence.mention_ids))
        incident = open_now.get(playbook.id)
        if incident is None:
            stamps = [created_at[i] for i in evidence if i in created_at]
            first = min(stamps) if stamps else min(s.at for s in relevant)
            spoken = Counter(
                languages[i] for i in evidence if languages.get(i) in playbook.languages
            )
            language = spoken.most_common(1)[0][0] if spoken else playbook.languages[0]
            incident = await incidents.open_incident(
                session,
                tenant,
                playbook,
                ap.version,
                topic=relevant[0].topic,
                severity=severity,
                language=language,
                first_evidence_at=first,
                evidence_ids=evidence[-settings.max_evidence_ids :],
                signal_count=0,
                why=relevant[0].evidence.why,
                now=now,
                fx=fx,
            )
            steps.instantiate(session, incident, playbook, now, fx)
            open_now[playbook.id] = incident
            outcome.opened.append(incident.id)
            opened_any = True
        else:
            incident.evidence_mention_ids = list(
                dict.fromkeys([*incident.evidence_mention_ids, *evidence])
            )[-settings.max_evidence_ids :]
            incident.updated_at = now
            if _more_severe(severity, incident.severity):
                await incidents.change_severity(
                    session,
                    incident,
                    severity,
                    reason="new signals: " + relevant[0].evidence.why[:200],
                    actor=incidents.SYSTEM,
                    now=now,
                    fx=fx,
                )
            if incident.id not in outcome.joined:
                outcome.joined.append(incident.id)
        touched[incident.id] = incident
        for s in relevant:
            target.setdefault(id(s), incident)
    items = [
        (
            s,
            target[id(s)].id
            if id(s) in target
            else quiet[fp].incident_id
            if (fp := signals.signal_fingerprint(s)) in quiet
            else None,
        )
        for s in every
    ]
    stored = await signals.store(
        session,
        tenant,
        items,
        now=now,
        window=timedelta(minutes=settings.dedupe_window_minutes),
        max_ids=settings.max_evidence_ids,
    )
    for item in stored:
        if item.new and item.signal.is_crisis:  # a drill detects crises, not busy minutes
            await hooks.record_signal_for_drill(
                session,
                tenant,
                item.row.id,
                f"{item.row.kind}:{item.row.detector}",
                at=now,
                observed_at=item.signal.at,
            )
        incident = touched.get(item.row.incident_id or "")
        if incident is None or not item.new:
            continue
        incident.signal_count += 1
        incidents.record(
            session,
            fx,
            incident,
            TimelineKind.SIGNAL,
            f"Signal {item.row.kind} ({item.row.detector}): {item.signal.evidence.why}",
            actor=incidents.SYSTEM,
            now=now,
            data={
                "signal_id": item.row.id,
                "kind": item.row.kind,
                "detector": item.row.detector,
                "score": item.row.score,
                "mention_ids": list(item.signal.evidence.mention_ids[:20]),
            },
        )
    if opened_any:
        await incidents.refresh_freeze(session, tenant, now)


async def advance_idle(ev: Evaluator, *, limit: int = 200) -> int:
    """Close the minutes of topics that went quiet (no batch since), so a burst that ended is
    scored without waiting for the next mention; acts on the signals like a batch would.
    Returns how many topics were advanced."""
    now = ev.clock.now()
    async with transaction(ev.sessions) as session:
        idle = await counts.idle_states(session, now, limit)
    for tenant, topic in idle:
        fx = Effects()
        async with transaction(ev.sessions) as session:
            # "*" too: every batch of the tenant holds it, so signal handling never races
            stored = await counts.lock_states(session, tenant, ["*", topic], now)
            state = stored.get(topic)
            if not state:
                continue
            detector = TopicDetector.restore(ev.config, tenant, topic, state)
            found = detector.advance(await hooks.scenario_now(session, tenant, now))
            await counts.save_states(session, tenant, {topic: dump(detector)}, now)
            if found:
                quiet = ScoredBatchV1(
                    batch_id=f"advance:{tenant}:{topic}:{int(now.timestamp())}",
                    tenant=tenant,
                    mentions=[],
                )
                outcome = Outcome(batch_id=quiet.batch_id, status="advanced")
                await act_on_signals(ev, session, quiet, found, now, fx, outcome)
        if ev.dispatcher is not None:
            await ev.dispatcher.dispatch(fx, now)
    return len(idle)


async def prune_processed(ev: Evaluator) -> int:
    """Drop processed batch ids past their retention; returns how many."""
    older_than = ev.clock.now() - timedelta(hours=ev.settings.processed_batch_retention_hours)
    async with transaction(ev.sessions) as session:
        return await counts.prune_processed(session, older_than)

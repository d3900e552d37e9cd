"""Drill scenarios: the shipped Dutch data-leak drill and generated drills."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.playbook.detection import (
    DetectorConfig,
    ScoredMention,
    Signal,
    SignalKind,
    TopicDetector,
)
from services.playbook.playbooks import Severity, evaluate_trigger, load_library, severity_for
from services.playbook.scenarios import (
    DrillMention,
    build_datalek_nl,
    generate_scenario,
    load_datalek_nl,
    to_jsonl,
)
from services.playbook.scenarios.generator import DEFAULT_START

PLATFORMS = {
    "facebook",
    "instagram",
    "x",
    "linkedin",
    "youtube",
    "tiktok",
    "reddit",
    "pinterest",
    "snapchat",
    "threads",
    "mastodon",
    "bluesky",
    "foursquare",
    "googleplus",
    "news",
    "blog",
    "forum",
    "review",
    "other",
}
INGEST_FIELDS = {
    "platform",
    "external_id",
    "url",
    "text",
    "language",
    "created_at",
    "author",
    "in_reply_to",
    "thread_id",
    "engagement",
    "raw",
}


def test_shipped_datalek_drill_has_the_promised_shape() -> None:
    drill = load_datalek_nl()
    assert drill == build_datalek_nl()  # the file is reproducible from the builder
    assert 200 <= len(drill) <= 400
    offsets = [m.offset_seconds for m in drill]
    assert offsets == sorted(offsets)
    assert len({m.external_id for m in drill}) == len(drill)
    assert len({m.text for m in drill}) == len(drill)  # no copy-paste repetition
    for m in drill:
        assert set(m.model_dump()) == INGEST_FIELDS | {"offset_seconds"}
        assert m.platform in PLATFORMS
        assert m.created_at == DEFAULT_START + timedelta(seconds=m.offset_seconds)

    journalist = next(m for m in drill if "journalist" in (m.author.bio or "").lower())
    before = [m for m in drill if m.offset_seconds < journalist.offset_seconds]
    assert len(before) >= 25 and journalist.offset_seconds >= 3600  # a quiet baseline first
    assert not any("datalek" in m.text.lower() for m in before)
    assert "datalek" in journalist.text.lower()
    after = [m for m in drill if m.offset_seconds > journalist.offset_seconds]
    assert sum(m.language == "en" for m in after) >= 5
    assert sum("?" in m.text for m in after) >= 20  # customers asking questions
    # the wave rises: more mentions in the second half hour after the journalist than the first
    t0 = journalist.offset_seconds
    first_half = sum(t0 < m.offset_seconds <= t0 + 1800 for m in drill)
    second_half = sum(t0 + 1800 < m.offset_seconds <= t0 + 3600 for m in drill)
    assert second_half > first_half


def _scored(m: DrillMention, i: int, start: datetime) -> ScoredMention:
    """A stand-in for the sentiment service: rough labels are enough to exercise the detectors."""
    text = m.text.lower()
    press = any(w in (m.author.bio or "").lower() for w in ("journalist", "redactie"))
    negative = (
        not press
        and "?" not in text
        and any(
            w in text for w in ("datalek", "lek", "schaam", "niet", "geen", "klaar", "breach", "😡")
        )
    )
    return ScoredMention(
        id=f"d{i}",
        created_at=start + timedelta(seconds=m.offset_seconds),
        text=m.text,
        language=m.language or "nl",
        sentiment="negative" if negative else "neutral",
        risk=0.5 if negative else 0.1,
        stakeholder="media" if press else "customer",
        author_followers=m.author.followers,
    )


def test_drill_fed_to_the_detectors_opens_the_datalek_playbook_at_sev1() -> None:
    start = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    drill = load_datalek_nl()
    detector = TopicDetector(DetectorConfig(), "drill", "duinzorg")
    signals: list[Signal] = []
    batch: list[ScoredMention] = []
    for i, m in enumerate(drill):
        batch.append(_scored(m, i, start))
        if len(batch) == 20:
            signals += detector.process_batch(batch, now=batch[-1].created_at)
            batch = []
    signals += detector.process_batch(batch, now=start + timedelta(hours=4))
    kinds = {s.kind for s in signals}
    assert {SignalKind.KEYWORD, SignalKind.STAKEHOLDER} <= kinds
    datalek = next(p for p in load_library() if p.id == "datalek")
    assert evaluate_trigger(datalek, signals)
    assert severity_for(datalek, signals) is Severity.SEV1
    storing = next(p for p in load_library() if p.id == "storing")
    assert not evaluate_trigger(storing, [s for s in signals if s.kind is SignalKind.KEYWORD])


def test_generated_scenario_follows_its_volume_curve_and_is_deterministic() -> None:
    curve = [(0, 0.5), (1800, 0.5), (2400, 10.0), (4200, 10.0)]
    drill = generate_scenario("storing", "nl", curve, negative_share=0.8, seed=3)
    assert drill == generate_scenario("storing", "nl", curve, negative_share=0.8, seed=3)
    assert to_jsonl(drill).count("\n") == len(drill)
    quiet = sum(m.offset_seconds < 1800 for m in drill)
    busy = sum(2400 <= m.offset_seconds < 4200 for m in drill)
    assert 5 <= quiet <= 30  # about 15
    assert 240 <= busy <= 360  # about 300
    assert all("storing" in m.text for m in drill)
    assert all(m.language == "nl" for m in drill)
    english = generate_scenario("outage", "en", [(0, 2.0), (600, 2.0)], seed=1)
    assert english and all(m.language == "en" and "outage" in m.text for m in english)

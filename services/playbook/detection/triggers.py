"""Per-mention triggers: keywords and phrases in any language, and stakeholders.

They are evaluated per mention but emit at most one :class:`Signal` per rule per batch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from services.playbook.detection.model import (
    Evidence,
    MentionLike,
    Signal,
    SignalKind,
    utc_from_epoch,
)

MAX_IDS = 50


def normalise(text: str) -> str:
    """Case-folded, accents stripped (``ramp`` ≈ ``rámp``), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


class KeywordRule(BaseModel):
    """Fires when ``min_count`` matching mentions fall within ``window_seconds``.

    A phrase matches at a word start and may carry an inflection (``storing`` matches
    ``storingen``, ``recall`` matches ``recalled``); case and accents are ignored.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    phrases: tuple[str, ...] = Field(min_length=1)
    languages: tuple[str, ...] = Field(default=(), description="empty: every language")
    min_count: int = Field(default=1, ge=1)
    window_seconds: int = Field(default=600, gt=0)
    negative_only: bool = False


class StakeholderRule(BaseModel):
    """Fires on a single mention by who wrote it, how far it reaches, or how risky it is."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: SignalKind = SignalKind.STAKEHOLDER
    stakeholder_types: tuple[str, ...] = Field(default=(), description="empty: anyone")
    sentiments: tuple[str, ...] = Field(default=("negative",), description="empty: any")
    min_followers: int | None = None
    min_risk: float | None = Field(default=None, ge=0, le=1)
    require_keyword: bool = Field(
        default=False, description="only mentions in which a keyword rule's phrase occurs"
    )


DEFAULT_KEYWORD_RULES: tuple[KeywordRule, ...] = (
    KeywordRule(
        name="data_breach",
        phrases=("datalek", "data breach", "data leak", "gelekte gegevens", "gehackt", "hacked"),
        min_count=2,
    ),
    KeywordRule(
        name="outage_nl",
        phrases=("storing", "ligt eruit", "doet het niet"),
        languages=("nl",),
        min_count=5,
        negative_only=True,
    ),
    KeywordRule(name="outage_en", phrases=("outage", "is down"), languages=("en",), min_count=5),
    KeywordRule(name="boycott", phrases=("boycot", "boycott"), min_count=3),
    KeywordRule(name="recall", phrases=("terugroepactie", "terugroepen", "recall"), min_count=2),
    KeywordRule(
        name="lawsuit",
        phrases=("rechtszaak", "rechtszaken", "lawsuit", "class action"),
        min_count=1,
    ),
)

DEFAULT_STAKEHOLDER_RULES: tuple[StakeholderRule, ...] = (
    StakeholderRule(
        name="press_or_markets_negative",
        stakeholder_types=("media", "journalist", "analyst", "investor", "politician"),
    ),
    StakeholderRule(
        name="press_inquiry",
        stakeholder_types=("media", "journalist"),
        sentiments=(),
        require_keyword=True,
    ),
    StakeholderRule(
        name="large_account",
        kind=SignalKind.FOLLOWERS,
        min_followers=100_000,
        sentiments=("negative", "neutral"),
    ),
    StakeholderRule(name="high_risk_mention", kind=SignalKind.RISK, min_risk=0.85, sentiments=()),
)


class KeywordHits(BaseModel):
    """Recent hits of one keyword rule: (epoch seconds, mention id), oldest first."""

    times: list[float] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)


@dataclass
class KeywordMatcher:
    """All keyword rules compiled into one regular expression."""

    rules: Sequence[KeywordRule]
    _pattern: re.Pattern[str] = field(init=False)
    _by_phrase: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self._by_phrase = {}
        for i, rule in enumerate(self.rules):
            for phrase in rule.phrases:
                self._by_phrase.setdefault(normalise(phrase), []).append(i)
        alternatives = sorted(self._by_phrase, key=len, reverse=True)
        body = "|".join(re.escape(p) for p in alternatives) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<!\w)({body})\w*")

    def match(self, text: str) -> dict[int, set[str]]:
        """Rule index → phrases found in the text (language and sentiment not yet applied)."""
        found: dict[int, set[str]] = {}
        for m in self._pattern.finditer(normalise(text)):
            phrase = m.group(1)
            for i in self._by_phrase[phrase]:
                found.setdefault(i, set()).add(phrase)
        return found


def keyword_signals(
    matcher: KeywordMatcher,
    hits: dict[str, KeywordHits],
    mentions: Iterable[MentionLike],
    *,
    tenant: str,
    topic: str,
) -> list[Signal]:
    """Record keyword hits of a batch in ``hits`` (mutated) and return the rules that fire."""
    new: dict[int, list[tuple[float, str, set[str]]]] = {}
    for mention in mentions:
        if not mention.text:
            continue
        for i, phrases in matcher.match(mention.text).items():
            rule = matcher.rules[i]
            if rule.languages and mention.language not in rule.languages:
                continue
            if rule.negative_only and mention.sentiment != "negative":
                continue
            new.setdefault(i, []).append((mention.created_at.timestamp(), mention.id, phrases))
    signals: list[Signal] = []
    for i, found in new.items():
        rule = matcher.rules[i]
        state = hits.setdefault(rule.name, KeywordHits())
        rows = sorted(
            [*zip(state.times, state.ids, state.phrases, strict=True)]
            + [(t, mid, ",".join(sorted(ph))) for t, mid, ph in found]
        )
        latest = rows[-1][0]
        rows = [r for r in rows if r[0] > latest - rule.window_seconds][-4 * MAX_IDS :]
        state.times = [r[0] for r in rows]
        state.ids = [r[1] for r in rows]
        state.phrases = [r[2] for r in rows]
        count = len(rows)
        if count < rule.min_count:
            continue
        words = sorted({w for r in rows for w in r[2].split(",") if w})
        signals.append(
            Signal(
                tenant=tenant,
                topic=topic,
                kind=SignalKind.KEYWORD,
                detector=rule.name,
                at=utc_from_epoch(latest),
                score=min(1.0, count / (2.0 * rule.min_count)),
                evidence=Evidence(
                    why=(
                        f"{count} mention(s) with {', '.join(repr(w) for w in words)} within "
                        f"{rule.window_seconds // 60} min (rule '{rule.name}' needs {rule.min_count})"
                    ),
                    observed=float(count),
                    window_seconds=rule.window_seconds,
                    keywords=tuple(words),
                    mention_ids=tuple(state.ids[-MAX_IDS:]),
                ),
            )
        )
    return signals


def stakeholder_signals(
    rules: Sequence[StakeholderRule],
    mentions: Sequence[MentionLike],
    *,
    tenant: str,
    topic: str,
    matcher: KeywordMatcher | None = None,
) -> list[Signal]:
    """One signal per rule that at least one mention of the batch satisfies.

    With a ``matcher`` the evidence lists the keyword phrases found in the matched mentions (a
    playbook can then ask for "a journalist, about a data leak").
    """
    signals: list[Signal] = []
    phrases: dict[str, set[str]] = {}
    if matcher is not None:
        for m in mentions:
            if m.stakeholder != "unknown" or (m.author_followers or 0) > 0 or m.risk > 0:
                found = matcher.match(m.text) if m.text else {}
                phrases[m.id] = {p for ps in found.values() for p in ps}
    for rule in rules:
        matched = [
            m
            for m in mentions
            if _stakeholder_match(rule, m) and (not rule.require_keyword or phrases.get(m.id))
        ]
        if not matched:
            continue
        words = tuple(sorted({p for m in matched for p in phrases.get(m.id, ())}))
        top = max(matched, key=lambda m: (m.risk, m.author_followers or 0))
        followers = max((m.author_followers or 0) for m in matched)
        risk = max(m.risk for m in matched)
        types = tuple(sorted({m.stakeholder for m in matched}))
        if rule.kind is SignalKind.FOLLOWERS and rule.min_followers:
            score = min(1.0, 0.5 * followers / rule.min_followers)
            why = f"{len(matched)} mention(s) by accounts with up to {followers:,} followers"
        elif rule.kind is SignalKind.RISK:
            score = risk
            why = f"{len(matched)} mention(s) with risk up to {risk:.2f}"
        else:
            score = max(0.5, risk)
            why = f"{len(matched)} {'/'.join(sorted(rule.sentiments)) or ''} mention(s) by {', '.join(types)}"
        signals.append(
            Signal(
                tenant=tenant,
                topic=topic,
                kind=rule.kind,
                detector=rule.name,
                at=max(m.created_at for m in matched),
                score=min(1.0, max(0.0, score)),
                evidence=Evidence(
                    why=f"{why.strip()}; e.g. “{top.text[:140]}”",
                    observed=float(len(matched)),
                    keywords=words,
                    stakeholder_types=types,
                    max_followers=followers or None,
                    max_risk=risk,
                    mention_ids=tuple(m.id for m in matched[:MAX_IDS]),
                ),
            )
        )
    return signals


def _stakeholder_match(rule: StakeholderRule, m: MentionLike) -> bool:
    if rule.stakeholder_types and m.stakeholder not in rule.stakeholder_types:
        return False
    if rule.sentiments and m.sentiment not in rule.sentiments:
        return False
    if rule.min_followers is not None and (m.author_followers or 0) < rule.min_followers:
        return False
    return not (rule.min_risk is not None and m.risk < rule.min_risk)

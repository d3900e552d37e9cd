"""Drill scenarios: the shipped Dutch data-leak drill and a generator for any topic.

Pure functions: they return :class:`DrillMention` lists; writing them is the caller's business.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from itertools import pairwise, product
from typing import Literal

from services.playbook.scenarios import texts_nl as texts
from services.playbook.scenarios.model import DrillAuthor, DrillEngagement, DrillMention, from_jsonl

DEFAULT_START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
Curve = Sequence[tuple[int, float]]

_FIRST = (
    "sanne",
    "daan",
    "fleur",
    "bram",
    "lotte",
    "joris",
    "eva",
    "thijs",
    "noor",
    "ruben",
    "iris",
    "koen",
    "anouk",
    "wouter",
    "femke",
    "jeroen",
    "maaike",
    "sem",
    "lisa",
    "gijs",
    "esther",
    "mohamed",
    "fatima",
    "youssef",
    "priya",
    "kevin",
    "demi",
    "tim",
    "marloes",
    "henk",
    "ans",
)
_LAST = (
    "de vries",
    "jansen",
    "bakker",
    "visser",
    "smit",
    "meijer",
    "de boer",
    "mulder",
    "bos",
    "vos",
    "peters",
    "hendriks",
    "dekker",
    "brouwer",
    "el amrani",
    "yilmaz",
    "van dijk",
    "kok",
)
_PLATFORMS = (
    ("x", 0.38),
    ("facebook", 0.2),
    ("instagram", 0.1),
    ("threads", 0.06),
    ("bluesky", 0.06),
    ("reddit", 0.06),
    ("mastodon", 0.04),
    ("forum", 0.05),
    ("linkedin", 0.05),
)
_URLS = {
    "x": "https://x.com/{h}/status/{id}",
    "facebook": "https://www.facebook.com/{h}/posts/{id}",
    "instagram": "https://www.instagram.com/p/{id}/",
    "threads": "https://www.threads.net/@{h}/post/{id}",
    "bluesky": "https://bsky.app/profile/{h}.bsky.social/post/{id}",
    "reddit": "https://www.reddit.com/r/thenetherlands/comments/{id}/",
    "mastodon": "https://mastodon.nl/@{h}/{id}",
    "forum": "https://forum.example.nl/t/{id}",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:activity:{id}/",
    "news": "https://nieuws.example.nl/{id}",
}


class _Maker:
    """Authors, ids and URLs, deterministic for a seed."""

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng = rng
        self.prefix = prefix
        self.n = 0

    def author(self) -> DrillAuthor:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        style = self.rng.randrange(4)
        handle = [
            f"{first}{last.replace(' ', '')}",
            f"{first}_{self.rng.randrange(10, 99)}",
            f"{first[0]}{last.split()[-1]}{self.rng.randrange(1, 999)}",
            f"{last.split()[-1]}_{first}",
        ][style]
        followers = int(self.rng.lognormvariate(5.0, 1.4))
        return DrillAuthor(
            handle=handle, name=f"{first.title()} {last.title()}", followers=followers
        )

    def mention(
        self,
        text: str,
        offset: int,
        start: datetime,
        *,
        language: str | None,
        author: DrillAuthor | None = None,
        platform: str | None = None,
        reach: float = 1.0,
    ) -> DrillMention:
        self.n += 1
        if platform is None:
            names, weights = zip(*_PLATFORMS, strict=True)
            platform = self.rng.choices(names, weights)[0]
        author = author or self.author()
        external_id = f"{self.prefix}{self.n:05d}{self.rng.randrange(10**6):06d}"
        views = int(author.followers * self.rng.uniform(0.05, 0.4) * reach) + self.rng.randrange(40)
        likes = int(views * self.rng.uniform(0.0, 0.04))
        return DrillMention(
            platform=platform,
            external_id=external_id,
            url=_URLS[platform].format(h=author.handle, id=external_id),
            text=text,
            language=language,
            created_at=start + timedelta(seconds=offset),
            author=author,
            engagement=DrillEngagement(
                likes=likes,
                shares=int(likes * self.rng.uniform(0, 0.5)),
                replies=int(likes * self.rng.uniform(0, 0.3)),
                views=views,
            ),
            offset_seconds=offset,
        )


def _interp(curve: Curve, t: float) -> float:
    if not curve:
        return 0.0
    if t <= curve[0][0]:
        return curve[0][1]
    for (t0, v0), (t1, v1) in pairwise(curve):
        if t0 <= t <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return curve[-1][1]


def _arrivals(rng: random.Random, curve: Curve, start_s: int, end_s: int) -> list[int]:
    """Offsets (seconds) of a Poisson process whose rate per minute follows ``curve``."""
    out: list[int] = []
    for minute in range(start_s // 60, end_s // 60):
        rate = _interp(curve, minute * 60 + 30)
        # Knuth's method is fine for the small rates of a drill
        k, p, limit = 0, 1.0, pow(2.718281828459045, -rate)
        while True:
            p *= rng.random()
            if p <= limit:
                break
            k += 1
        out += sorted(minute * 60 + rng.randrange(60) for _ in range(k))
    return out


def build_datalek_nl(
    brand: str = "Duinzorg", start: datetime = DEFAULT_START
) -> list[DrillMention]:
    """The shipped drill ``datalek_nl.jsonl``: 90 quiet minutes, a journalist asks about a data
    leak, a wave of Dutch complaints and questions builds over the next hour, a few English posts.
    """
    rng = random.Random(20261128)
    make = _Maker(rng, "dl")
    fill = {"brand": brand}
    items: list[tuple[int, str, str, str]] = []  # offset, kind, language, text

    baseline = list(texts.BASELINE)
    rng.shuffle(baseline)
    for i, text in enumerate(baseline):
        items.append((int(i * 5400 / len(baseline) + rng.randrange(120)), "base", "nl", text))

    combos = list(
        product(
            range(len(texts.COMPLAINT_OPENERS)),
            range(len(texts.COMPLAINT_CORES)),
            range(len(texts.COMPLAINT_CLOSERS)),
        )
    )
    rng.shuffle(combos)
    used_core: dict[int, int] = {}
    complaints: list[str] = []
    for o, c, e in combos:
        if used_core.get(c, 0) >= 6 or len(complaints) >= 140:
            continue
        used_core[c] = used_core.get(c, 0) + 1
        core = texts.COMPLAINT_CORES[c]
        core = core[0].upper() + core[1:]
        complaints.append(
            " ".join(
                p for p in (texts.COMPLAINT_OPENERS[o], core + ".", texts.COMPLAINT_CLOSERS[e]) if p
            )
        )
    # the wave: from a trickle at 97 min to ~4 a minute at 140 min, easing off after 170 min
    wave: Curve = [(5820, 0.3), (6600, 1.5), (8400, 4.0), (10200, 3.0), (12600, 1.0)]
    offsets = _arrivals(rng, wave, 5820, 12600)
    pools: list[tuple[str, str, list[str]]] = [
        ("complaint", "nl", complaints),
        ("question", "nl", list(texts.QUESTIONS)),
        ("neutral", "nl", list(texts.NEUTRAL)),
        ("english", "en", list(texts.ENGLISH)),
    ]
    for _, _, pool in pools:
        rng.shuffle(pool)
    total = sum(len(p) for _, _, p in pools)
    offsets = sorted(rng.sample(offsets, total)) if len(offsets) >= total else offsets
    weights = [len(p) for _, _, p in pools]
    for off in offsets:
        live = [i for i, (_, _, p) in enumerate(pools) if p]
        if not live:
            break
        i = rng.choices(live, [weights[j] for j in live])[0]
        kind, lang, pool = pools[i]
        items.append((off, kind, lang, pool.pop()))

    mentions: list[DrillMention] = []
    for off, kind, lang, text in sorted(items):
        mentions.append(
            make.mention(
                text.format(**fill),
                off,
                start,
                language=lang,
                reach=2.0 if kind == "complaint" else 1.0,
            )
        )
    journalists = [
        (
            5700,
            DrillAuthor(
                handle="lisa_onderzoekt",
                name="Lisa Verhoeven",
                followers=48_200,
                verified=True,
                bio="Onderzoeksjournalist bij een landelijke krant. Tips via Signal.",
            ),
        ),
        (
            7500,
            DrillAuthor(
                handle="techredactie_nl",
                name="Techredactie",
                followers=131_000,
                verified=True,
                bio="Redactie tech & privacy van een nieuwssite",
            ),
        ),
        (
            6000,
            DrillAuthor(
                handle="mark_zorgnieuws",
                name="Mark de Graaf",
                followers=9_400,
                bio="Journalist zorg en verzekeringen. Freelance.",
            ),
        ),
    ]
    for (off, author), text in zip(journalists, texts.JOURNALIST, strict=True):
        mentions.append(
            make.mention(
                text.format(**fill),
                off,
                start,
                language="nl",
                author=author,
                platform="x",
                reach=3.0,
            )
        )
    return sorted(mentions, key=lambda m: m.offset_seconds)


def load_datalek_nl() -> list[DrillMention]:
    """The shipped ``datalek_nl.jsonl``."""
    text = (resources.files("services.playbook.scenarios") / "datalek_nl.jsonl").read_text("utf-8")
    return from_jsonl(text)


_GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "negative": (
            "Weer {topic} bij {brand}, dit is de {n}e keer deze maand",
            "{brand} en {topic}: niemand die ons iets vertelt",
            "Al {n} minuten in de wacht bij {brand} over de {topic}",
            "Wat een gedoe met {topic} bij {brand}, ik ben er klaar mee",
            "{brand}, hoe lang gaat deze {topic} nog duren?",
            "Geen enkele update van {brand} over {topic}. Slecht.",
        ),
        "neutral": (
            "Iemand meer nieuws over {topic} bij {brand}?",
            "Heeft {brand} al iets gezegd over {topic}?",
            "Volgens mij is {topic} bij {brand} alweer wat minder",
            "Bij {brand} gaat het vandaag over {topic} zie ik",
        ),
    },
    "en": {
        "negative": (
            "Another {topic} at {brand}, that is {n} times this month",
            "{brand} and {topic}: nobody tells us anything",
            "On hold with {brand} for {n} minutes about the {topic}",
            "Fed up with the {topic} at {brand}",
            "{brand}, how long will this {topic} last?",
            "Not a single update from {brand} about the {topic}. Poor.",
        ),
        "neutral": (
            "Any news about the {topic} at {brand}?",
            "Has {brand} said anything about the {topic} yet?",
            "Looks like the {topic} at {brand} is easing",
            "{brand} is all about {topic} today it seems",
        ),
    },
}


def generate_scenario(
    topic: str,
    language: Literal["nl", "en"],
    volume_curve: Curve,
    *,
    negative_share: Curve | float = 0.6,
    brand: str = "Duinzorg",
    start: datetime = DEFAULT_START,
    seed: int = 0,
) -> list[DrillMention]:
    """A generated drill about ``topic`` (e.g. "storing", "outage").

    ``volume_curve``: (offset seconds, mentions per minute) breakpoints, linear in between; the
    drill lasts until the last breakpoint. ``negative_share``: a constant or a curve of the same
    kind. Texts are composed from short templates, so long drills repeat phrasing; the shipped
    ``datalek_nl`` drill is hand-written.
    """
    if not volume_curve:
        raise ValueError("volume_curve needs at least one (offset_seconds, per_minute) point")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    rng = random.Random(seed)
    make = _Maker(rng, f"g{seed}")
    texts = _GENERIC[language]
    end = max(t for t, _ in volume_curve)
    shares: Curve = [(0, negative_share)] if isinstance(negative_share, float) else negative_share
    out: list[DrillMention] = []
    for off in _arrivals(rng, volume_curve, 0, max(end, 60)):
        negative = rng.random() < _interp(shares, off)
        pool = texts["negative" if negative else "neutral"]
        text = rng.choice(pool).format(topic=topic, brand=brand, n=rng.randrange(2, 60))
        out.append(make.mention(text, off, start, language=language))
    return out

"""Intents (nl + en), stakeholder rules and the risk formula."""

from __future__ import annotations

import pytest

from services.sentiment.nlp import (
    Author,
    CrisisCategory,
    Engagement,
    Enricher,
    EnrichInput,
    Intent,
    StakeholderType,
)
from services.sentiment.nlp.risk import reach_score, risk_score
from services.sentiment.nlp.stakeholders import classify_stakeholder


def intents(enricher: Enricher, text: str) -> set[Intent]:
    return set(enricher.score_texts([text])[0].intents)


def crisis(enricher: Enricher, text: str) -> tuple[CrisisCategory, ...]:
    return enricher.enrich([EnrichInput(text=text)])[0].crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Datalek bij de bank: klantgegevens gestolen", CrisisCategory.DATA_LEAK),
        ("Huge data breach, my password leaked", CrisisCategory.DATA_LEAK),
        ("Alweer een storing, de app ligt eruit", CrisisCategory.OUTAGE),
        ("The website is down again", CrisisCategory.OUTAGE),
        ("Fabrikant roept babyvoeding terug", CrisisCategory.RECALL),
        ("They issued a voluntary recall of the chargers", CrisisCategory.RECALL),
        ("Dit is gewoon oplichting", CrisisCategory.FRAUD),
        ("Total scam, they took my money", CrisisCategory.FRAUD),
        ("We stappen naar de rechter", CrisisCategory.LAWSUIT),
        ("Class action lawsuit filed today", CrisisCategory.LAWSUIT),
        ("#boycot deze winkel", CrisisCategory.BOYCOTT),
        ("Boycott them, never again", CrisisCategory.BOYCOTT),
        ("Mijn kind kreeg voedselvergiftiging van jullie kip", CrisisCategory.SAFETY),
        ("The charger caught fire in my kitchen", CrisisCategory.SAFETY),
    ],
)
def test_crisis_signals_name_their_category(
    enricher: Enricher, text: str, category: CrisisCategory
) -> None:
    assert category in crisis(enricher, text)
    assert Intent.CRISIS_SIGNAL in intents(enricher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Geen storing meer, alles werkt weer",
        "Storing verholpen, dank jullie wel",
        "The outage is over",
        "Mooi weer vandaag",
        "You may recall what I said yesterday",
    ],
)
def test_no_crisis_when_negated_resolved_or_absent(enricher: Enricher, text: str) -> None:
    assert crisis(enricher, text) == ()


def test_complaint_question_praise(enricher: Enricher) -> None:
    assert Intent.COMPLAINT in intents(enricher, "Al 3 dagen wacht ik op mijn pakket, belachelijk")
    assert Intent.COMPLAINT in intents(enricher, "Still waiting for my refund, terrible service")
    assert Intent.QUESTION in intents(enricher, "Hoe kan ik mijn abonnement wijzigen")
    assert Intent.QUESTION in intents(enricher, "Does anyone know when the store opens?")
    assert Intent.PRAISE in intents(enricher, "Top service, snel geholpen, bedankt!")
    assert Intent.PRAISE in intents(enricher, "Thanks, great job on the new app")


def test_wat_een_is_an_exclamation_not_a_question(enricher: Enricher) -> None:
    assert Intent.QUESTION not in intents(enricher, "Wat een fantastische service")


def test_sarcastic_praise_is_dropped_when_sentiment_is_negative(enricher: Enricher) -> None:
    found = intents(enricher, "Bedankt voor niks, echt waardeloos en belachelijk")
    assert Intent.PRAISE not in found
    assert Intent.COMPLAINT in found


def test_known_accounts_win_over_every_rule() -> None:
    journalist = Author(handle="@PietJ", bio="Journalist bij NRC", followers=80_000)
    assert classify_stakeholder(journalist) == (StakeholderType.MEDIA, "bio")
    known = {"pietj": StakeholderType.EMPLOYEE}
    assert classify_stakeholder(journalist, known) == (StakeholderType.EMPLOYEE, "known")


@pytest.mark.parametrize(
    ("author", "expected", "reason"),
    [
        (Author(handle="x", url="https://www.nos.nl/artikel/1"), StakeholderType.MEDIA, "domain"),
        (Author(handle="x", url="news.bbc.co.uk"), StakeholderType.MEDIA, "domain"),
        (
            Author(handle="x", url="https://www.rijksoverheid.nl"),
            StakeholderType.POLITICIAN,
            "domain",
        ),
        (Author(handle="x", bio="Tweede Kamerlid voor de VVD"), StakeholderType.POLITICIAN, "bio"),
        (
            Author(handle="x", bio="Verslaggever bij de regionale krant"),
            StakeholderType.MEDIA,
            "bio",
        ),
        (
            Author(handle="x", bio="Equity research analyst, telecom"),
            StakeholderType.ANALYST,
            "bio",
        ),
        (Author(handle="x", bio="Belegger en aandeelhouder"), StakeholderType.INVESTOR, "bio"),
        (Author(handle="x", bio="Werkzaam bij de klantenservice"), StakeholderType.EMPLOYEE, "bio"),
        (Author(handle="rtvnieuws"), StakeholderType.MEDIA, "handle"),
        (Author(handle="x", followers=250_000), StakeholderType.INFLUENCER, "reach"),
        (Author(handle="x", followers=12_000, verified=True), StakeholderType.INFLUENCER, "reach"),
        (
            Author(handle="x", bio="Lifestyle blogger", followers=6_000),
            StakeholderType.INFLUENCER,
            "reach",
        ),
        (
            Author(handle="x", bio="Lifestyle blogger", followers=600),
            StakeholderType.CUSTOMER,
            "default",
        ),
        (Author(handle="someone", followers=120), StakeholderType.CUSTOMER, "default"),
    ],
)
def test_stakeholder_rules(author: Author, expected: StakeholderType, reason: str) -> None:
    assert classify_stakeholder(author) == (expected, reason)


def test_no_author_is_unknown() -> None:
    assert classify_stakeholder(None) == (StakeholderType.UNKNOWN, "no_author")


def test_reach_formula() -> None:
    assert reach_score(None, None) == 0.0
    assert reach_score(999, None) == pytest.approx(0.5)
    assert reach_score(0, Engagement(shares=10_000)) == 1.0
    assert reach_score(100, Engagement(likes=50)) > reach_score(100, None)


def test_risk_is_bounded_and_explained() -> None:
    worst, factors = risk_score(
        -1.0, [CrisisCategory.SAFETY, CrisisCategory.OUTAGE], True, 1.0, StakeholderType.MEDIA
    )
    assert worst == 1.0
    assert factors.crisis == 1.0
    assert factors.crisis_categories == (CrisisCategory.SAFETY, CrisisCategory.OUTAGE)
    calm, calm_factors = risk_score(0.9, [], False, 0.0, StakeholderType.UNKNOWN)
    assert calm == 0.0
    assert calm_factors.signal == 0.0
    assert calm_factors.exposure == pytest.approx(0.46)
    mid, mid_factors = risk_score(-0.5, [], True, 0.5, StakeholderType.CUSTOMER)
    assert mid == pytest.approx(mid_factors.signal * mid_factors.exposure, abs=1e-3)
    assert mid_factors.signal == pytest.approx(0.6 * 0.5 + 0.1)
    assert mid_factors.exposure == pytest.approx(0.4 + 0.3 * 0.5 + 0.3 * 0.3)


def test_same_post_is_riskier_from_a_journalist_with_reach(enricher: Enricher) -> None:
    text = "Datalek bij de bank: klantgegevens gestolen, schandalig"
    anon = EnrichInput(text=text)
    press = EnrichInput(
        text=text,
        author=Author(handle="verslag", bio="Journalist", followers=150_000),
        engagement=Engagement(shares=300, likes=2000),
    )
    low, high = enricher.enrich([anon, press])
    assert high.stakeholder is StakeholderType.MEDIA
    assert high.risk > low.risk
    assert high.risk_factors.reach > 0.85
    assert high.risk == pytest.approx(
        high.risk_factors.signal * high.risk_factors.exposure, abs=1e-3
    )
    assert 0.0 <= low.risk <= high.risk <= 1.0


def test_batch_known_accounts_and_per_item_override(enricher: Enricher) -> None:
    items = [
        EnrichInput(text="Storing", author=Author(handle="@Anna")),
        EnrichInput(
            text="Storing",
            author=Author(handle="anna"),
            known_accounts={"anna": StakeholderType.INVESTOR},
        ),
    ]
    first, second = enricher.enrich(items, known_accounts={"anna": StakeholderType.ANALYST})
    assert (first.stakeholder, first.stakeholder_reason) == (StakeholderType.ANALYST, "known")
    assert second.stakeholder is StakeholderType.INVESTOR

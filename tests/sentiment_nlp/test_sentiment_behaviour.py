"""Sentiment on social text: negation, intensifiers, emoji, elongation, languages, shape."""

from __future__ import annotations

import json

import pytest

from services.sentiment.nlp import Enricher, ScoreResult, SentimentLabel


def score(enricher: Enricher, text: str, language: str | None = None) -> float:
    return enricher.score_texts([text], language=language)[0].sentiment.score


def label(enricher: Enricher, text: str, language: str | None = None) -> SentimentLabel:
    return enricher.score_texts([text], language=language)[0].sentiment.label


def test_score_result_has_the_public_api_shape(enricher: Enricher) -> None:
    results = enricher.score_texts(["Top service, bedankt!", "The app is down again"])
    assert all(isinstance(r, ScoreResult) for r in results)
    payload = json.loads(results[0].model_dump_json())
    assert set(payload) == {"language", "sentiment", "intents", "risk"}
    assert set(payload["sentiment"]) == {"label", "score", "confidence"}
    assert payload["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert -1.0 <= payload["sentiment"]["score"] <= 1.0
    assert 0.0 <= payload["sentiment"]["confidence"] <= 1.0
    assert 0.0 <= payload["risk"] <= 1.0
    assert isinstance(payload["intents"], list)


def test_results_keep_input_order_and_are_frozen(enricher: Enricher) -> None:
    texts = ["I love this :)", "I hate this", "Ik ben heel blij", "Dit is echt waardeloos"]
    results = enricher.score_texts(texts)
    labels = [r.sentiment.label for r in results]
    assert labels == [
        SentimentLabel.POSITIVE,
        SentimentLabel.NEGATIVE,
        SentimentLabel.POSITIVE,
        SentimentLabel.NEGATIVE,
    ]
    with pytest.raises(ValueError, match="frozen"):
        results[0].risk = 0.5  # type: ignore[misc]


def test_empty_batch(enricher: Enricher) -> None:
    assert enricher.score_texts([]) == []
    assert enricher.enrich([]) == []


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [
        ("slecht", "niet slecht", "nl"),
        ("goed", "niet goed", "nl"),
        ("bad", "not bad", "en"),
        ("good", "not good", "en"),
    ],
)
def test_negation_moves_the_score_the_other_way(
    enricher: Enricher, plain: str, negated: str, language: str
) -> None:
    before, after = score(enricher, plain, language), score(enricher, negated, language)
    if before > 0:
        assert after < before - 0.5
    else:
        assert after > before + 0.5


def test_dutch_negation_flips_the_label(enricher: Enricher) -> None:
    assert label(enricher, "slecht", "nl") is SentimentLabel.NEGATIVE
    assert label(enricher, "niet slecht", "nl") is SentimentLabel.POSITIVE
    assert label(enricher, "niet goed", "nl") is SentimentLabel.NEGATIVE


def test_intensifiers_strengthen(enricher: Enricher) -> None:
    assert score(enricher, "echt heel leuk", "nl") > score(enricher, "leuk", "nl") + 0.1
    # already-saturated words stay saturated rather than being diluted by the extra words
    assert score(enricher, "echt heel jammer", "nl") < -0.95
    assert score(enricher, "really very bad service", "en") < (
        score(enricher, "bad service", "en") - 0.1
    )
    # a negated intensifier does not strengthen: "niet echt goed" is a hedge, not praise
    assert score(enricher, "niet echt goed", "nl") < 0


def test_emoji_and_emoticons_carry_polarity(enricher: Enricher) -> None:
    assert label(enricher, "de nieuwe app 😍") is SentimentLabel.POSITIVE
    assert label(enricher, "de nieuwe app 😡") is SentimentLabel.NEGATIVE
    assert score(enricher, "new update :(", "en") < 0 < score(enricher, "new update :)", "en")


def test_elongation_is_understood(enricher: Enricher) -> None:
    assert label(enricher, "slechtttt!!!", "nl") is SentimentLabel.NEGATIVE
    assert label(enricher, "soooo goooood", "en") is SentimentLabel.POSITIVE


def test_hashtags_mentions_and_urls(enricher: Enricher) -> None:
    text = "@KLM my flight got cancelled again #fail https://t.co/abc"
    result = enricher.score_texts([text])[0]
    assert result.language == "en"
    assert result.sentiment.label is SentimentLabel.NEGATIVE
    assert score(enricher, "#boycot die zooi, nooit meer", "nl") < 0


def test_mixed_dutch_english_posts(enricher: Enricher) -> None:
    result = enricher.score_texts(["Wat een shitty service van jullie, echt not done"])[0]
    assert result.language == "nl"
    assert result.sentiment.label is SentimentLabel.NEGATIVE


def test_languages_and_hint(enricher: Enricher) -> None:
    texts = [
        "Alweer een storing bij de app, niemand die reageert",
        "The app has been down for hours and nobody answers",
        "Die App ist schon wieder nicht erreichbar und keiner antwortet",
        "L'application est encore en panne et personne ne répond",
        "👍",
    ]
    assert [r.language for r in enricher.score_texts(texts)] == ["nl", "en", "de", "fr", "und"]
    assert enricher.score_texts(["hello"], language="nl-BE")[0].language == "nl"


def test_other_languages_get_low_confidence(enricher: Enricher) -> None:
    german = enricher.score_texts(["Das ist wirklich sehr schlecht"])[0]
    english = enricher.score_texts(["That is really very bad"])[0]
    assert german.language == "de"
    assert german.sentiment.confidence < english.sentiment.confidence


def test_concurrent_use_gives_the_same_answers(enricher: Enricher) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["Top service!", "Storing bij de bank", "Great app", "worst day ever"] * 50
    expected = enricher.score_texts(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: enricher.score_texts(texts), range(8)))
    assert all(o == expected for o in outcomes)

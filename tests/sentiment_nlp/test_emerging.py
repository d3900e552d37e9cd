"""Emerging terms: tokenizer and the log-odds ranking."""

from __future__ import annotations

from collections import Counter

from services.sentiment.nlp.emerging import count_terms, emerging_terms, tokenize


def test_tokenizer_drops_stopwords_urls_handles_and_builds_bigrams() -> None:
    terms = tokenize(
        "Alweer STORING bij de app van @KLM #storing https://t.co/x 2024 geen check-in"
    )
    assert "storing" in terms
    assert "#storing" in terms
    assert "check-in" in terms
    assert "app" in terms
    assert not {"een", "bij", "de", "van", "geen", "@klm", "2024"} & set(terms)
    assert not any("http" in t for t in terms)
    assert "alweer storing" in terms  # adjacent non-stopwords form a bigram
    assert "storing app" not in terms  # "bij de" sits between them


def test_tokenizer_folds_diacritics() -> None:
    assert tokenize("Café Überlingen", bigrams=False) == ["cafe", "uberlingen"]


def test_count_terms_counts_documents_not_repeats() -> None:
    counts = count_terms(["storing storing storing", "storing"])
    assert counts["storing"] == 2


def test_rising_terms_rank_first_and_stable_terms_are_left_out() -> None:
    baseline = count_terms(
        ["mooi weer vandaag", "de app werkt prima", "goede service bij klm"] * 50
    )
    window = count_terms(
        ["storing bij de app", "de app ligt eruit storing"] * 20 + ["mooi weer vandaag"] * 20
    )
    ranked = emerging_terms(window, baseline, top_k=5)
    assert ranked[0].term == "storing"
    assert ranked[0].count == 40
    assert ranked[0].baseline_count == 0
    terms = [t.term for t in ranked]
    assert "mooi weer" not in terms  # same share in both windows
    assert all(t.score >= 1.96 and t.delta > 0 for t in ranked)
    assert [t.score for t in ranked] == sorted((t.score for t in ranked), reverse=True)


def test_more_evidence_beats_a_one_off() -> None:
    baseline = Counter({"weer": 100, "app": 100, "trein": 100})
    window = Counter({"weer": 100, "app": 100, "trein": 100, "storing": 40, "zeldzaam": 3})
    ranked = emerging_terms(window, baseline, min_score=0.0)
    names = [t.term for t in ranked]
    assert names.index("storing") < names.index("zeldzaam")


def test_min_count_and_top_k() -> None:
    window = Counter({"a1": 2, "b2": 10})
    assert [t.term for t in emerging_terms(window, Counter(), min_count=3, min_score=0)] == ["b2"]
    assert emerging_terms(window, Counter(), top_k=0) == []

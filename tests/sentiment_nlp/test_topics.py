"""Topic query language: parsing, matching, errors with positions."""

from __future__ import annotations

import pytest

from services.sentiment.nlp.topics import TopicQueryError, compile_query


def test_boolean_operators_and_precedence() -> None:
    q = compile_query("klm OR transavia AND storing")  # AND binds tighter than OR
    assert q.matches("KLM heeft nieuwe stoelen")
    assert q.matches("Transavia storing vandaag")
    assert not q.matches("Transavia nieuwe route")


def test_parentheses_not_and_implicit_and() -> None:
    q = compile_query('(klm OR "royal dutch airlines") (storing OR vertraging) NOT vacature')
    assert q.matches("Weer vertraging bij KLM")
    assert q.matches("royal dutch airlines: storing")
    assert not q.matches("KLM storing, vacature monteur")
    assert not q.matches("KLM nieuwe stoelen")
    assert compile_query("klm -vacature").matches("klm nieuws")
    assert not compile_query("klm -vacature").matches("klm vacature")


def test_case_and_diacritics_insensitive() -> None:
    assert compile_query("café").matches("Nieuw CAFE geopend")
    assert compile_query("CAFE").matches("nieuw café geopend")
    assert compile_query("Zürich").matches("zurich airport")


def test_whole_words_prefix_wildcard_and_phrases() -> None:
    assert not compile_query("storing").matches("verstoring op het spoor")
    assert compile_query("storing*").matches("storingen op het spoor")
    assert compile_query('"klant service"').matches("Klant-service? nee: klant service!")
    assert not compile_query('"service klant"').matches("klant service")


def test_hashtags_and_handles() -> None:
    tag = compile_query("#boycot")
    assert tag.matches("Tijd voor een #Boycot")
    assert not tag.matches("ik boycot ze")
    assert compile_query("boycot").matches("Tijd voor een #boycot")  # words match hashtags
    handle = compile_query("@klm")
    assert handle.matches("hallo @KLM waar is mijn koffer")
    assert handle.matches("waar is mijn koffer", handle="KLM")
    assert not handle.matches("klm waar is mijn koffer")


def test_any_language() -> None:
    assert compile_query("東京").matches("我爱東京的地铁")
    assert compile_query("привет").matches("Привет мир")
    assert compile_query("αθήνα").matches("Καλημέρα Αθήνα")


def test_operators_must_be_upper_case_to_be_operators() -> None:
    q = compile_query("rock and roll")  # three words, all required
    assert q.matches("Rock and roll!")
    assert not q.matches("rock roll")


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 0, "empty query"),
        ("klm AND", 7, "ends where a term"),
        ("(klm OR transavia", 0, "never closed"),
        ("klm)", 3, "unbalanced"),
        ('klm "storing', 4, "unterminated"),
        ("OR klm", 0, "needs a term"),
        ("klm AND OR x", 8, "needs a term"),
        ("# klm", 0, "hashtag"),
        ("klm ()", 4, "empty parentheses"),
        ("st*ring", 0, "only allowed at the end"),
    ],
)
def test_errors_have_positions(query: str, position: int, fragment: str) -> None:
    with pytest.raises(TopicQueryError) as info:
        compile_query(query)
    assert info.value.position == position
    assert fragment in info.value.message
    assert "^" in str(info.value)

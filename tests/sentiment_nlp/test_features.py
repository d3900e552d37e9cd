"""The fast normalisation passes do exactly what the regular expressions they replace define."""

from __future__ import annotations

import random
import re

import numpy as np

from services.sentiment.nlp import features
from services.sentiment.nlp.features import HashIndex, string_hash

_TRICKY = [
    "",
    " ",
    "\n",
    " a  b \n\n  c ",
    "soooo goooood!!!111",
    "1,5 miljoen in 2024 \u0663\u0664 \U0001d7d9\U0001d7da \u00b2",
    "tab\there\u00a0nbsp\u2003em\x1cfs\u2028ls",
    "__init__ ___ ééé ßßß \u2780\u2780\u2780",
    "(a) [b] {c} «d» „e“ …f… #g @h a-b 5€ £5 10% x&y <3",
]
_ALPHABET = list("aab  x8:;=()<>^_-3/\\|'!?1.,#@€…«»\"*~&%$£+{}[]\t\n\u00a0\u2003é😀²٣𝟙")


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 20))) for _ in range(n)]


def test_elongation_cut_matches_its_regex() -> None:
    for text in [*_TRICKY, *_random_texts(500, 1), "\n".join(_random_texts(500, 2))]:
        assert features._cut_elongation(text) == re.sub(r"(\w)\1\1+", r"\1\1", text), text


def test_symbol_digit_and_space_pass_matches_its_regexes() -> None:
    for text in [*_TRICKY, *_random_texts(500, 3), "\n".join(_random_texts(500, 4))]:
        spaced = features._SYMBOLS.sub(lambda m: " " + m.group(0) + " ", text)
        digits = re.sub(r"\d+", "0", spaced)
        expected = "\n".join(" ".join(line.split()) for line in digits.split("\n"))
        assert features._symbols_digits_spaces(text) == expected, text


def test_emoticons_need_space_around_them() -> None:
    out = features.normalise_batch(["top :) en :-( maar", "x:)", ":)x", "<3 </3 ^_^", "8-) ;p"])
    assert out.split("\n") == [
        "top emopos en emoneg maar",
        "x : )",
        ": ) x",
        "emopos emoneg emopos",
        "emopos emopos",
    ]


def test_hash_index_finds_every_key_and_nothing_else() -> None:
    words = [f"woord{i}" for i in range(5000)]
    keys = np.array(sorted({string_hash(w) for w in words}), dtype=np.uint64)
    index = HashIndex.build(keys)
    assert np.array_equal(index.find(keys), np.arange(keys.size))
    others = np.array([string_hash(f"ander{i}") for i in range(5000)], dtype=np.uint64)
    assert (index.find(others) == -1).all()
    assert index.find(np.zeros(0, dtype=np.uint64)).size == 0

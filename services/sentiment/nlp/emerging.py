"""Emerging terms: which words and word pairs rise most in a window against a baseline window.

Pure functions, no I/O.  Count terms per window with :func:`count_terms` (or keep running counts
elsewhere) and rank with :func:`emerging_terms`.

Scoring is the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn,
"Fightin' Words", 2008), divided by its standard deviation (a z-score)::

    prior_w  = alpha * (c_w + b_w + 1) / (N_c + N_b + V)           # shrinks rare terms
    delta_w  = log((c_w + prior_w) / (N_c + A - c_w - prior_w))
             - log((b_w + prior_w) / (N_b + A - b_w - prior_w))      # A = sum of the priors
    z_w      = delta_w / sqrt(1 / (c_w + prior_w) + 1 / (b_w + prior_w))

so a term seen 40 times now and 2 times before outranks one seen 3 times now and never before,
and a brand-new term (absent from the baseline) still ranks, unlike a plain ratio.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["STOPWORDS", "EmergingTerm", "count_terms", "emerging_terms", "tokenize"]


def _words(text: str) -> list[str]:
    return text.split()


STOPWORDS: Final[frozenset[str]] = frozenset(
    _words(
        """
    a an and are as at be been but by can could did do does doing for from had has have he her
    here him his how i if in into is it its just me more most my no nor not now of off on once
    only or other our out over own same she should so some such than that the their them then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours im ive dont cant its rt amp via get
    got go going one all also about after again any because before being below between both
    during each few further let lets us aan al alle alleen als altijd ben bij dan dat de der
    deze die dit doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem
    het hier hij hoe hun iemand iets ik in is ja je jij jou jouw jullie kan kon kunnen maar me
    meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds
    te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wil
    worden wordt zal ze zelf zich zij zijn zo zonder zou zoals echt even gewoon weer heel nou
    hoor dus wij mn m'n z'n
    """
    )
)

_TOKEN: Final = re.compile(r"[#@]?\w[\w'\u2019-]*\w|[#@]?\w")
_URLISH: Final = re.compile(r"(?:https?://|www\.)\S+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(
    text: str, *, stopwords: frozenset[str] = STOPWORDS, bigrams: bool = True
) -> list[str]:
    """Terms of one text: folded unigrams (hashtags keep ``#``) and, if asked, bigrams.

    URLs, @handles, numbers, one-letter tokens and stopwords are dropped as unigrams; a bigram
    ``"a b"`` is formed from adjacent tokens when neither is a stopword or dropped token.
    """
    folded = _fold(_URLISH.sub(" ", text))
    kept: list[str | None] = []
    for tok in _TOKEN.findall(folded):
        tok = tok.replace("\u2019", "'")
        bare = tok.lstrip("#")
        if (
            tok.startswith("@")
            or len(bare) < 2
            or bare.isdigit()
            or bare in stopwords
            or tok in stopwords
        ):
            kept.append(None)
        else:
            kept.append(tok)
    terms = [t for t in kept if t is not None]
    if bigrams:
        terms.extend(
            f"{a.lstrip('#')} {b.lstrip('#')}"
            for a, b in itertools.pairwise(kept)
            if a is not None and b is not None
        )
    return terms


def count_terms(texts: Iterable[str], *, bigrams: bool = True) -> Counter[str]:
    """Document frequency of each term (a term counts once per text, so one spammy post that
    repeats a word does not make it emerge)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(tokenize(text, bigrams=bigrams)))
    return counts


@dataclass(frozen=True, slots=True)
class EmergingTerm:
    """A rising term: its counts in both windows, the log-odds ``delta`` and its z-score."""

    term: str
    count: int
    baseline_count: int
    delta: float
    score: float


def emerging_terms(
    window: Mapping[str, int],
    baseline: Mapping[str, int],
    *,
    top_k: int = 20,
    min_count: int = 3,
    alpha: float = 10.0,
    min_score: float = 1.96,
) -> list[EmergingTerm]:
    """Terms whose frequency rises most from ``baseline`` to ``window``, best first.

    Only terms seen at least ``min_count`` times in the window with a z-score of at least
    ``min_score`` (1.96: two-sided 95 %) are returned.  A bigram that contains a better-scoring
    returned unigram is kept; callers that want one or the other can filter on ``" " in term``.
    """
    if top_k <= 0:
        return []
    n_c = float(sum(window.values()))
    n_b = float(sum(baseline.values()))
    vocab = set(window) | set(baseline)
    v = float(len(vocab)) or 1.0
    total = n_c + n_b
    a_sum = alpha  # the priors sum to alpha * (total + V) / (total + V)
    out: list[EmergingTerm] = []
    for term, c in window.items():
        if c < min_count:
            continue
        b = baseline.get(term, 0)
        prior = alpha * (c + b + 1.0) / (total + v)
        delta = math.log((c + prior) / (n_c + a_sum - c - prior)) - math.log(
            (b + prior) / (n_b + a_sum - b - prior)
        )
        z = delta / math.sqrt(1.0 / (c + prior) + 1.0 / (b + prior))
        if z >= min_score:
            out.append(EmergingTerm(term, int(c), int(b), delta, z))
    out.sort(key=lambda t: (-t.score, t.term))
    return out[:top_k]

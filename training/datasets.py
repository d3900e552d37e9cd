"""Loading the project's training data (/work/shared/data or $UITKIJK_DATA) and the fixed splits.

Training and the benchmark both import this, so the Dutch held-out part is the same everywhere.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(os.environ.get("UITKIJK_DATA", "/work/shared/data"))
DUTCH_HOLDOUT = 300
DUTCH_SEED = 20261129


@dataclass(frozen=True)
class Split:
    texts: list[str]
    labels: np.ndarray


def tweeteval(split: str) -> Split:
    """``split`` is ``train`` (the reconstruction, see its NOTE.md) or ``val``."""
    folder = DATA_DIR / "tweeteval_sentiment"
    stem = "train_reconstructed" if split == "train" else "val"
    with (folder / f"{stem}_text.txt").open(encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    with (folder / f"{stem}_labels.txt").open(encoding="utf-8") as f:
        labels = np.array([int(line) for line in f], dtype=np.int64)  # 0 neg, 1 neu, 2 pos
    return Split(texts, labels)


def bolcom() -> tuple[Split, Split]:
    """(train, held-out) of the Dutch reviews: 300 stratified by label with a fixed seed.

    Labels: 0 negative, 2 positive (the 3-class indices, for one metric code path).
    """
    with (DATA_DIR / "bolcom_nl_book_reviews" / "train.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [r["text"] for r in rows]
    labels = np.array([2 if r["label"] == "positive" else 0 for r in rows], dtype=np.int64)
    rng = np.random.default_rng(DUTCH_SEED)
    held: list[int] = []
    for label in (0, 2):
        idx = np.flatnonzero(labels == label)
        share = round(DUTCH_HOLDOUT * idx.size / labels.size)
        held.extend(rng.choice(idx, size=share, replace=False).tolist())
    mask = np.zeros(labels.size, dtype=bool)
    mask[held] = True
    train = Split([t for t, m in zip(texts, mask, strict=True) if not m], labels[~mask])
    hold = Split([t for t, m in zip(texts, mask, strict=True) if m], labels[mask])
    return train, hold

"""Sentiment models: the ``SentimentModel`` protocol, the shipped hashed linear models, and an
optional ONNX transformer loaded from a file an operator points to.

Shipped artefacts live in ``services/sentiment/models/``: ``manifest.json`` (model version and
one entry per language) and one ``sentiment-<lang>.npz`` per language holding float16 weights
over hashed features (no pickle, loaded with ``allow_pickle=False``).  Inference needs numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from services.sentiment.nlp.features import (
    INTENSIFIERS,
    N_LEX_FEATURES,
    NEGATORS,
    Hashed,
    Lexicon,
    booster_multiplier,
    hash_batch,
    lexicon_features,
    normalise_batch,
)

F32 = npt.NDArray[np.float32]
CLASSES: Final = ("negative", "neutral", "positive")
DEFAULT_MODEL_DIR: Final = Path(__file__).resolve().parent.parent / "models"


class ModelLoadError(RuntimeError):
    """A model file or the package needed to run it is missing or unreadable."""


@runtime_checkable
class SentimentModel(Protocol):
    """Anything that maps texts to probabilities over (negative, neutral, positive)."""

    def predict(self, texts: Sequence[str]) -> F32:
        """Array of shape ``(len(texts), 3)``, rows summing to 1, columns in ``CLASSES`` order."""
        ...


def _softmax(z: npt.NDArray[np.float64]) -> F32:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: F32 = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-z))


def _stacked_design(hashed: Hashed, n_buckets: int) -> tuple[sp.csr_matrix, int, int]:
    """All hashed occurrences as one CSR matrix of ones, one row block per row-sorted run.

    Run ``j`` (word unigrams, word bigrams, char 2-grams, ...) occupies rows ``j*n .. j*n+n-1``,
    so the stacked row index is sorted and the CSR index pointer is a cumulative count: one
    matrix and one sparse-dense product per batch instead of one per run.
    """
    n = hashed.n_docs
    word_bounds = hashed.word_bounds
    char_bounds = hashed.char_bounds
    n_word, n_char = max(len(word_bounds) - 1, 0), max(len(char_bounds) - 1, 0)
    # row counts of each row-sorted run, side by side: the CSR index pointer is their cumsum
    counts = np.zeros((n_word + n_char) * n + 1, dtype=np.int32)
    runs = [(hashed.word_rows, word_bounds, 0), (hashed.char_rows, char_bounds, n_word)]
    for rows, bounds, first in runs:
        for j in range(len(bounds) - 1):
            at = (first + j) * n + 1
            counts[at : at + n] = np.bincount(rows[bounds[j] : bounds[j + 1]], minlength=n)
    indptr = np.cumsum(counts, dtype=np.int32)
    n_words = hashed.word_buckets.size
    buckets = np.empty(n_words + hashed.char_buckets.size, dtype=np.int32)
    buckets[:n_words] = hashed.word_buckets
    buckets[n_words:] = hashed.char_buckets
    matrix = sp.csr_matrix(
        (_ones(buckets.size), buckets, indptr),
        shape=((n_word + n_char) * n, n_buckets),
        copy=False,
    )
    return matrix, n_word, n_char


_ONES: F32 = np.ones(1 << 16, dtype=np.float32)
_ONES.flags.writeable = False


def _ones(size: int) -> F32:
    """A read-only view of ``size`` ones (the design matrix's values), grown on demand."""
    global _ONES
    ones = _ONES
    if ones.size < size:
        ones = np.ones(max(size, 2 * ones.size), dtype=np.float32)
        ones.flags.writeable = False
        _ONES = ones
    return ones[:size]


def family_sums(
    hashed: Hashed, weights: F32
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Sums of ``weights`` rows over each document's word and character n-gram occurrences.

    ``weights`` is ``(n_buckets, k)``; the result is two ``(n_docs, k)`` arrays.  Several
    models over the same features can share one product by stacking their weight columns.
    """
    n = hashed.n_docs
    design, n_word, n_char = _stacked_design(hashed, weights.shape[0])
    k = weights.shape[1]
    blocks = np.asarray(design @ weights, dtype=np.float64).reshape(n_word + n_char, n, k)
    return blocks[:n_word].sum(axis=0), blocks[n_word:].sum(axis=0)


@dataclass(frozen=True, slots=True)
class HashedLinearModel:
    """A linear model over hashed word 1-2grams, char n-grams and lexicon features.

    ``kind == "multiclass"``: ``weights`` has one row per class in ``CLASSES`` order and the
    probabilities are a softmax of the scores.  ``kind == "binary"`` (trained on positive vs
    negative only): one row; with score ``z``, ``p(pos) = sigmoid(z - m)``, ``p(neg) = sigmoid(-z - m)``
    and neutral takes the rest, ``m`` being ``neutral_margin``.
    """

    language: str
    kind: str
    weights: F32  # (n_buckets, rows): C-contiguous, one row of class weights per bucket
    bias: F32  # (rows,)
    lex_weights: F32  # (rows, N_LEX_FEATURES)
    lexicon: Lexicon | None
    n_buckets: int
    char_ngrams: tuple[int, int]
    neutral_margin: float

    def featurise(self, texts: Sequence[str]) -> Hashed:
        return hash_batch(normalise_batch(texts), len(texts), self.n_buckets, self.char_ngrams)

    def predict(self, texts: Sequence[str]) -> F32:
        return self.predict_hashed(self.featurise(texts))

    def scores(self, hashed: Hashed) -> F32:
        """Raw linear scores, shape ``(n_docs, number of weight columns)``.

        The hashed occurrences become one CSR matrix of ones (see ``_stacked_design``) that is
        multiplied with the weight matrix in scipy's C loop; the per-family scale is applied
        per row.
        """
        word, char = family_sums(hashed, self.weights)
        return self.finish(hashed, word, char)

    def finish(
        self,
        hashed: Hashed,
        word: npt.NDArray[np.float64],
        char: npt.NDArray[np.float64],
        boost: npt.NDArray[np.float64] | None = None,
    ) -> F32:
        """Scores from the per-family weight sums of ``family_sums`` (this model's columns).

        ``boost`` is ``booster_multiplier(hashed)`` when the caller has it already.
        """
        out = word * hashed.word_scale[:, None] + char * hashed.char_scale[:, None]
        out += self.bias
        if self.lexicon is not None:
            out += lexicon_features(hashed, self.lexicon) @ self.lex_weights.T
        if self.kind == "multiclass":  # sharpen around the mean so the ranking is kept
            out -= out.mean(axis=1, keepdims=True)
        out *= (booster_multiplier(hashed) if boost is None else boost)[:, None]
        result: F32 = out.astype(np.float32)
        return result

    def probabilities(self, scores: F32) -> F32:
        z = scores.astype(np.float64)
        if self.kind == "multiclass":
            return _softmax(z)
        m = self.neutral_margin
        pos = _sigmoid(z[:, 0] - m)
        neg = _sigmoid(-z[:, 0] - m)
        return np.stack([neg, 1.0 - pos - neg, pos], axis=1).astype(np.float32)

    def predict_hashed(self, hashed: Hashed) -> F32:
        return self.probabilities(self.scores(hashed))

    @classmethod
    def load(cls, path: Path, meta: dict[str, Any]) -> HashedLinearModel:
        if not path.is_file():
            raise ModelLoadError(f"sentiment model file not found: {path}")
        with np.load(path, allow_pickle=False) as z:
            weights = z["weights"].astype(np.float32)
            bias = z["bias"].astype(np.float32)
            lex_weights = z["lex_weights"].astype(np.float32)
            lexicon = None
            if "lex_hashes" in z and z["lex_hashes"].size:
                lexicon = Lexicon(
                    hashes=z["lex_hashes"].astype(np.uint64),
                    valences=z["lex_valences"].astype(np.float32),
                    negator_hashes=Lexicon.build({}).negator_hashes,
                    intensifier_hashes=Lexicon.build({}).intensifier_hashes,
                )
        if weights.shape[1] != int(meta["n_buckets"]):
            raise ModelLoadError(f"{path}: weights do not match n_buckets")
        if lex_weights.shape != (weights.shape[0], N_LEX_FEATURES):
            raise ModelLoadError(f"{path}: lexicon weights have shape {lex_weights.shape}")
        lo, hi = meta["char_ngrams"]
        return cls(
            language=str(meta["language"]),
            kind=str(meta["kind"]),
            weights=np.ascontiguousarray(weights.T),
            bias=bias,
            lex_weights=lex_weights,
            lexicon=lexicon,
            n_buckets=int(meta["n_buckets"]),
            char_ngrams=(int(lo), int(hi)),
            neutral_margin=float(meta.get("neutral_margin", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class ModelBundle:
    """The shipped models: version string and one hashed linear model per language."""

    version: str
    models: dict[str, HashedLinearModel]
    fallback: str


def load_bundle(model_dir: Path | None = None) -> ModelBundle:
    """Load ``manifest.json`` and every model it lists (no network, numpy only)."""
    directory = model_dir or DEFAULT_MODEL_DIR
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise ModelLoadError(f"model manifest not found: {manifest_path}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {
        lang: HashedLinearModel.load(directory / meta["file"], {**meta, "language": lang})
        for lang, meta in manifest["models"].items()
    }
    fallback = str(manifest.get("fallback", "en"))
    if fallback not in models:
        raise ModelLoadError(f"fallback model {fallback!r} is not in {manifest_path}")
    return ModelBundle(version=str(manifest["model_version"]), models=models, fallback=fallback)


class OnnxSentimentModel:
    """A transformer exported to ONNX, run with onnxruntime (imported lazily, optional).

    Expects a model with inputs ``input_ids`` and ``attention_mask`` (int64) and one output of
    logits ``(batch, 3)`` in negative/neutral/positive order, plus a ``tokenizer.json`` (the
    Hugging Face ``tokenizers`` format, package ``tokenizers``) next to it or at
    ``tokenizer_path``.  Operators opt in with ``load_enricher(sentiment_model_path=...)``.
    """

    def __init__(
        self,
        model_path: str | Path,
        tokenizer_path: str | Path | None = None,
        max_length: int = 128,
    ) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelLoadError(f"ONNX sentiment model not found: {path}")
        tok_path = Path(tokenizer_path) if tokenizer_path else path.with_name("tokenizer.json")
        if not tok_path.is_file():
            raise ModelLoadError(f"tokenizer for the ONNX model not found: {tok_path}")
        try:
            import onnxruntime
        except ImportError as exc:
            raise ModelLoadError(
                "onnxruntime is not installed: `pip install onnxruntime` to use an ONNX model"
            ) from exc
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelLoadError(
                "tokenizers is not installed: `pip install tokenizers` to use an ONNX model"
            ) from exc
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self._session: Any = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer: Any = Tokenizer.from_file(str(tok_path))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.enable_padding()

    def predict(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        enc = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        (logits,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[:1]
        return _softmax(np.asarray(logits, dtype=np.float64))


__all__ = [
    "CLASSES",
    "DEFAULT_MODEL_DIR",
    "INTENSIFIERS",
    "NEGATORS",
    "HashedLinearModel",
    "ModelBundle",
    "ModelLoadError",
    "OnnxSentimentModel",
    "SentimentModel",
    "family_sums",
    "load_bundle",
]

"""The enricher: language, sentiment, intents, stakeholder, reach and risk for a batch.

Build it once with :func:`load_enricher` and share it: it holds only read-only models, so
``enrich`` and ``score_texts`` are thread-safe and re-entrant.  No I/O after construction.

Sentiment per language: Dutch texts use the Dutch model, English the English one; a Dutch post
with English function words (or an English one with at least two Dutch ones) blends the two by
the Dutch share of those words.  Texts of
undetermined language (``und``: mostly very short ones like "top!" or "slechtttt") average the
Dutch and English models.  Other languages use the English model pulled halfway towards uniform
(lower confidence, dampened score): it has seen no German or French, only their emoji, emoticons
and the odd loanword.
An operator-supplied model (``sentiment_model_path``) replaces all of this for every language.

Intents: ``complaint``, ``praise`` and ``question`` come from lexicons (see ``intents``); a
lexical complaint is dropped when the sentiment is positive and a lexical praise when it is
negative ("bedankt voor niks"); a clearly negative text (score <= -0.6) is a complaint even
without a lexicon hit.  ``crisis_signal`` comes with its categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from services.sentiment.nlp._construct import build
from services.sentiment.nlp.features import (
    Hashed,
    booster_multiplier,
    hash_batch,
    normalise_batch,
)
from services.sentiment.nlp.intents import Intent, detect_rules, join_lower
from services.sentiment.nlp.language import (
    UND,
    FastTextIdentifier,
    decide_languages,
    stopword_votes,
)
from services.sentiment.nlp.models import (
    ModelBundle,
    ModelLoadError,
    OnnxSentimentModel,
    SentimentModel,
    family_sums,
    load_bundle,
)
from services.sentiment.nlp.risk import reach_scores, risk_scores
from services.sentiment.nlp.schemas import (
    EnrichInput,
    Enrichment,
    ScoreResult,
    Sentiment,
    SentimentLabel,
)
from services.sentiment.nlp.stakeholders import StakeholderType, classify_stakeholder

F32 = npt.NDArray[np.float32]
_LABELS = (SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE)
_COMPLAINT_SCORE = -0.6
_INTENT_ORDER = tuple(Intent)


class Enricher:
    """Batched enrichment with loaded models (see module docstring)."""

    def __init__(
        self,
        bundle: ModelBundle,
        identifier: FastTextIdentifier | None = None,
        custom_model: SentimentModel | None = None,
    ) -> None:
        self._bundle = bundle
        self._identifier = identifier
        self._custom = custom_model
        base = bundle.models[bundle.fallback]
        self._n_buckets = base.n_buckets
        self._char_ngrams = base.char_ngrams
        for model in bundle.models.values():
            if (model.n_buckets, model.char_ngrams) != (self._n_buckets, self._char_ngrams):
                raise ModelLoadError("all shipped models must share one feature configuration")
        self.model_version = bundle.version if custom_model is None else "custom"
        # the Dutch and English weights side by side: one sparse product scores both
        self._joint: F32 | None = None
        if "nl" in bundle.models and bundle.fallback != "nl":
            self._joint = np.ascontiguousarray(
                np.hstack([base.weights, bundle.models["nl"].weights])
            )

    # -- public API -------------------------------------------------------------------------

    def score_texts(self, texts: Sequence[str], language: str | None = None) -> list[ScoreResult]:
        """Results in the shape of ``POST /v1/score``, in input order (no author, no reach)."""
        langs, sentiments, intents, crises = self._analyse(list(texts), [language] * len(texts))
        n = len(texts)
        risks = risk_scores(
            [s.score for s in sentiments],
            crises,
            [Intent.COMPLAINT in its for its in intents],
            np.zeros(n),
            [StakeholderType.UNKNOWN] * n,
        )
        out: list[ScoreResult] = [
            build(
                ScoreResult,
                {"language": lang, "sentiment": sent, "intents": its, "risk": risk},
            )
            for lang, sent, its, (risk, _) in zip(langs, sentiments, intents, risks, strict=True)
        ]
        return out

    def enrich(
        self,
        items: Sequence[EnrichInput],
        known_accounts: Mapping[str, StakeholderType] | None = None,
    ) -> list[Enrichment]:
        """Enrich a batch of mentions (one tenant's ``known_accounts`` for the whole batch)."""
        texts = [item.text for item in items]
        langs, sentiments, intents, crises = self._analyse(texts, [item.language for item in items])
        stakeholders = [
            classify_stakeholder(
                item.author,
                item.known_accounts if item.known_accounts is not None else known_accounts,
            )
            for item in items
        ]
        reaches = reach_scores(
            [item.author.followers if item.author is not None else None for item in items],
            [item.engagement for item in items],
        )
        risks = risk_scores(
            [s.score for s in sentiments],
            crises,
            [Intent.COMPLAINT in its for its in intents],
            reaches,
            [kind for kind, _ in stakeholders],
        )
        version = self.model_version
        out: list[Enrichment] = [
            build(
                Enrichment,
                {
                    "language": lang,
                    "sentiment": sent,
                    "intents": its,
                    "crisis_categories": cats,
                    "stakeholder": kind,
                    "stakeholder_reason": reason,
                    "reach": factors.reach,
                    "risk": risk,
                    "risk_factors": factors,
                    "model_version": version,
                },
            )
            for lang, sent, its, cats, (kind, reason), (risk, factors) in zip(
                langs, sentiments, intents, crises, stakeholders, risks, strict=True
            )
        ]
        return out

    # -- internals --------------------------------------------------------------------------

    def _analyse(
        self, texts: list[str], hints: Sequence[str | None]
    ) -> tuple[list[str], list[Sentiment], list[tuple[Intent, ...]], list[tuple]]:  # type: ignore[type-arg]
        n = len(texts)
        if n == 0:
            return [], [], [], []
        hashed = hash_batch(normalise_batch(texts), n, self._n_buckets, self._char_ngrams)
        votes = stopword_votes(hashed.token_hash, hashed.token_rows, n)
        langs, nl_share = decide_languages(texts, hints, votes, self._identifier)
        probs = self._probabilities(texts, hashed, langs, nl_share, votes.counts)
        sentiments = _sentiments(probs)
        rule_intents, crises = detect_rules(join_lower(texts), n)
        intents: list[tuple[Intent, ...]] = []
        for sent, found in zip(sentiments, rule_intents, strict=True):
            if sent.label is SentimentLabel.POSITIVE:
                found.discard(Intent.COMPLAINT)
            elif sent.label is SentimentLabel.NEGATIVE:
                found.discard(Intent.PRAISE)
                if sent.score <= _COMPLAINT_SCORE:
                    found.add(Intent.COMPLAINT)
            intents.append(tuple([i for i in _INTENT_ORDER if i in found]) if found else ())
        return langs, sentiments, intents, crises

    def _probabilities(
        self,
        texts: list[str],
        hashed: Hashed,
        langs: list[str],
        nl_share: npt.NDArray[np.float64],
        counts: npt.NDArray[np.float64],
    ) -> F32:
        if self._custom is not None:
            return np.asarray(self._custom.predict(texts), dtype=np.float32)
        models = self._bundle.models
        fallback = models[self._bundle.fallback]
        lang_arr = np.array(langs)
        en_hits, nl_hits = counts[:, 1], counts[:, 0]
        other = (lang_arr != "en") & (lang_arr != "nl")
        w = np.zeros(len(texts))
        if self._joint is not None:
            # weight of the Dutch model: 1 for Dutch text without English function words,
            # the Dutch share of nl+en function words for mixed posts, 0 otherwise
            w = np.where(lang_arr == "nl", np.where(en_hits > 0, nl_share, 1.0), 0.0)
            w = np.where((lang_arr == "en") & (nl_hits >= 2), nl_share, w)
            w = np.where(lang_arr == UND, 0.5, w)
        use = w > 0
        if use.any():
            assert self._joint is not None
            boost = booster_multiplier(hashed)
            word, char = family_sums(hashed, self._joint)
            k = fallback.weights.shape[1]
            probs = fallback.probabilities(fallback.finish(hashed, word[:, :k], char[:, :k], boost))
            nl_model = models["nl"]
            p_nl = nl_model.probabilities(nl_model.finish(hashed, word[:, k:], char[:, k:], boost))
            probs = (w[:, None] * p_nl + (1.0 - w[:, None]) * probs).astype(np.float32)
            other &= ~use
        else:
            probs = fallback.predict_hashed(hashed)
        if other.any():
            damp = np.where(other, 0.5, 1.0)[:, None]
            probs = (damp * probs + (1.0 - damp) / 3.0).astype(np.float32)
        return probs


def _sentiments(probs: F32) -> list[Sentiment]:
    p = probs.astype(np.float64)
    labels = p.argmax(axis=1).tolist()
    scores = np.clip(p[:, 2] - p[:, 0], -1.0, 1.0).round(4).tolist()
    conf = p.max(axis=1).round(4).tolist()
    return [
        build(Sentiment, {"label": _LABELS[k], "score": s, "confidence": c})
        for k, s, c in zip(labels, scores, conf, strict=True)
    ]


def load_enricher(
    model_dir: Path | None = None, sentiment_model_path: str | None = None
) -> Enricher:
    """Load the shipped models (or those in ``model_dir``) and the bundled language model.

    ``sentiment_model_path``: an ONNX transformer to use instead of the shipped sentiment
    models (see ``OnnxSentimentModel``); raises ``ModelLoadError`` when the file or
    onnxruntime is missing.  Nothing is downloaded.  Without fastText installed, language
    identification falls back to the stopword vote alone.
    """
    bundle = load_bundle(model_dir)
    custom = OnnxSentimentModel(sentiment_model_path) if sentiment_model_path else None
    try:
        identifier: FastTextIdentifier | None = FastTextIdentifier()
    except (ImportError, FileNotFoundError):
        identifier = None
    return Enricher(bundle, identifier, custom)


__all__ = ["UND", "Enricher", "load_enricher"]

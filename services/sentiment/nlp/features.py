"""Vectorised text normalisation and hashed n-gram features (numpy only, no I/O).

The same functions build the training matrix (``training/train_sentiment.py``) and score texts at
run time, so what the model saw in training is exactly what it sees in production.

A batch is normalised with a handful of regular-expression passes over the *joined* batch (one
call per pass instead of one per text); the passes that ``re`` runs slowly (a pattern that
must be tried at every position, or one match per symbol) work on the batch's code-point array
instead and are tested against the regular expressions they replace.  Word 1-2grams and
character n-grams are hashed with a polynomial rolling hash modulo 2**64, computed for every
substring at once from prefix sums (``h(a, b) = (G[b] - G[a]) * P**b`` with ``G`` the cumulative
sum of ``c_j * P**-(j+1)``), so no Python loop runs per token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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
_REPEAT_PUNCT = re.compile(r"([!?])[!?1]+")
_APOS_NEG = re.compile(r"n[\u2019']t\b")
_APOS = re.compile(r"[\u2019'`\u00b4]")
# Emoticons standing alone: ``(?<!\S)(?:(?P<pos>[:;=8x]-?[)\]dp*]+|\(-?[:;=]|<3+|\^_*\^)|
# [:;=]-?[(\[/\\|]+|\)-?[:;=]|:['\u2019]\(|</3)(?!\S)``, written to start with a character class
# (the first character, then a look-behind for the space before it), so that ``re`` skips
# ahead to candidate characters instead of trying a match at every position.  Positive
# alternatives are the named groups ``p1``..``p4``.
_EMOTICON = re.compile(
    r"[:;=8x(<^)](?<!\S.)(?:(?<=[:;=8x])(?P<p1>-?[)\]dp*]+)|(?<=\()(?P<p2>-?[:;=])"
    r"|(?<=<)(?P<p3>3+)|(?<=\^)(?P<p4>_*\^)|(?<=[:;=])-?[(\[/\\|]+|(?<=\))-?[:;=]"
    r"|(?<=:)[\u2019']\(|(?<=<)/3)(?!\S)"
)
_SYMBOLS = re.compile(r"[!?.,;:()\[\]{}\"“”„«»…|/\\+=*~&%$€£<>#-]")
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
    return " emopos " if match.lastgroup is not None else " emoneg "


def _double_punct(match: re.Match[str]) -> str:
    return " " + match.group(1) * 2 + " "


def _scope(match: re.Match[str]) -> str:
    words = match.group(2).split()
    return match.group(1) + " " + " ".join(w if w in INTENSIFIERS else w.upper() for w in words)


# Character classes of the Basic Multilingual Plane as lookup tables, for the passes below that
# work on code-point arrays; the few distinct characters beyond it are asked one by one.
_BMP = 0x10000


def _bmp_table(predicate: Callable[[str], bool]) -> npt.NDArray[np.bool_]:
    return np.array([predicate(chr(i)) for i in range(_BMP)], dtype=bool)


def _is_word(ch: str) -> bool:  # what ``re``'s ``\w`` matches
    return ch.isalnum() or ch == "_"


_WORD_TABLE = _bmp_table(_is_word)
_DECIMAL_TABLE = _bmp_table(str.isdecimal)  # ``re``'s ``\d``
_SPACE_TABLE = _bmp_table(str.isspace)
_SYMBOL_TABLE = _bmp_table(
    lambda ch: _SYMBOLS.fullmatch(ch) is not None
)  # all in the BMP  # what ``str.split()`` splits on (nothing beyond the BMP)


def _classify(
    codes: npt.NDArray[np.uint32], table: npt.NDArray[np.bool_], predicate: Callable[[str], bool]
) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = table[np.minimum(codes, _BMP - 1)]
    high = codes >= _BMP
    if high.any():
        for code in np.unique(codes[high]).tolist():
            out[codes == code] = predicate(chr(code))
    return out


def _codes(s: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)


def _text(codes: npt.NDArray[np.uint32]) -> str:
    return codes.tobytes().decode("utf-32-le")


def _cut_elongation(s: str) -> str:
    r"""``re.sub(r"(\w)\1\1+", r"\1\1", s)`` on a code-point array: a run of three or more
    of the same word character keeps its first two."""
    c = _codes(s)
    if c.size < 3:
        return s
    third = np.flatnonzero((c[2:] == c[1:-1]) & (c[1:-1] == c[:-2])) + 2
    if third.size == 0:
        return s
    third = third[_classify(c[third], _WORD_TABLE, _is_word)]
    if third.size == 0:
        return s
    keep = np.ones(c.size, dtype=bool)
    keep[third] = False
    return _text(c[keep])


def _symbols_digits_spaces(s: str) -> str:
    r"""Symbols spaced (``re.sub(r"[!?.,…]", r" \g<0> ", s)`` for the ``_SYMBOLS`` class),
    ``re.sub(r"\d+", "0", s)``, then each line as ``" ".join(line.split())``."""
    c = _codes(s)
    if c.size == 0:
        return s
    symbol = _SYMBOL_TABLE[np.minimum(c, _BMP - 1)]
    if symbol.any():  # each symbol becomes space, symbol, space
        reps = np.where(symbol, 3, 1)
        first = np.cumsum(reps)[symbol] - 3
        c = np.repeat(c, reps)
        c[first] = 32
        c[first + 2] = 32
    digit = _classify(c, _DECIMAL_TABLE, str.isdecimal)
    keep = np.ones(c.size, dtype=bool)
    keep[1:] = ~(digit[1:] & digit[:-1])  # a run of digits becomes one "0"
    c = np.where(digit, np.uint32(48), c)[keep]
    nl = c == 10
    space = _classify(c, _SPACE_TABLE, str.isspace) & ~nl
    # a space survives after a character that is neither space nor line break ...
    keep = space.copy()
    keep[0] = False
    keep[1:] &= ~(space[:-1] | nl[:-1])
    keep = ~space | keep
    c = np.where(space, np.uint32(32), c)[keep]
    # ... and when a character other than a line break follows it
    sp = np.flatnonzero(c == 32)
    if sp.size:
        nxt = np.append(c, np.uint32(10))[sp + 1]
        drop = sp[nxt == 10]
        if drop.size:
            keep = np.ones(c.size, dtype=bool)
            keep[drop] = False
            c = c[keep]
    return _text(c)


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
    s = _cut_elongation(s)
    s = _REPEAT_PUNCT.sub(_double_punct, s)
    s = _EMOJI_RE.sub(_emoji, s)
    s = _symbols_digits_spaces(s)
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


# P**j and P**-j for j = 0..len-1, grown on demand and replaced as one tuple (thread-safe:
# readers see either the old or the new pair, and both are correct for the lengths they hold)
_POWER_CACHE: tuple[U64, U64] = (np.ones(1, np.uint64), np.ones(1, np.uint64))


def _power_tables(n: int) -> tuple[U64, U64]:
    """``(P**j, P**-j)`` for ``j = 0..n`` (slices of a cached table)."""
    global _POWER_CACHE
    pw, pinv = _POWER_CACHE
    if pw.size <= n:
        size = max(n + 1, 2 * pw.size, 1 << 16)
        with np.errstate(over="ignore"):
            pw, pinv = _powers(size - 1, _P), _powers(size - 1, _P_INV)
        _POWER_CACHE = (pw, pinv)
    return pw[: n + 1], pinv[: n + 1]


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
        pw, pinv = _power_tables(n)
        g = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(c1 * pinv[1:], out=g[1:])
        tok_hash = (g[ends] - g[starts]) * pw[ends]
        tok_rows = nl_cum[starts]
        same = tok_rows[1:] == tok_rows[:-1]
        s2, e2 = starts[:-1][same], ends[1:][same]
        bi_hash = (g[e2] - g[s2]) * pw[e2]
        w_hash = np.concatenate((tok_hash, bi_hash))
        w_b = (((w_hash ^ _SALT_WORD) * _MIX) >> shift).astype(np.int64)
    w_rows = np.concatenate((tok_rows, tok_rows[:-1][same]))

    # character n-grams: rolling hash over slices (no gathers): h_k = h_{k-1} * P + c, updated
    # in place, each n-gram length written straight into its segment of the output (large
    # temporaries cost page faults: fewer of them matter as much as fewer operations)
    lo, hi = char_ngrams
    sizes: list[int] = []
    masks: list[npt.NDArray[np.bool_]] = []
    if hi >= lo > 0:
        for k in range(lo, min(hi, n) + 1):
            masks.append(nl_cum[k : n + 1] == nl_cum[: n - k + 1])
            sizes.append(int(np.count_nonzero(masks[-1])))
    total = sum(sizes)
    c_b = np.empty(total, dtype=np.int64)
    c_rows = np.empty(total, dtype=np.int64)
    if masks:
        h = c1.copy()
        tmp = np.empty(n, dtype=np.uint64)
        offset = 0
        with np.errstate(over="ignore"):
            for k in range(1, lo + len(masks)):
                m = n - k + 1
                hk = h[:m]
                if k > 1:
                    hk *= _P
                    hk += c1[k - 1 :]
                if k < lo:
                    continue
                ok, size = masks[k - lo], sizes[k - lo]
                t = tmp[:m]
                np.bitwise_xor(hk, _SALT_CHAR, out=t)
                t += np.uint64(k)
                t *= _MIX
                t >>= shift
                np.compress(ok, t.view(np.int64), out=c_b[offset : offset + size])
                np.compress(ok, nl_cum[:m], out=c_rows[offset : offset + size])
                offset += size
    w_bounds = (0, tok_rows.size, w_rows.size)
    c_bounds = tuple(np.cumsum([0, *sizes]).tolist())
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


@dataclass(frozen=True, slots=True)
class HashIndex:
    """An open-addressing hash table over 64-bit token hashes, looked up a batch at a time.

    A binary search (``np.searchsorted``) into a 15,000-word lexicon costs about 80 ns per
    token; here most tokens need one gather into a quarter-full table (empty slot: absent).
    """

    keys: U64  # 2**bits slots; meaningful where ``slots >= 0``
    slots: I64  # index into the hashes the table was built from, -1 = empty slot
    shift: np.uint64
    probes: int  # longest probe sequence of any key

    @classmethod
    def build(cls, hashes: U64) -> HashIndex:
        bits = max(6, int(4 * hashes.size).bit_length())  # load factor at most 1/4
        size = 1 << bits
        keys = [0] * size
        slots = [-1] * size
        probes = 1
        mix, shift, mask = int(_MIX), 64 - bits, size - 1
        for i, h in enumerate(hashes.tolist()):
            slot, length = ((h * mix) % 2**64) >> shift, 1
            while slots[slot] >= 0 and keys[slot] != h:
                slot, length = (slot + 1) & mask, length + 1
            keys[slot], slots[slot] = h, i
            probes = max(probes, length)
        return cls(
            keys=np.array(keys, dtype=np.uint64),
            slots=np.array(slots, dtype=np.int64),
            shift=np.uint64(shift),
            probes=probes,
        )

    def find(self, values: U64) -> I64:
        """Index of each value in the hashes the table was built from, -1 when absent."""
        out = np.full(values.size, -1, dtype=np.int64)
        if values.size == 0:
            return out
        mask = self.keys.size - 1
        with np.errstate(over="ignore"):
            slot = ((values * _MIX) >> self.shift).astype(np.int64)
        todo = np.arange(values.size)
        for _ in range(self.probes):
            owner = self.slots[slot]
            found = (self.keys[slot] == values) & (owner >= 0)
            out[todo[found]] = owner[found]
            more = ~found & (owner >= 0)
            if not more.any():
                break
            todo, values, slot = todo[more], values[more], (slot[more] + 1) & mask
        return out


def member(table: U64 | HashIndex, values: U64) -> npt.NDArray[np.bool_]:
    """``np.isin`` for a sorted, de-duplicated ``table`` or a ``HashIndex``."""
    if isinstance(table, HashIndex):
        return table.find(values) >= 0
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
        pos = _lexicon_index(self.hashes).find(token_hash)
        return np.where(pos >= 0, self.valences[pos], np.float32(0.0)).astype(np.float32)


# Built once per distinct lexicon array (the shipped models hold one lexicon each); keyed by
# the array's identity, which the frozen Lexicon keeps alive as long as it is used.
_LEXICON_INDEXES: dict[int, tuple[U64, HashIndex]] = {}


def _lexicon_index(hashes: U64) -> HashIndex:
    entry = _LEXICON_INDEXES.get(id(hashes))
    if entry is None or entry[0] is not hashes:
        entry = (hashes, HashIndex.build(hashes))
        _LEXICON_INDEXES[id(hashes)] = entry
    return entry[1]


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
        prev_int[1:] = member(_INTENSIFIER_INDEX, th[:-1]) & (rows[1:] == rows[:-1])
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


_BOOSTERS_TABLE = HashIndex.build(np.array([string_hash(w) for w in BOOSTERS], dtype=np.uint64))
_NEGATOR_TABLE = HashIndex.build(np.array([string_hash(w) for w in NEGATORS], dtype=np.uint64))
_INTENSIFIER_INDEX = HashIndex.build(
    np.array([string_hash(w) for w in INTENSIFIERS], dtype=np.uint64)
)
_HASH_Q = np.uint64(string_hash("?"))
_HASH_EXCL = np.uint64(string_hash("!"))

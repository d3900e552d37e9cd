"""Topic queries: per-tenant tracked brands and keyword groups as boolean expressions.

Grammar (operators in UPPER CASE; lower-case ``and``/``or``/``not`` are ordinary words)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        -- juxtaposition is an implicit AND
    unary   := "NOT" unary | "-" unary | atom
    atom    := "(" or ")" | '"' phrase '"' | "#" tag | "@" handle | word ["*"]

Matching is case- and diacritics-insensitive (``café`` matches ``CAFE``).  A word matches a whole
token of the text (``storing`` does not match ``verstoring``; ``storing*`` does, as a prefix), and
a hashtag's text counts as a word (``boycot`` matches ``#boycot``), whereas ``#boycot`` only
matches the hashtag.  ``@klm`` matches the author's handle or an @mention in the text.  Phrases
match consecutive tokens.  Words in scripts written without spaces (CJK, Thai, ...) match as
substrings.  Compile once with :func:`compile_query`, then call ``matches(text, handle)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = ["CompiledQuery", "TopicQueryError", "compile_query", "fold"]


class TopicQueryError(ValueError):
    """A topic query that does not parse; ``position`` is the 0-based offset in the query."""

    def __init__(self, message: str, position: int, query: str) -> None:
        self.message = message
        self.position = position
        self.query = query
        pointer = " " * position + "^"
        super().__init__(f"{message} at position {position}\n  {query}\n  {pointer}")


def fold(text: str) -> str:
    """Lower-case and strip diacritics (NFKD, combining marks removed)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_WORD_RE: Final = re.compile(r"[#@]?[\w][\w'\u2019\-.]*\w|[#@]?\w")
_NOSPACE_SCRIPT: Final = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)


@dataclass(frozen=True, slots=True)
class _Doc:
    folded: str
    tokens: tuple[str, ...]  # words with '#'/'@' removed
    words: frozenset[str]
    hashtags: frozenset[str]
    handles: frozenset[str]


def _prepare(text: str, handle: str | None) -> _Doc:
    folded = fold(text)
    raw = _WORD_RE.findall(folded)
    tokens: list[str] = []
    tags: set[str] = set()
    handles: set[str] = set()
    for tok in raw:
        tok = tok.rstrip(".")
        if tok.startswith("#"):
            tags.add(tok[1:])
            tok = tok[1:]
        elif tok.startswith("@"):
            handles.add(tok[1:])
            tok = tok[1:]
        tokens.append(tok)
    if handle:
        handles.add(fold(handle).lstrip("@"))
    return _Doc(folded, tuple(tokens), frozenset(tokens), frozenset(tags), frozenset(handles))


Predicate = Callable[[_Doc], bool]


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # LPAREN RPAREN AND OR NOT PHRASE WORD TAG HANDLE EOF
    value: str
    pos: int


_OPS: Final = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_STOP_CHARS: Final = set(' \t\r\n()"')


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("LPAREN", ch, i))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RPAREN", ch, i))
            i += 1
        elif ch in '"“”':
            end = next((j for j in range(i + 1, n) if query[j] in '"“”'), -1)
            if end < 0:
                raise TopicQueryError("unterminated quoted phrase", i, query)
            phrase = query[i + 1 : end]
            if not _WORD_RE.findall(fold(phrase)):
                raise TopicQueryError("empty quoted phrase", i, query)
            toks.append(_Tok("PHRASE", phrase, i))
            i = end + 1
        elif (
            ch == "-"
            and (
                not toks
                or toks[-1].kind in {"LPAREN", "AND", "OR", "NOT"}
                or query[i - 1].isspace()
            )
            and i + 1 < n
            and not query[i + 1].isspace()
        ):
            toks.append(_Tok("NOT", "-", i))
            i += 1
        else:
            j = i
            while j < n and query[j] not in _STOP_CHARS:
                j += 1
            word = query[i:j]
            if word in _OPS:
                toks.append(_Tok(_OPS[word], word, i))
            elif word[0] in "#@":
                body = fold(word[1:]).strip(".,;:!?")
                if not body or not re.fullmatch(r"[\w.\-]+", body):
                    what = "hashtag" if word[0] == "#" else "handle"
                    raise TopicQueryError(f"empty or invalid {what}", i, query)
                toks.append(_Tok("TAG" if word[0] == "#" else "HANDLE", body, i))
            else:
                body = fold(word)
                if body.endswith("*") and len(body) > 1 and "*" not in body[:-1]:
                    pass
                elif "*" in body:
                    raise TopicQueryError("'*' is only allowed at the end of a word", i, query)
                if not re.search(r"\w", body):
                    raise TopicQueryError(f"unexpected character {word[0]!r}", i, query)
                toks.append(_Tok("WORD", body, i))
            i = j
    toks.append(_Tok("EOF", "", n))
    return toks


def _word_pred(word: str) -> Predicate:
    if _NOSPACE_SCRIPT.search(word):
        w = word.rstrip("*")
        return lambda d: w in d.folded
    if word.endswith("*"):
        prefix = word[:-1]
        return lambda d: any(t.startswith(prefix) for t in d.words)
    parts = [p.rstrip(".") for p in _WORD_RE.findall(word)]
    if len(parts) > 1:  # "e-mail", "t.me": tokenised like the text, match as a phrase
        return _phrase_pred(tuple(parts))
    w = parts[0] if parts else word
    return lambda d: w in d.words


def _phrase_pred(parts: tuple[str, ...]) -> Predicate:
    k = len(parts)
    first = parts[0]

    def pred(d: _Doc) -> bool:
        if first not in d.words:
            return False
        toks = d.tokens
        return any(toks[i : i + k] == parts for i in range(len(toks) - k + 1) if toks[i] == first)

    return pred


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Predicate:
        if self.peek().kind == "EOF":
            raise TopicQueryError("empty query", 0, self.query)
        pred = self.parse_or()
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise TopicQueryError("unbalanced ')'", tok.pos, self.query)
        if tok.kind != "EOF":  # pragma: no cover - parse_and consumes every operand
            raise TopicQueryError(f"unexpected {tok.value!r}", tok.pos, self.query)
        return pred

    def parse_or(self) -> Predicate:
        terms = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            terms.append(self.parse_and())
        if len(terms) == 1:
            return terms[0]
        return lambda d: any(t(d) for t in terms)

    def parse_and(self) -> Predicate:
        terms = [self.parse_unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
            elif kind not in {"LPAREN", "NOT", "PHRASE", "WORD", "TAG", "HANDLE"}:
                break
            terms.append(self.parse_unary())
        if len(terms) == 1:
            return terms[0]
        return lambda d: all(t(d) for t in terms)

    def parse_unary(self) -> Predicate:
        if self.peek().kind == "NOT":
            self.take()
            inner = self.parse_unary()
            return lambda d: not inner(d)
        return self.parse_atom()

    def parse_atom(self) -> Predicate:
        tok = self.take()
        if tok.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise TopicQueryError("empty parentheses", tok.pos, self.query)
            inner = self.parse_or()
            close = self.take()
            if close.kind != "RPAREN":
                raise TopicQueryError("'(' is never closed", tok.pos, self.query)
            return inner
        if tok.kind == "WORD":
            return _word_pred(tok.value)
        if tok.kind == "PHRASE":
            parts = tuple(p.rstrip(".").lstrip("#@") for p in _WORD_RE.findall(fold(tok.value)))
            if len(parts) == 1:
                return _word_pred(parts[0])
            return _phrase_pred(parts)
        if tok.kind == "TAG":
            tag = tok.value
            return lambda d: tag in d.hashtags
        if tok.kind == "HANDLE":
            handle = tok.value
            return lambda d: handle in d.handles
        if tok.kind == "EOF":
            raise TopicQueryError("query ends where a term was expected", tok.pos, self.query)
        if tok.kind == "RPAREN":
            raise TopicQueryError("unbalanced ')'", tok.pos, self.query)
        raise TopicQueryError(f"operator {tok.value} needs a term before it", tok.pos, self.query)


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A parsed topic query; immutable and safe to share between threads."""

    source: str
    _pred: Predicate

    def matches(self, text: str, handle: str | None = None) -> bool:
        """Whether a mention's text (and author handle) satisfies the query."""
        return self._pred(_prepare(text, handle))


def compile_query(query: str) -> CompiledQuery:
    """Parse ``query`` once; raises :class:`TopicQueryError` with the offending position."""
    return CompiledQuery(query, _Parser(query).parse())

"""HTML to plain text with the standard library, for Mastodon statuses and bios (and YouTube's
``textDisplay`` when ``textOriginal`` is absent).

What a reader sees is kept: link text (Mastodon splits a long URL into ``invisible`` and
``ellipsis`` spans; their text together is the full URL), ``@mentions`` and ``#hashtags``,
line breaks for ``<br>`` and list items (as ``- item``), paragraph breaks between blocks. Entities are decoded. Scripts and
styles are dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        "p", "div", "blockquote", "ul", "ol", "pre", "section", "article",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
    }
)  # fmt: skip
_SKIPPED = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_PARAGRAPH = "\x00"  # a paragraph break, resolved after whitespace is collapsed
_LINE = "\x01"


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self.parts.append(_LINE)
        elif tag == "li":
            self.parts.append(_LINE + "- ")
        elif tag in _BLOCKS:
            self.parts.append(_PARAGRAPH)
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(_LINE)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append(_PARAGRAPH)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._pre:
            self.parts.append(data.replace("\n", _LINE))
        else:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment: no tags, entities decoded, blank lines between blocks."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    paragraphs: list[str] = []
    for block in text.split(_PARAGRAPH):
        lines = [line.strip(" ") for line in block.split(_LINE)]
        joined = "\n".join(lines).strip("\n")
        if joined.strip():
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)

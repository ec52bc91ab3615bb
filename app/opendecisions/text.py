"""HTML fields of open decision records turned into plain text, and plain text made safe to store.

The records carry HTML (6Aika's restricted ``hypertext``, Ahjo's whole ``Content``/``Motion`` documents).
It is only ever *read* here with the standard library's :class:`html.parser.HTMLParser`: nothing is
executed, fetched or rendered, and what comes out is plain text that the templates escape like any other.
Headings split a document into titled sections (Ahjo: "Päätös", "Päätösehdotus", ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from app.text import plain

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\f\v\xa0\u2000-\u200b\u202f\u205f\u3000]+")
_HTML_HINT = re.compile(
    r"</?(?:p|div|span|h[1-6]|br|hr|table|thead|tbody|tr|td|th|ul|ol|li|b|i|em|strong|a|html|body|section)\b[^>]*>"
    r"|&(?:[a-zA-Z]{2,8}|#\d{1,7}|#x[0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPH = frozenset({"p", "table", "ul", "ol", "blockquote", "pre", "section", "article", "hr"}) | _HEADINGS
_LINE = frozenset({"br", "div", "li", "tr", "dd", "dt", "thead", "tbody", "header", "footer", "figcaption"})
_SKIP = frozenset({"script", "style", "title", "template", "noscript", "iframe", "object", "svg", "math"})
_CELLS = frozenset({"td", "th"})


@dataclass(frozen=True)
class Section:
    """A part of a document under one heading; the text before the first heading has ``heading=""``."""

    heading: str
    text: str


def clean(text: str) -> str:
    """Plain text for storage: no control characters, single spaces, at most one blank line in a row.
    Nor any other character the API refuses in typed text (:data:`app.text.CLEAN_TEXT`: bidirectional
    embeddings, overrides and isolates, the noncharacters U+FFFE/U+FFFF): a published record cannot be
    corrected by whoever imports it, and nobody can see them, so they are removed as the web removes them
    (:func:`app.text.plain`) — never kept in ``source``, never a 422 for a title."""
    text = _CONTROL.sub("", plain(text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def looks_like_html(text: str) -> bool:
    """True when the text has real tags or entities (a bare ``<name@example.fi>`` is not HTML)."""
    return bool(_HTML_HINT.search(text))


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self._skip = 0
        self._heading: list[str] | None = None
        self._pending = 0
        self._cell = False
        self._bullet = False

    @property
    def _out(self) -> list[str]:
        return self._heading if self._heading is not None else self.sections[-1][1]

    def _break(self, lines: int) -> None:
        self._pending = max(self._pending, lines)
        self._cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _HEADINGS and not self._skip:
            self._heading = []
        elif tag in _CELLS:
            if self._cell:
                self._out.append(" | ")
            self._cell = True
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _LINE:
            self._break(1)
        if tag == "li":
            self._bullet = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _HEADINGS and self._heading is not None:
            heading = clean("".join(self._heading)).replace("\n", " ")
            self._heading = None
            if heading:
                self.sections.append((heading, []))
                self._pending = 0
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _LINE:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        out = self._out
        if self._pending and out:
            out.append("\n" * self._pending)
        self._pending = 0
        if self._bullet and data.strip():
            out.append("- ")
            self._bullet = False
        out.append(data.replace("\n", " "))


def sections(html: str) -> list[Section]:
    """Split an HTML document into sections by its headings, each as plain text."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    result = [Section(heading, clean("".join(parts))) for heading, parts in parser.sections]
    return [s for s in result if s.heading or s.text]


def html_to_text(html: str) -> str:
    """The whole document as plain text, headings kept as their own paragraphs."""
    parts: list[str] = []
    for s in sections(html):
        parts.extend(p for p in (s.heading, s.text) if p)
    return "\n\n".join(parts)


def to_text(value: str) -> str:
    """A field that may or may not be HTML (6Aika ``content`` holds both) as plain text."""
    return html_to_text(value) if looks_like_html(value) else clean(value)


def truncate(text: str, limit: int, marker: str = "\n[…]") -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters, at a word boundary when one is near, and mark the cut."""
    if len(text) <= limit:
        return text, False
    room = max(0, limit - len(marker))
    cut = text[:room]
    space = cut.rfind(" ", max(0, room - 200))
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + marker, True


def shorten(text: str, limit: int) -> str:
    """A one-line field (title, body name) cut to ``limit`` characters with an ellipsis."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"

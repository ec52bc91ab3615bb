"""The language of a part of a report in its PDF structure tree (PDF/UA-1 7.2, WCAG 3.1.2).

WeasyPrint 70 writes the document's language (``/Lang`` in the catalogue, from ``<html lang>``) but not
an element's own: the author's texts marked ``lang="sv"`` in a Finnish report were hyphenated as
Swedish (the layout reads ``lang``) yet read aloud with a Finnish voice, as the structure element had no
``/Lang``. :func:`install` wraps the function of ``weasyprint.pdf.tags`` that makes a structure element
of a box, and gives the element ``/Lang`` where the box's HTML element has a ``lang`` attribute of its
own; the element's children inherit it (ISO 32000-1 14.9.2).

The wrapper depends on a private function of WeasyPrint, pinned ``>=70,<71`` in ``pyproject.toml``:
``tests/reports/test_text_language.py`` reads the ``/Lang`` back from a rendered PDF and fails if a
release changes the function, rather than the language marks going missing quietly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pydyf  # type: ignore[import-untyped]
from weasyprint.pdf import tags

_ORIGINAL: Callable[..., Iterator[Any]] = tags._build_box_tree
_DOCUMENT_LEVEL = frozenset({"html", "body"})  # their language is the catalogue's /Lang


def _own_lang(box: Any) -> str | None:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) in _DOCUMENT_LEVEL:
        return None
    lang = element.get("lang")
    return str(lang) if lang else None


def _build_box_tree(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
    lang = _own_lang(box)
    for element in _ORIGINAL(box, parent, *args):
        if lang and "Lang" not in element:
            element["Lang"] = pydyf.String(lang)
        yield element


def install() -> None:
    """Idempotent: every process that renders calls it when :mod:`app.reports.render` is imported."""
    tags._build_box_tree = _build_box_tree

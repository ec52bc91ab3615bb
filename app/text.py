"""The rule for text people type, shared by the API's models, rubric files and the web's forms: no control
characters but tab and line breaks, and no bidirectional embeddings, overrides or isolates.

PostgreSQL cannot store a NUL in text or JSON, and none of the other control characters shows on a page
or in a PDF; they come with text pasted from other programs or with a tampered request. The bidirectional
formatting characters U+202A–U+202E (embeddings, overrides and their end) and U+2066–U+2069 (isolates)
do not show either, but reorder what follows them: a right-to-left override makes ``fdp.exe`` of
``exe.pdf`` and one title look like another, in lists, PDFs and the audit trail (the "Trojan Source"
trick). Right-to-left scripts need none of them (the Unicode bidirectional algorithm orders their
letters). Other invisible format characters stay, as some scripts and words need them: the zero-width
(non-)joiner U+200C/U+200D, the soft hyphen U+00AD, the marks U+200E/U+200F.

The noncharacters U+FFFE and U+FFFF are refused too: no text means them (U+FFFE is a byte-order mark read
the wrong way round), and XML 1.0 cannot hold them, so the Word copy had to drop them silently while the
page and the PDF kept them. Text stored before this rule keeps them; the Word copy still leaves them out.

The API refuses text holding any of these (the pattern :data:`CLEAN_TEXT`: a client learns its text was
not stored as sent); the web removes them where form and link text enter (:func:`plain`), since nobody
typed them on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_REFUSED = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff"
CLEAN_TEXT = rf"^[^{_REFUSED}]*$"
"""A pattern for pydantic's ``StringConstraints`` and FastAPI's ``Query``: text without control characters,
bidirectional embeddings, overrides and isolates, or the noncharacters U+FFFE and U+FFFF."""
_UNCLEAN = re.compile(rf"[{_REFUSED}]")
_CONTROL_NAMES = {"\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def plain(value: str) -> str:
    """``value`` without the characters :data:`CLEAN_TEXT` refuses (for the web, which removes what
    nobody can see instead of refusing it)."""
    return _UNCLEAN.sub("", value) if _UNCLEAN.search(value) else value


def refused_character(value: object) -> str | None:
    """What :data:`CLEAN_TEXT` refuses in ``value``, said for a person: the first such character by code
    point and name, and its position (``"U+202E RIGHT-TO-LEFT OVERRIDE at character 9"``); None when
    ``value`` is not text or holds none (the pattern that failed was another)."""
    if not isinstance(value, str):
        return None
    found = _UNCLEAN.search(value)
    if found is None:
        return None
    char = found.group()
    kind = "a noncharacter" if unicodedata.category(char) == "Cn" else "a control character"
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, f"({kind})")
    return f"U+{ord(char):04X} {name} at character {found.start() + 1}"


def refusal(error: Mapping[str, Any]) -> str | None:
    """For a pydantic error of :data:`CLEAN_TEXT`'s pattern, the rule in words and the character that
    broke it (:func:`refused_character`), for an error message; None for any other error."""
    if error.get("type") != "string_pattern_mismatch":
        return None
    found = refused_character(error.get("input"))
    return f"{REFUSED_TEXT}; found {found}" if found else None


REFUSED_TEXT = (
    "must not contain control characters (but tab and line breaks), bidirectional embeddings, overrides "
    "or isolates (U+202A-U+202E, U+2066-U+2069), or the noncharacters U+FFFE and U+FFFF"
)
"""The rule of :data:`CLEAN_TEXT` in words, for error messages."""

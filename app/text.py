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

The API refuses text holding any of these (the pattern :data:`CLEAN_TEXT`: a client learns its text was
not stored as sent); the web removes them where form and link text enter (:func:`plain`), since nobody
typed them on purpose.
"""

from __future__ import annotations

import re

_REFUSED = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u202a-\\u202e\\u2066-\\u2069"
CLEAN_TEXT = rf"^[^{_REFUSED}]*$"
"""A pattern for pydantic's ``StringConstraints`` and FastAPI's ``Query``: text without control characters
or bidirectional embeddings, overrides and isolates."""
_UNCLEAN = re.compile(rf"[{_REFUSED}]")


def plain(value: str) -> str:
    """``value`` without the characters :data:`CLEAN_TEXT` refuses (for the web, which removes what
    nobody can see instead of refusing it)."""
    return _UNCLEAN.sub("", value) if _UNCLEAN.search(value) else value

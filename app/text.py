"""The rule for text people type, shared by the API's models, rubric files and the web's forms: no control
characters but tab and line breaks. PostgreSQL cannot store a NUL in text or JSON, and none of the others
shows on a page or in a PDF; they come with text pasted from other programs or with a tampered request."""

from __future__ import annotations

import re

CLEAN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""A pattern for pydantic's ``StringConstraints`` and FastAPI's ``Query``: text without control characters."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(value: str) -> str:
    """``value`` without the characters :data:`CLEAN_TEXT` refuses (for the web, which removes what
    nobody can see instead of refusing it)."""
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value

"""Cursor pagination: a stable order (sort key, id) and an opaque cursor naming the last row seen.

Keyset pagination keeps every page as cheap as the first, however deep the client pages.

A cursor is bound to the list, sort and order that handed it out: its first element is a tag
(``"decisions:created_at:desc"``) and the rest are the last row's sort value and id. A cursor of
another list or sort, an edited one, or one handed out before cursors carried a tag, is a 422 naming
``query.cursor`` — never a query run with a value of the wrong type.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from app.assessments.list_repository import COUNT_LIMIT
from app.errors import FieldProblem, ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
CURSOR_FIELD = "query.cursor"
MAX_SEQ = 2**63 - 1  # a BIGINT: larger numbers are not sequence numbers of ours

Parser = Callable[[Any], Any]
"""Turns one decoded JSON value of a cursor into the value the query compares with, or raises
ValueError / TypeError / OverflowError when it is not one."""


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page")
    total: int | None = Field(
        default=None,
        description=f"Number of matching items (all pages), counted up to {COUNT_LIMIT:,}: when more match, "
        f"`total` is {COUNT_LIMIT} and `total_exact` is false",
    )
    total_exact: bool = Field(default=True, description="False when more items match than `total` says")


def cursor_tag(*parts: str) -> str:
    """The tag binding a cursor to its list and sort, e.g. ``cursor_tag("decisions", "created_at", "desc")``."""
    return ":".join(parts)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def encode_cursor(tag: str, values: list[Any]) -> str:
    raw = json.dumps([tag, *values], default=_json_default, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid(why: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid cursor",
        errors=[FieldProblem(CURSOR_FIELD, f"not a cursor of this list and sort ({why}); start again without one")],
    )


def decode_cursor(cursor: str | None, tag: str, *parsers: Parser) -> list[Any] | None:
    """The values of a cursor of the list and sort ``tag``, each turned into its type by its parser;
    None without a cursor. Anything else — not base64 JSON, another tag, another length, a value
    that is not of its type — is a 422 naming ``query.cursor``."""
    if not cursor:
        return None
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        values = json.loads(raw)
    except (ValueError, binascii.Error, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise _invalid("not readable") from exc
    if not isinstance(values, list) or len(values) != len(parsers) + 1 or values[0] != tag:
        raise _invalid("made for another list or sort")
    try:
        return [parse(value) for parse, value in zip(parsers, values[1:], strict=True)]
    except (ValueError, TypeError, OverflowError) as exc:
        raise _invalid("a value is not of its type") from exc


# --- parsers of cursor values --------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    value.encode("utf-8")  # a lone surrogate from "\ud800" cannot be sent to the database
    if "\x00" in value:
        raise ValueError("NUL in a string")
    return value


def as_datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(_text(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)  # OverflowError at the ends of the calendar


def as_date(value: Any) -> date:
    return date.fromisoformat(_text(value))


def as_text(value: Any) -> str:
    return _text(value)


def as_uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(_text(value))


def as_seq(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEQ:
        raise ValueError("not a sequence number")
    return value


def nullable(parse: Parser) -> Parser:
    """``parse``, letting null through (a sort column that may be NULL, e.g. a decision's planned date)."""

    def parse_or_none(value: Any) -> Any:
        return None if value is None else parse(value)

    return parse_or_none

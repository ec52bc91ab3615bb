"""Cursor pagination: a stable order (sort key, id) and an opaque cursor naming the last row seen.

Keyset pagination keeps every page as cheap as the first, however deep the client pages.

A cursor is bound to the list, sort and order that handed it out: its first element is a tag
(``"decisions:created_at:desc"``) and the rest are the last row's sort value and id. It is signed
(``<base64url JSON>.<base64url HMAC-SHA256, 12 bytes>``, keyed with a key derived from
``LIVSKRAFT_SECRET_KEY``), so only cursors this server handed out are read. A cursor of another list
or sort, an edited or unsigned one, or one handed out before cursors carried a tag or a signature, is a
422 naming ``query.cursor`` — never a query run with a value of the wrong type.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from app.assessments.list_repository import COUNT_LIMIT
from app.errors import FieldProblem, ValidationFailed
from app.settings import get_settings

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
    total_exact: bool = Field(
        default=True, description="False when more items match than `total` says, or when `total` is null"
    )

    def model_post_init(self, context: Any, /) -> None:
        """A page without a count (the audit trail) does not claim an exact one."""
        if self.total is None:
            self.total_exact = False


def cursor_tag(*parts: str) -> str:
    """The tag binding a cursor to its list and sort, e.g. ``cursor_tag("decisions", "created_at", "desc")``."""
    return ":".join(parts)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


MAC_BYTES = 12
"""The signature's length: 96 bits, 16 characters of the cursor; guessing one is hopeless."""
_keys: dict[str, bytes] = {}


def _key() -> bytes:
    """The cursors' signing key, derived from the app's secret key (so it is not the key of anything
    else), worked out once per secret."""
    secret = get_settings().secret_key
    key = _keys.get(secret)
    if key is None:
        key = hashlib.sha256(b"livskraft cursor v1\0" + secret.encode()).digest()
        _keys.clear()
        _keys[secret] = key
    return key


def _mac(payload: bytes) -> bytes:
    return hmac.new(_key(), payload, hashlib.sha256).digest()[:MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def encode_cursor(tag: str, values: list[Any]) -> str:
    """``<payload>.<signature>``, both base64url without padding (URL-safe as they are)."""
    payload = _b64(json.dumps([tag, *values], default=_json_default, separators=(",", ":")).encode())
    return payload + "." + _b64(_mac(payload.encode()))


def _invalid(why: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid cursor",
        errors=[FieldProblem(CURSOR_FIELD, f"not a cursor of this list and sort ({why}); start again without one")],
    )


def decode_cursor(cursor: str | None, tag: str, *parsers: Parser) -> list[Any] | None:
    """The values of a cursor of the list and sort ``tag``, each turned into its type by its parser;
    None without a cursor. Anything else — not signed by this server (edited, made by hand), not base64
    JSON, another tag, another length, a value that is not of its type — is a 422 naming
    ``query.cursor``."""
    if not cursor:
        return None
    payload, dot, signature = cursor.partition(".")
    try:
        signed = bool(dot) and hmac.compare_digest(_unb64(signature), _mac(payload.encode("ascii")))
    except (ValueError, binascii.Error) as exc:  # not ASCII (a UnicodeError), not base64
        raise _invalid("not readable") from exc
    if not signed:
        raise _invalid("not signed by this server: edited, or not a cursor")
    try:
        values = json.loads(_unb64(payload))
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

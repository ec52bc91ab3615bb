"""Cursor pagination: a stable order (sort key, id) and an opaque cursor naming the last row seen.

Keyset pagination keeps every page as cheap as the first, however deep the client pages.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from app.assessments.list_repository import COUNT_LIMIT
from app.errors import FieldProblem, ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page")
    total: int | None = Field(
        default=None,
        description=f"Number of matching items (all pages), counted up to {COUNT_LIMIT:,}: when more match, "
        f"`total` is {COUNT_LIMIT} and `total_exact` is false",
    )
    total_exact: bool = Field(default=True, description="False when more items match than `total` says")


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int = 2) -> list[Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid cursor", errors=[FieldProblem("cursor", "not a cursor from this API")]) from exc
    if not isinstance(values, list) or len(values) != length:
        raise ValidationFailed("invalid cursor", errors=[FieldProblem("cursor", "not a cursor from this API")])
    return values

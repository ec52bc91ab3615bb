"""Row-level reads and writes of whole tables for one municipality (export/import only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import Row, Table, select
from sqlmodel import Session

from app.db.models import metadata

# Tables in dependency order, with how each is scoped to one municipality.
BY_MUNICIPALITY = ("user", "rubric_extension", "decision", "assessment", "audit_event")
BY_ASSESSMENT = ("screening_answer", "alternative", "rating", "review_entry", "follow_up")
ORDER = ("municipality", "user", "rubric_extension", "decision", "assessment", *BY_ASSESSMENT, "audit_event")


def table(name: str) -> Table:
    return metadata.tables[name]


def rows_of(session: Session, name: str, municipality_id: uuid.UUID, assessment_ids: list[Any]) -> Sequence[Row[Any]]:
    t = table(name)
    if name == "municipality":
        stmt = select(t).where(t.c.id == municipality_id)
    elif name in BY_MUNICIPALITY:
        stmt = select(t).where(t.c.municipality_id == municipality_id)
    else:
        if not assessment_ids:
            return []
        stmt = select(t).where(t.c.assessment_id.in_(assessment_ids))
    key = [t.c.seq] if name == "audit_event" else list(t.primary_key.columns)
    return session.execute(stmt.order_by(*key)).all()


def _columns(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


def insert_rows(session: Session, name: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows in their order; rows that leave out different columns (to take their defaults) go in
    separate statements, as one multi-row insert needs the same columns in every row."""
    for _, run in groupby(rows, key=_columns):
        session.execute(table(name).insert(), list(run))

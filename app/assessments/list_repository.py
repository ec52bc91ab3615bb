"""List queries of the API: filtered, keyset-paginated, always scoped by municipality."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Row, and_, exists, literal, or_, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer

SortOrder = Literal["asc", "desc"]

COUNT_LIMIT = 1000
"""Lists count at most this many matches: beyond it the total is reported as a lower bound. An exact
count reads every matching row, so its cost grew with the municipality (200–340 ms for 87,000
assessments in the 30 M-rating benchmark) while the page itself stays at 1–3 ms."""


def bounded_count(session: Session, matching: Any) -> tuple[int, bool]:
    """(count, exact) of the rows of ``matching`` (a SELECT with its joins and filters), counting at most
    ``COUNT_LIMIT + 1`` rows: exact is False when more than ``COUNT_LIMIT`` match."""
    n = int(session.exec(select(func.count()).select_from(matching.limit(COUNT_LIMIT + 1).subquery())).one())
    return min(n, COUNT_LIMIT), n <= COUNT_LIMIT


@dataclass(frozen=True)
class DecisionQuery:
    q: str | None = None
    deciding_body: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    case_number: str | None = None
    sort: Literal["created_at", "planned_date", "case_number"] = "created_at"
    order: SortOrder = "desc"


@dataclass(frozen=True)
class AssessmentQuery:
    status: str | None = None
    deciding_body: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    perspective: str | None = None
    target: str | None = None
    significant_negative: bool | None = None
    decision_id: uuid.UUID | None = None
    sort: Literal["updated_at", "created_at"] = "updated_at"
    order: SortOrder = "desc"


def _keyset(
    sort_col: Any, id_col: Any, after: list[Any] | None, order: SortOrder, nullable: bool = True
) -> ColumnElement[bool] | None:
    if after is None:
        return None
    value, last_id = after
    last_uuid = uuid.UUID(str(last_id))
    if not nullable:  # a row comparison: an index on (…, sort column, id) starts the page at the cursor
        row = tuple_(sort_col, id_col)
        bound = tuple_(literal(value, sort_col.type), literal(last_uuid, id_col.type))
        return row > bound if order == "asc" else row < bound
    if value is None:  # NULLs sort last in both orders here: continue within the NULL block by id
        cmp_id = id_col > last_uuid if order == "asc" else id_col < last_uuid
        return and_(sort_col.is_(None), cmp_id)
    if order == "asc":
        return or_(sort_col > value, and_(sort_col == value, id_col > last_uuid), sort_col.is_(None))
    return or_(sort_col < value, and_(sort_col == value, id_col < last_uuid), sort_col.is_(None))


def _order(sort_col: Any, id_col: Any, order: SortOrder, nullable: bool = True) -> list[Any]:
    if not nullable:  # no NULLs to place: the plain order an index on (…, sort column, id) gives
        return [sort_col.asc(), id_col.asc()] if order == "asc" else [sort_col.desc(), id_col.desc()]
    if order == "asc":
        return [sort_col.asc().nulls_last(), id_col.asc()]
    return [sort_col.desc().nulls_last(), id_col.desc()]


def _nullable(model: Any, name: str) -> bool:
    return bool(model.__table__.c[name].nullable)


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ``escape=LIKE_ESCAPE``) matching ``text`` anywhere, lower-cased: ``%`` and
    ``_`` in the text are literal characters, not wildcards (``?q=_`` finds case numbers with an
    underscore, not every decision)."""
    escaped = text.lower().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _decision_filters(municipality_id: uuid.UUID, q: DecisionQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [col(Decision.municipality_id) == municipality_id]
    if q.q:
        like = contains_pattern(q.q)
        conds.append(
            or_(
                func.lower(Decision.title).like(like, escape=LIKE_ESCAPE),
                func.lower(Decision.case_number).like(like, escape=LIKE_ESCAPE),
            )
        )
    if q.case_number:
        conds.append(col(Decision.case_number) == q.case_number)
    if q.deciding_body:
        conds.append(col(Decision.deciding_body) == q.deciding_body)
    if q.date_from:
        conds.append(col(Decision.planned_date) >= q.date_from)
    if q.date_to:
        conds.append(col(Decision.planned_date) <= q.date_to)
    return conds


def page_decisions(
    session: Session, municipality_id: uuid.UUID, q: DecisionQuery, after: list[Any] | None, limit: int
) -> tuple[Sequence[Decision], tuple[int, bool]]:
    """A page of decisions after ``after``: the last row's [sort value, id], typed (the API decodes its
    cursors into types, app/api/pagination.py) or as ISO strings."""
    conds = _decision_filters(municipality_id, q)
    sort_col = col(getattr(Decision, q.sort))
    total = bounded_count(session, sa_select(literal(1)).select_from(Decision).where(*conds))
    if after is not None and q.sort == "created_at" and isinstance(after[0], str):
        after = [datetime.fromisoformat(after[0]), after[1]]
    if after is not None and q.sort == "planned_date" and isinstance(after[0], str):
        after = [date.fromisoformat(after[0]), after[1]]
    nullable = _nullable(Decision, q.sort)
    keyset = _keyset(sort_col, col(Decision.id), after, q.order, nullable)
    stmt = select(Decision).where(*conds)
    if keyset is not None:
        stmt = stmt.where(keyset)
    rows = session.exec(stmt.order_by(*_order(sort_col, col(Decision.id), q.order, nullable)).limit(limit)).all()
    return rows, total


def _assessment_filters(
    municipality_id: uuid.UUID, q: AssessmentQuery, joined: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions of a list query; ``joined``: the query joins each assessment's decision, so the
    decision's body and dates are filtered on that row (no subquery)."""
    conds: list[ColumnElement[bool]] = [col(Assessment.municipality_id) == municipality_id]
    if q.status:
        conds.append(col(Assessment.status) == q.status)
    if q.decision_id:
        conds.append(col(Assessment.decision_id) == q.decision_id)
    if q.significant_negative is not None:
        conds.append(col(Assessment.significant_negative) == q.significant_negative)
    if q.deciding_body or q.date_from or q.date_to:
        dconds: list[ColumnElement[bool]] = [col(Decision.id) == col(Assessment.decision_id)]
        if q.deciding_body:
            dconds.append(col(Decision.deciding_body) == q.deciding_body)
        if q.date_from:
            dconds.append(col(Decision.planned_date) >= q.date_from)
        if q.date_to:
            dconds.append(col(Decision.planned_date) <= q.date_to)
        conds += dconds[1:] if joined else [exists().where(*dconds).correlate(Assessment)]
    if q.perspective or q.target:
        rconds: list[ColumnElement[bool]] = [
            col(Rating.assessment_id) == col(Assessment.id),
            col(Alternative.id) == col(Rating.alternative_id),
            col(Alternative.kind) == "proposal",
            # not a rating kept from before its perspective was screened out: it counts nowhere
            ~exists().where(
                col(ScreeningAnswer.assessment_id) == col(Rating.assessment_id),
                col(ScreeningAnswer.perspective_id) == col(Rating.perspective_id),
                col(ScreeningAnswer.relevant).is_(False),
            ),
        ]
        if q.perspective:
            rconds.append(col(Rating.perspective_id) == q.perspective)
        if q.target:
            rconds.append(col(Rating.target) == q.target)
        conds.append(exists().where(*rconds).correlate(Assessment))
    return conds


def page_assessments(
    session: Session, municipality_id: uuid.UUID, q: AssessmentQuery, after: list[Any] | None, limit: int
) -> tuple[Sequence[Assessment], tuple[int, bool]]:
    conds = _assessment_filters(municipality_id, q)
    sort_col = col(getattr(Assessment, q.sort))
    total = bounded_count(session, sa_select(literal(1)).select_from(Assessment).where(*conds))
    if after is not None and isinstance(after[0], str):
        after = [datetime.fromisoformat(after[0]), after[1]]
    keyset = _keyset(sort_col, col(Assessment.id), after, q.order)
    stmt = select(Assessment).where(*conds)
    if keyset is not None:
        stmt = stmt.where(keyset)
    rows = session.exec(stmt.order_by(*_order(sort_col, col(Assessment.id), q.order)).limit(limit)).all()
    return rows, total


LIST_COLUMNS = (
    col(Assessment.id),
    col(Assessment.decision_id),
    col(Assessment.status),
    col(Assessment.version_no),
    col(Assessment.rubric_id),
    col(Assessment.rubric_version),
    col(Assessment.significant_negative),
    col(Assessment.author_name),
    col(Assessment.reviewer_name),
    col(Assessment.approved_at),
    col(Assessment.updated_at),
    col(Assessment.created_at),
    col(Assessment.lock_version),
    col(Decision.case_number),
    col(Decision.title),
    col(Decision.deciding_body),
    col(Decision.planned_date),
)


def page_assessment_rows(
    session: Session, municipality_id: uuid.UUID, q: AssessmentQuery, after: list[Any] | None, limit: int
) -> tuple[Sequence[Row[Any]], tuple[int, bool]]:
    """Like :func:`page_assessments`, but each item as one light row with its decision's columns: one
    query for the page instead of ORM objects of assessments and then of their decisions. The sort
    columns are never NULL, so the page follows the index (municipality, sort column, id) from the cursor."""
    conds = _assessment_filters(municipality_id, q, joined=True)
    on_decision = col(Decision.id) == col(Assessment.decision_id)
    sort_col = col(getattr(Assessment, q.sort))
    matching = sa_select(literal(1)).select_from(Assessment)
    if q.deciding_body or q.date_from or q.date_to:
        matching = matching.join(Decision, on_decision)
    total = bounded_count(session, matching.where(*conds))
    if after is not None and isinstance(after[0], str):
        after = [datetime.fromisoformat(after[0]), after[1]]
    keyset = _keyset(sort_col, col(Assessment.id), after, q.order, nullable=False)
    stmt = sa_select(*LIST_COLUMNS).join(Decision, on_decision).where(*conds)
    if keyset is not None:
        stmt = stmt.where(keyset)
    rows = session.execute(stmt.order_by(*_order(sort_col, col(Assessment.id), q.order, False)).limit(limit)).all()
    return rows, total

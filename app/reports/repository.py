"""Every query of the reports: the PDF cache, and the bulk loads behind the portfolio report."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Row, and_, case, cast, delete, literal, or_, true, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, func, select

from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer
from app.municipalities.models import Municipality
from app.municipalities.timezone import day_start
from app.reports.models import ReportCache

log = logging.getLogger("livskraft.reports")


def cached_pdf(session: Session, key: str) -> bytes | None:
    content = session.exec(select(ReportCache.content).where(ReportCache.key == key)).first()
    return bytes(content) if content is not None else None


def store_pdf(session: Session, row: ReportCache) -> bool:
    """Keep a rendered PDF and drop older renders of the same report (same assessment, kind, language
    and variant). Runs in a savepoint: the cache is an optimisation, so a concurrent render that stored
    the same key first, or a read-only moment of the database, never fails the request."""
    try:
        with session.begin_nested():
            if row.assessment_id is not None:
                session.execute(
                    delete(ReportCache).where(
                        col(ReportCache.assessment_id) == row.assessment_id,
                        col(ReportCache.kind) == row.kind,
                        col(ReportCache.lang) == row.lang,
                        col(ReportCache.variant) == row.variant,
                        col(ReportCache.key) != row.key,
                    )
                )
            session.add(row)
            session.flush()
    except (IntegrityError, DBAPIError) as exc:
        log.info("report cache not stored (%s): %s", row.key[:12], type(exc).__name__)
        return False
    return True


def forget_assessment(session: Session, assessment_id: uuid.UUID) -> None:
    session.execute(delete(ReportCache).where(col(ReportCache.assessment_id) == assessment_id))


# --- portfolio --------------------------------------------------------------------------------

CHUNK = 500


def _version_day(dialect: str) -> ColumnElement[Any]:
    """The decision's planned date as the assessment version shows it: for an approved (or superseded)
    version the date it was approved with (``Assessment.decision_snapshot``), for a draft or submitted
    one the decision's date as it is now (``views.decision_as_shown``). As the portfolio summary tables
    count an approved version (``app/portfolio/aggregate.py``: ``planned_as_approved``)."""
    snapshot = col(Assessment.decision_snapshot)
    text = snapshot["planned_date"].as_string()
    # ISO text compares as a date on SQLite (dates are stored as ISO text there); PostgreSQL casts it
    as_approved = cast(text, Date) if dialect == "postgresql" else type_coerce(text, Date)
    return case(
        (
            and_(col(Assessment.status).in_(("approved", "superseded")), snapshot.is_not(None)),
            as_approved,
        ),
        else_=col(Decision.planned_date),
    )


def _in_period(date_from: date, date_to: date, country: str, dialect: str) -> ColumnElement[bool]:
    """An assessment version is in the period by its decision's date (:func:`_version_day`); without one,
    by the day the version was created on the clock of its municipality (of ``country``): the period
    runs from local midnight to local midnight."""
    created = col(Assessment.created_at)
    planned = _version_day(dialect)
    bounds = []
    if date_from > date.min:  # the first representable day: nothing earlier to leave out
        bounds.append(created >= day_start(date_from, country))
    if date_to < date.max:  # the last representable day: no day after it to end before
        bounds.append(created < day_start(date_to + timedelta(days=1), country))
    created_in = and_(true(), *bounds)
    return or_(
        and_(planned.is_not(None), planned >= date_from, planned <= date_to),
        and_(planned.is_(None), created_in),
    )


def _portfolio_filter(
    session: Session, municipality: Municipality, date_from: date, date_to: date, deciding_body: str | None
) -> list[ColumnElement[bool]]:
    dialect = session.get_bind().dialect.name
    conditions = [
        col(Decision.municipality_id) == municipality.id,
        col(Assessment.decision_id) == col(Decision.id),
        col(Assessment.status) != "superseded",
        _in_period(date_from, date_to, municipality.country, dialect),
    ]
    if deciding_body:
        conditions.append(_version_body() == deciding_body)
    return conditions


def _version_body() -> ColumnElement[Any]:
    """The deciding body as the assessment version shows it (as :func:`_version_day`): the one it was
    approved with for an approved version, the decision's current one otherwise. A new draft that moves
    the decision to another body leaves the approved version under the body it was approved for."""
    snapshot = col(Assessment.decision_snapshot)
    return case(
        (
            and_(col(Assessment.status).in_(("approved", "superseded")), snapshot.is_not(None)),
            snapshot["deciding_body"].as_string(),
        ),
        else_=col(Decision.deciding_body),
    )


def count_portfolio_decisions(
    session: Session, municipality: Municipality, date_from: date, date_to: date, deciding_body: str | None
) -> int:
    stmt = (
        select(func.count(func.distinct(Decision.id)))
        .select_from(Decision)
        .join(Assessment, col(Assessment.decision_id) == col(Decision.id))
        .where(*_portfolio_filter(session, municipality, date_from, date_to, deciding_body))
    )
    return int(session.exec(stmt).one())


def portfolio_assessments(
    session: Session, municipality: Municipality, date_from: date, date_to: date, deciding_body: str | None
) -> list[tuple[Decision, Assessment]]:
    """The newest assessment version of each decision that is in the period (superseded versions excluded;
    each version placed by :func:`_in_period`). The report orders them by their day."""
    stmt = (
        select(Decision, Assessment)
        .join(Assessment, col(Assessment.decision_id) == col(Decision.id))
        .where(*_portfolio_filter(session, municipality, date_from, date_to, deciding_body))
        .order_by(col(Decision.case_number), col(Decision.id), col(Assessment.version_no).desc())
    )
    newest: dict[uuid.UUID, tuple[Decision, Assessment]] = {}
    for decision, assessment in session.exec(stmt).all():
        newest.setdefault(decision.id, (decision, assessment))
    return list(newest.values())


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def alternatives_for_many(session: Session, ids: Sequence[uuid.UUID]) -> list[Alternative]:
    out: list[Alternative] = []
    for chunk in _chunks(ids):
        out += session.exec(
            select(Alternative).where(col(Alternative.assessment_id).in_(chunk)).order_by(col(Alternative.position))
        ).all()
    return out


def screening_for_many(session: Session, ids: Sequence[uuid.UUID]) -> list[ScreeningAnswer]:
    out: list[ScreeningAnswer] = []
    for chunk in _chunks(ids):
        out += session.exec(select(ScreeningAnswer).where(col(ScreeningAnswer.assessment_id).in_(chunk))).all()
    return out


def rating_rows_for_many(session: Session, ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
    """The ratings of many assessments as light rows (not ORM objects: a portfolio has tens of thousands),
    with the attributes scoring reads. Free texts are not loaded; the portfolio shows none of them."""
    columns = [
        col(Rating.assessment_id),
        col(Rating.alternative_id),
        col(Rating.perspective_id),
        col(Rating.criterion_id),
        col(Rating.target),
        col(Rating.effect),
        col(Rating.score),
        col(Rating.likelihood),
        col(Rating.horizon),
        col(Rating.certainty),
        literal("").label("rationale"),
        literal("").label("mitigation"),
        literal("").label("affected_groups"),
    ]
    out: list[Row[Any]] = []
    for chunk in _chunks(ids):
        out += session.execute(
            sa_select(*columns)
            .where(col(Rating.assessment_id).in_(chunk))
            .order_by(col(Rating.perspective_id), col(Rating.criterion_id), col(Rating.target), col(Rating.effect))
        ).all()
    return out

"""Every query of the portfolio summary tables: additive upserts, reads by municipality or country."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Row, Select, Table, bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer
from app.municipalities.models import Municipality
from app.portfolio.aggregate import COUNTS, Contribution
from app.portfolio.models import PortfolioCell, PortfolioQuarter, PortfolioState

CELLS: Table = SQLModel.metadata.tables["portfolio_cell"]
QUARTERS: Table = SQLModel.metadata.tables["portfolio_quarter"]
STATE: Table = SQLModel.metadata.tables[PortfolioState.__tablename__]

CHUNK = 500


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _add(
    session: Session, table: Table, keys: Sequence[str], rows: list[dict[str, Any]], counts: Sequence[str]
) -> None:
    """``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``: concurrent approvals add up, never overwrite.
    Rows are sorted so two transactions lock them in the same order (no deadlock)."""
    if not rows:
        return
    rows.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    stmt = _insert(session, table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in counts}
    )
    session.execute(stmt)


def add_contribution(session: Session, municipality_id: uuid.UUID, c: Contribution, sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) one approved assessment's effects. The caller also calls
    :func:`changed` once in the transaction."""
    base = {"municipality_id": municipality_id, "year": c.year, "quarter": c.quarter}
    cells = [{**base, "perspective_id": p, "target": t, **counts.as_dict(sign)} for (p, t), counts in c.cells.items()]
    cell_keys = ("municipality_id", "year", "quarter", "perspective_id", "target")
    _add(session, CELLS, cell_keys, cells, COUNTS)
    quarter = [{**base, "approved": sign, "significant_negative": sign if c.significant else 0}]
    _add(session, QUARTERS, cell_keys[:3], quarter, ("approved", "significant_negative"))


def forget_municipality(session: Session, municipality_id: uuid.UUID) -> None:
    """Delete the municipality's rows (before a rebuild). The caller also calls :func:`changed`."""
    session.execute(delete(PortfolioCell).where(col(PortfolioCell.municipality_id) == municipality_id))
    session.execute(delete(PortfolioQuarter).where(col(PortfolioQuarter.municipality_id) == municipality_id))


def changed(session: Session) -> None:
    """Give the summary tables a new token (``PortfolioState``) in the transaction that changes them:
    the country's portfolio is kept per token. Once per transaction, not per row: it locks the one row
    until the commit, so approvals across the country take turns for the rest of their transactions
    (milliseconds, a few a minute nationally), and every update of a row leaves a version behind. An
    upsert, so an emptied table (the tests empty every table) gets its row back; without the row the
    country's portfolio is simply not kept."""
    stmt = _insert(session, STATE).values(id=1, epoch=uuid.uuid4().hex)
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"epoch": stmt.excluded.epoch}))


def approved_of_decision(session: Session, decision_id: uuid.UUID) -> Sequence[Assessment]:
    return session.exec(
        select(Assessment).where(Assessment.decision_id == decision_id, Assessment.status == "approved")
    ).all()


def approved_with_decisions(
    session: Session, municipality_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Row[Any]]:
    """(assessment id, decision's planned date, assessment's created_at, its decision snapshot) of approved
    assessments, by id."""
    stmt = (
        sa_select(
            col(Assessment.id),
            col(Decision.planned_date),
            col(Assessment.created_at),
            col(Assessment.decision_snapshot),
        )
        .join(Decision, col(Decision.id) == col(Assessment.decision_id))
        .where(col(Assessment.municipality_id) == municipality_id, col(Assessment.status) == "approved")
    )
    if after is not None:
        stmt = stmt.where(col(Assessment.id) > after)
    return session.execute(stmt.order_by(col(Assessment.id)).limit(limit)).all()


def rows_for_many(
    session: Session, ids: Sequence[uuid.UUID]
) -> tuple[Sequence[Row[Any]], Sequence[Row[Any]], Sequence[Row[Any]]]:
    """Alternatives, screening and (light) ratings of many assessments, for a rebuild."""
    alts = session.execute(
        sa_select(col(Alternative.assessment_id), col(Alternative.id), col(Alternative.kind)).where(
            col(Alternative.assessment_id).in_(ids)
        )
    ).all()
    screening = session.execute(
        sa_select(
            col(ScreeningAnswer.assessment_id), col(ScreeningAnswer.perspective_id), col(ScreeningAnswer.relevant)
        ).where(col(ScreeningAnswer.assessment_id).in_(ids))
    ).all()
    ratings = session.execute(
        sa_select(
            col(Rating.assessment_id),
            col(Rating.alternative_id),
            col(Rating.perspective_id),
            col(Rating.target),
            col(Rating.score),
            col(Rating.likelihood),
        ).where(col(Rating.assessment_id).in_(ids))
    ).all()
    return alts, screening, ratings


def _cell_sums() -> list[Any]:
    return [func.sum(getattr(PortfolioCell, c)).label(c) for c in COUNTS]


# Built once, run with parameters: building a statement costs about as much as running it.
_M: BindParameter[uuid.UUID] = bindparam("municipality_id")
_Y: BindParameter[int] = bindparam("year")
_C: BindParameter[str] = bindparam("country")


@lru_cache(maxsize=1)
def _municipality_cells() -> Select[*tuple[Any, ...]]:
    return sa_select(
        col(PortfolioCell.quarter),
        col(PortfolioCell.perspective_id),
        col(PortfolioCell.target),
        *[getattr(PortfolioCell, c) for c in COUNTS],
    ).where(col(PortfolioCell.municipality_id) == _M, col(PortfolioCell.year) == _Y)


@lru_cache(maxsize=1)
def _municipality_quarters() -> Select[*tuple[Any, ...]]:
    return sa_select(
        col(PortfolioQuarter.quarter), col(PortfolioQuarter.approved), col(PortfolioQuarter.significant_negative)
    ).where(col(PortfolioQuarter.municipality_id) == _M, col(PortfolioQuarter.year) == _Y)


@lru_cache(maxsize=1)
def _country_cells() -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(PortfolioCell.quarter), col(PortfolioCell.perspective_id), col(PortfolioCell.target), *_cell_sums()
        )
        .join(Municipality, col(Municipality.id) == col(PortfolioCell.municipality_id))
        .where(col(PortfolioCell.year) == _Y, col(Municipality.country) == _C)
        .group_by(col(PortfolioCell.quarter), col(PortfolioCell.perspective_id), col(PortfolioCell.target))
    )


@lru_cache(maxsize=1)
def _country_quarters() -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(PortfolioQuarter.quarter),
            func.sum(PortfolioQuarter.approved).label("approved"),
            func.sum(PortfolioQuarter.significant_negative).label("significant_negative"),
            func.count().filter(col(PortfolioQuarter.approved) > 0).label("municipalities"),
        )
        .join(Municipality, col(Municipality.id) == col(PortfolioQuarter.municipality_id))
        .where(col(PortfolioQuarter.year) == _Y, col(Municipality.country) == _C)
        .group_by(col(PortfolioQuarter.quarter))
    )


def municipality_cells(session: Session, municipality_id: uuid.UUID, year: int) -> Sequence[Row[Any]]:
    """One municipality's rows of one year (a primary-key range: no other rows are read)."""
    return session.execute(_municipality_cells(), {"municipality_id": municipality_id, "year": year}).all()


def municipality_quarters(session: Session, municipality_id: uuid.UUID, year: int) -> Sequence[Row[Any]]:
    return session.execute(_municipality_quarters(), {"municipality_id": municipality_id, "year": year}).all()


def country_cells(session: Session, country: str, year: int) -> Sequence[Row[Any]]:
    """A country's rows of one year, summed over its municipalities (the year index, then a hash join
    with the few hundred municipalities)."""
    return session.execute(_country_cells(), {"country": country, "year": year}).all()


def country_quarters(session: Session, country: str, year: int) -> Sequence[Row[Any]]:
    """Per quarter: approvals, those with significant negative effects, and how many municipalities."""
    return session.execute(_country_quarters(), {"country": country, "year": year}).all()

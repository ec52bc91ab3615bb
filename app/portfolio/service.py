"""Keeps the portfolio summary tables current, and reads them.

Called by the domain services wherever an assessment becomes or stops being the approved one:
``review.approve`` (adds it, and takes the superseded version away), ``documents.import_document`` (an
imported approved assessment), ``service.update_decision`` (a new decision date, while a new draft
version is open) and the municipality import (rebuilds). Like every service it never commits.

An approved assessment counts in the quarter of its decision's date *as approved* (its
``decision_snapshot``, :func:`app.portfolio.aggregate.planned_as_approved`): a new draft version may
change the decision, and the approved version stays where it was approved until a newer version is
approved and supersedes it (which takes it away from that same quarter).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from app.assessments import repository as assessments_repo
from app.assessments.models import Assessment, Decision
from app.municipalities.models import Municipality
from app.portfolio import repository as repo
from app.portfolio.aggregate import Contribution, contribution, period, planned_as_approved
from app.portfolio.schemas import ImpactCellPublic, PortfolioImpacts, QuarterPublic

MIN_MUNICIPALITIES = 3
"""A country's quarter is shown only when at least this many municipalities contribute to it, so no
municipality's own figures can be read from the national view."""


def _country(session: Session, municipality_id: uuid.UUID) -> str:
    """The municipality's country: its clock decides the day an assessment was created."""
    municipality = session.get(Municipality, municipality_id)
    assert municipality is not None  # a foreign key
    return municipality.country


def contribution_of(session: Session, assessment: Assessment, planned_now: date | None) -> Contribution:
    """What ``assessment`` adds, in the quarter of its decision's date as approved (``planned_now``, the
    decision's date as it is now, counts only for an approved assessment without a snapshot)."""
    planned = planned_as_approved(assessment.decision_snapshot, planned_now)
    return contribution(
        period(planned, assessment.created_at, _country(session, assessment.municipality_id)),
        assessments_repo.alternatives_for(session, assessment.id),
        assessments_repo.screening_for(session, assessment.id),
        assessments_repo.ratings_for(session, assessment.id),
    )


def _decision(session: Session, assessment: Assessment) -> Decision:
    decision = session.get(Decision, assessment.decision_id)
    assert decision is not None  # a foreign key
    return decision


def approved(session: Session, assessment: Assessment, superseded: Assessment | None = None) -> None:
    """``assessment`` was approved (and ``superseded``, if any, is no longer the current version)."""
    planned = _decision(session, assessment).planned_date
    repo.add_contribution(session, assessment.municipality_id, contribution_of(session, assessment, planned), 1)
    if superseded is not None:
        repo.add_contribution(session, superseded.municipality_id, contribution_of(session, superseded, planned), -1)
    repo.changed(session)


def decision_moved(session: Session, decision: Decision, old_planned_date: date | None) -> None:
    """The decision's planned date changed (a new draft version of its assessment is open). Its approved
    version keeps the quarter of the date it was approved with (its snapshot) until the draft is
    approved: nothing moves. Only an approved assessment without a snapshot (none since migration
    0013) follows the decision's date."""
    if old_planned_date == decision.planned_date:
        return
    moved = False
    for assessment in repo.approved_of_decision(session, decision.id):
        if assessment.decision_snapshot:
            continue  # counted by the date it was approved with
        before = contribution_of(session, assessment, old_planned_date)
        after = period(decision.planned_date, assessment.created_at, _country(session, decision.municipality_id))
        if (before.year, before.quarter) == after:
            continue
        repo.add_contribution(session, decision.municipality_id, before, -1)
        repo.add_contribution(
            session, decision.municipality_id, contribution_of(session, assessment, decision.planned_date), 1
        )
        moved = True
    if moved:  # once, last: the token's row stays locked only until the commit
        repo.changed(session)


def _group(rows: Sequence[Any]) -> dict[uuid.UUID, list[Any]]:
    out: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        out.setdefault(row.assessment_id, []).append(row)
    return out


def rebuild_municipality(session: Session, municipality_id: uuid.UUID) -> int:
    """Recompute one municipality's rows from its approved assessments (after an import); returns how many."""
    repo.forget_municipality(session, municipality_id)
    country = _country(session, municipality_id)
    after: uuid.UUID | None = None
    count = 0
    while rows := repo.approved_with_decisions(session, municipality_id, after, repo.CHUNK):
        ids = [r.id for r in rows]
        alts, screening, ratings = (_group(x) for x in repo.rows_for_many(session, ids))
        for r in rows:
            year_quarter = period(planned_as_approved(r.decision_snapshot, r.planned_date), r.created_at, country)
            c = contribution(year_quarter, alts.get(r.id, []), screening.get(r.id, []), ratings.get(r.id, []))
            repo.add_contribution(session, municipality_id, c, 1)
        count += len(rows)
        after = ids[-1]
    repo.changed(session)  # last: the row stays locked until the commit, which follows the rebuild
    return count


def _quarters(quarters: Sequence[Any], cells: Sequence[Any], country: bool) -> list[QuarterPublic]:
    """Rows as plain tuples (quarter, perspective, target, negative, neutral, positive, unknown, score sum,
    significant negative) into models built without re-validation: a country has ~400 cells a year."""
    by_quarter: dict[int, list[ImpactCellPublic]] = {}
    for quarter, perspective_id, target, *counts in sorted(tuple(r) for r in cells):
        negative, neutral, positive, unknown, score_sum, significant = (int(v) for v in counts)
        known = negative + neutral + positive
        if known + unknown:
            by_quarter.setdefault(int(quarter), []).append(
                ImpactCellPublic.model_construct(
                    perspective_id=perspective_id,
                    target=target,
                    negative=negative,
                    neutral=neutral,
                    positive=positive,
                    unknown=unknown,
                    mean=round(score_sum / known, 3) if known else None,
                    significant_negative=significant,
                )
            )
    heads = {int(q.quarter): q for q in quarters}
    out = []
    for quarter in range(1, 5):
        head = heads.get(quarter)
        municipalities = int(head.municipalities) if country and head is not None else (0 if country else None)
        suppressed = country and (municipalities or 0) < MIN_MUNICIPALITIES
        out.append(
            QuarterPublic(
                quarter=quarter,
                approved=int(head.approved) if head is not None and not suppressed else 0,
                significant_negative=int(head.significant_negative) if head is not None and not suppressed else 0,
                municipalities=municipalities,
                suppressed=suppressed,
                cells=[] if suppressed else by_quarter.get(quarter, []),
            )
        )
    return out


def municipality_impacts(session: Session, municipality_id: uuid.UUID, code: str, year: int) -> PortfolioImpacts:
    quarters = repo.municipality_quarters(session, municipality_id, year)
    cells = repo.municipality_cells(session, municipality_id, year)
    return PortfolioImpacts(scope="municipality", area=code, year=year, quarters=_quarters(quarters, cells, False))


def country_impacts(session: Session, country: str, year: int) -> PortfolioImpacts:
    quarters = repo.country_quarters(session, country, year)
    cells = repo.country_cells(session, country, year)
    return PortfolioImpacts(scope="country", area=country, year=year, quarters=_quarters(quarters, cells, True))

"""Every query of the assessment domain. Always scoped by municipality: tenancy is enforced here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, update
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.assessments.list_repository import LIKE_ESCAPE, contains_pattern
from app.assessments.models import (
    Alternative,
    Assessment,
    Decision,
    FollowUp,
    FormDraft,
    Rating,
    ReviewEntry,
    ScreeningAnswer,
)


def get_decision(session: Session, municipality_id: uuid.UUID, decision_id: uuid.UUID) -> Decision | None:
    decision = session.get(Decision, decision_id)
    return decision if decision is not None and decision.municipality_id == municipality_id else None


def decision_by_case(session: Session, municipality_id: uuid.UUID, case_number: str) -> Decision | None:
    return session.exec(
        select(Decision).where(Decision.municipality_id == municipality_id, Decision.case_number == case_number)
    ).first()


@dataclass(frozen=True)
class DecisionFilter:
    q: str | None = None
    deciding_body: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def list_decisions(
    session: Session,
    municipality_id: uuid.UUID,
    flt: DecisionFilter | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> Sequence[Decision]:
    """Newest first by (created_at, id): a stable order for cursor pagination."""
    flt = flt or DecisionFilter()
    stmt = select(Decision).where(Decision.municipality_id == municipality_id)
    if flt.q:
        like, esc = contains_pattern(flt.q), LIKE_ESCAPE  # % and _ in the search are literal characters
        stmt = stmt.where(
            func.lower(Decision.title).like(like, escape=esc) | func.lower(Decision.case_number).like(like, escape=esc)
        )
    if flt.deciding_body:
        stmt = stmt.where(Decision.deciding_body == flt.deciding_body)
    if flt.date_from:
        stmt = stmt.where(col(Decision.planned_date) >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(col(Decision.planned_date) <= flt.date_to)
    stmt = stmt.order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
    return session.exec(stmt.limit(limit)).all()


def get_assessment(session: Session, municipality_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment | None:
    assessment = session.get(Assessment, assessment_id)
    return assessment if assessment is not None and assessment.municipality_id == municipality_id else None


def assessments_for_decision(session: Session, decision_id: uuid.UUID) -> Sequence[Assessment]:
    return session.exec(
        select(Assessment).where(Assessment.decision_id == decision_id).order_by(col(Assessment.version_no))
    ).all()


def successor_id(session: Session, assessment: Assessment) -> uuid.UUID | None:
    """The id of the version made from ``assessment`` (its ``previous_id``), or None; read through the
    decision's index (a decision has a handful of versions), not a scan of every assessment."""
    return session.exec(
        select(Assessment.id).where(
            col(Assessment.decision_id) == assessment.decision_id, col(Assessment.previous_id) == assessment.id
        )
    ).first()


def list_assessments(
    session: Session, municipality_id: uuid.UUID, status: str | None = None, limit: int = 50
) -> Sequence[Assessment]:
    stmt = select(Assessment).where(Assessment.municipality_id == municipality_id)
    if status:
        stmt = stmt.where(Assessment.status == status)
    return session.exec(stmt.order_by(col(Assessment.updated_at).desc(), col(Assessment.id)).limit(limit)).all()


# The rows of one assessment are read on every request that shows it, so these statements are built
# once (building a select costs about as much as running it) and take the id as a parameter.
_AID: BindParameter[uuid.UUID] = bindparam("assessment_id")


@lru_cache(maxsize=1)
def screening_query() -> SelectOfScalar[ScreeningAnswer]:
    return select(ScreeningAnswer).where(col(ScreeningAnswer.assessment_id) == _AID)


@lru_cache(maxsize=1)
def alternatives_query() -> SelectOfScalar[Alternative]:
    return select(Alternative).where(col(Alternative.assessment_id) == _AID).order_by(col(Alternative.position))


@lru_cache(maxsize=1)
def ratings_query() -> SelectOfScalar[Rating]:
    """Ordered by perspective, criterion, target, effect, then the alternative's place (the proposal, the
    zero alternative, the further options as added) and the rating's id: a total order, the same on
    SQLite and PostgreSQL and from call to call (the alternatives of one criterion came in any order)."""
    return (
        select(Rating)
        .join(Alternative, col(Alternative.id) == col(Rating.alternative_id))
        .where(col(Rating.assessment_id) == _AID)
        .order_by(
            col(Rating.perspective_id),
            col(Rating.criterion_id),
            col(Rating.target),
            col(Rating.effect),
            col(Alternative.position),
            col(Rating.id),
        )
    )


@lru_cache(maxsize=1)
def _review_entries_query() -> SelectOfScalar[ReviewEntry]:
    return select(ReviewEntry).where(col(ReviewEntry.assessment_id) == _AID).order_by(col(ReviewEntry.created_at))


def screening_for(session: Session, assessment_id: uuid.UUID) -> Sequence[ScreeningAnswer]:
    return session.exec(screening_query(), params={"assessment_id": assessment_id}).all()


def alternatives_for(session: Session, assessment_id: uuid.UUID) -> Sequence[Alternative]:
    return session.exec(alternatives_query(), params={"assessment_id": assessment_id}).all()


def ratings_for(session: Session, assessment_id: uuid.UUID) -> Sequence[Rating]:
    return session.exec(ratings_query(), params={"assessment_id": assessment_id}).all()


def review_entries_for(session: Session, assessment_id: uuid.UUID) -> Sequence[ReviewEntry]:
    return session.exec(_review_entries_query(), params={"assessment_id": assessment_id}).all()


REVIEW_STEPS = ("submitted", "returned", "approved")
"""The review entries that move an assessment between states (a comment alone does not)."""


def latest_review_steps(session: Session, assessment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ReviewEntry]:
    """The latest review step (submitted, returned, approved) of each of the assessments, in one
    statement: whether a draft was returned, by whom, when and why (the overview, the dashboard)."""
    if not assessment_ids:
        return {}
    ids, steps = list(set(assessment_ids)), list(REVIEW_STEPS)
    last = (
        select(col(ReviewEntry.assessment_id).label("aid"), func.max(ReviewEntry.created_at).label("at"))
        .where(col(ReviewEntry.assessment_id).in_(ids), col(ReviewEntry.action).in_(steps))
        .group_by(col(ReviewEntry.assessment_id))
        .subquery()
    )
    rows = session.exec(
        select(ReviewEntry)
        .join(last, (col(ReviewEntry.assessment_id) == last.c.aid) & (col(ReviewEntry.created_at) == last.c.at))
        .where(col(ReviewEntry.action).in_(steps))
        .order_by(col(ReviewEntry.created_at), col(ReviewEntry.id))
    ).all()
    return {e.assessment_id: e for e in rows}


def follow_ups_for(session: Session, assessment_id: uuid.UUID) -> Sequence[FollowUp]:
    return session.exec(select(FollowUp).where(FollowUp.assessment_id == assessment_id)).all()


def follow_up_for_rating(session: Session, rating_id: uuid.UUID) -> FollowUp | None:
    return session.exec(select(FollowUp).where(FollowUp.rating_id == rating_id)).first()


def lock_decision(session: Session, decision_id: uuid.UUID) -> None:
    """Row-lock the decision (``FOR NO KEY UPDATE``) until the commit: creating its first assessment or
    a new version checks what exists and then inserts, so two such requests at once must take turns, or
    both find nothing and the decision gets two live assessments. Taken before the audit chain's lock,
    as every other writer of a decision does. (SQLite writers are serial anyway.)"""
    session.exec(select(Decision.id).where(Decision.id == decision_id).with_for_update(key_share=True)).one()


def lock_assessment(session: Session, assessment_id: uuid.UUID) -> None:
    """Row-lock the assessment until the commit, for a check-then-insert on it (a follow-up per rating)."""
    session.exec(select(Assessment.id).where(Assessment.id == assessment_id).with_for_update(key_share=True)).one()


def claim_version(session: Session, assessment_id: uuid.UUID, expected: int, at: datetime | None = None) -> bool:
    """Compare-and-set of the assessment's lock version: the one place lost updates are prevented.
    With ``at``, the same statement also records the change's time (``updated_at``).

    A concurrent writer that read the same version gets ``False`` (and the API answers 412).
    """
    values: dict[str, Any] = {"lock_version": expected + 1}
    if at is not None:
        values["updated_at"] = at
    result = session.execute(
        update(Assessment)
        .where(col(Assessment.id) == assessment_id, col(Assessment.lock_version) == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def claim_decision_version(session: Session, decision_id: uuid.UUID, expected: int) -> bool:
    result = session.execute(
        update(Decision)
        .where(col(Decision.id) == decision_id, col(Decision.version) == expected)
        .values(version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


# --- web interface: dashboard lists and form drafts ------------------------------------------


def assessments_by_status(
    session: Session,
    municipality_id: uuid.UUID,
    statuses: Sequence[str],
    author_id: uuid.UUID | None = None,
    not_author_id: uuid.UUID | None = None,
    limit: int = 20,
) -> Sequence[Assessment]:
    """Newest first; ``author_id`` keeps one author's, ``not_author_id`` leaves one author's out."""
    stmt = select(Assessment).where(
        Assessment.municipality_id == municipality_id, col(Assessment.status).in_(list(statuses))
    )
    if author_id is not None:
        stmt = stmt.where(Assessment.author_id == author_id)
    if not_author_id is not None:
        stmt = stmt.where((col(Assessment.author_id).is_(None)) | (Assessment.author_id != not_author_id))
    return session.exec(stmt.order_by(col(Assessment.updated_at).desc(), col(Assessment.id)).limit(limit)).all()


def decisions_by_ids(
    session: Session, municipality_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Decision]:
    if not ids:
        return {}
    rows = session.exec(
        select(Decision).where(Decision.municipality_id == municipality_id, col(Decision.id).in_(list(set(ids))))
    ).all()
    return {d.id: d for d in rows}


def latest_assessments(session: Session, decision_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Assessment]:
    """The newest version of the assessment of each decision."""
    if not decision_ids:
        return {}
    rows = session.exec(
        select(Assessment)
        .where(col(Assessment.decision_id).in_(list(set(decision_ids))))
        .order_by(col(Assessment.version_no))
    ).all()
    return {a.decision_id: a for a in rows}


def deciding_bodies(session: Session, municipality_id: uuid.UUID) -> list[str]:
    rows = session.exec(
        select(Decision.deciding_body).where(Decision.municipality_id == municipality_id).distinct()
    ).all()
    return sorted(str(r) for r in rows)


def form_draft(session: Session, assessment_id: uuid.UUID, user_id: uuid.UUID, form_key: str) -> FormDraft | None:
    return session.exec(
        select(FormDraft).where(
            FormDraft.assessment_id == assessment_id, FormDraft.user_id == user_id, FormDraft.form_key == form_key
        )
    ).first()


def form_drafts_of(session: Session, assessment_id: uuid.UUID, user_id: uuid.UUID) -> Sequence[FormDraft]:
    return session.exec(
        select(FormDraft).where(FormDraft.assessment_id == assessment_id, FormDraft.user_id == user_id)
    ).all()

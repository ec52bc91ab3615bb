from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, case, false, select
from sqlmodel import Session, col

from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer

COLUMNS: list[Any] = [
    col(Decision.case_number),
    col(Decision.title),
    col(Decision.deciding_body),
    col(Assessment.id),
    col(Assessment.status),
    col(Assessment.version_no),
    col(Alternative.key),
    col(Rating.perspective_id),
    col(Rating.criterion_id),
    col(Rating.target),
    col(Rating.effect),
    col(Rating.score),
    col(Rating.likelihood),
    col(Rating.horizon),
    col(Rating.certainty),
    col(Rating.rationale),
    col(Rating.evidence),
    col(Rating.mitigation),
    col(Rating.affected_groups),
    col(Rating.affected_area),
    col(Rating.updated_at),
    # counted: not while the rating's perspective is screened out (``views.screened_out``)
    case((col(ScreeningAnswer.relevant).is_(false()), False), else_=True),
]
SHOWN_WITH: list[Any] = [col(Assessment.decision_snapshot)]
"""After :data:`COLUMNS`: what an approved or superseded version shows of its decision (the details as
approved, ``views.approved_details``) instead of the decision as it is now."""


def rating_rows(session: Session, municipality_id: uuid.UUID, assessment_id: uuid.UUID | None) -> Iterator[Any]:
    stmt = (
        select(*COLUMNS, *SHOWN_WITH)
        .join(Assessment, col(Assessment.id) == col(Rating.assessment_id))
        .join(Decision, col(Decision.id) == col(Assessment.decision_id))
        .join(Alternative, col(Alternative.id) == col(Rating.alternative_id))
        .outerjoin(
            ScreeningAnswer,
            and_(
                col(ScreeningAnswer.assessment_id) == col(Rating.assessment_id),
                col(ScreeningAnswer.perspective_id) == col(Rating.perspective_id),
            ),
        )
        .where(col(Assessment.municipality_id) == municipality_id)
    )
    if assessment_id is not None:
        stmt = stmt.where(col(Assessment.id) == assessment_id)
    stmt = stmt.order_by(
        col(Decision.case_number),
        col(Assessment.version_no),
        col(Alternative.position),
        col(Rating.perspective_id),
        col(Rating.criterion_id),
        col(Rating.target),
        col(Rating.effect),
    )
    yield from session.execute(stmt.execution_options(yield_per=500))

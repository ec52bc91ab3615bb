"""The exchange document: one decision with its assessment as a single JSON/YAML file.

The worked examples in ``assessments/`` use it, ``livskraft seed`` loads them through
:func:`import_document`, and :func:`export_document` writes the same shape back. Imports go through
the same services (and therefore the same rules and audit trail) as the API and the web form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.assessments import repository as repo
from app.assessments import review, service
from app.assessments.models import Assessment, Decision, ReviewEntry, Status
from app.assessments.schemas import (
    AssessmentCreate,
    AssessmentDocument,
    DecisionCreate,
    DocAlternative,
    DocDecision,
    DocFollowUp,
    DocRating,
    FollowUpCreate,
    RatingIn,
    ReviewAction,
    ScreeningItem,
    ScreeningUpdate,
)
from app.assessments.views import text_language_of, weights_for
from app.audit import service as audit
from app.auth.actor import Actor
from app.db.base import utcnow
from app.errors import Conflict, FieldProblem, ValidationFailed
from app.portfolio import service as portfolio
from app.rubrics.loader import RubricFileError, parse_yaml_text
from app.rubrics.registry import RubricRegistry


def read_document(path: Path) -> AssessmentDocument:
    """Parse and validate one example file; errors name the file and the field."""
    text = path.read_text(encoding="utf-8")
    try:
        # YAML through the rubric loader's strict parser: no aliases, no duplicate keys, lines in errors
        data = json.loads(text) if path.suffix == ".json" else parse_yaml_text(text, path.name)[0]
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path.name}: not valid JSON: {exc}") from exc
    except RubricFileError as exc:
        raise ValidationFailed(str(exc)) from exc
    try:
        return AssessmentDocument.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"{path.name}: not a valid assessment document",
            errors=[FieldProblem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()],
        ) from exc


def import_document(session: Session, actor: Actor, registry: RubricRegistry, doc: AssessmentDocument) -> Assessment:
    """Create the decision and its assessment from a document; the status is reproduced as recorded."""
    if doc.municipality != actor.municipality_code:
        raise ValidationFailed(
            "the document belongs to another municipality",
            errors=[FieldProblem("municipality", f"expected {actor.municipality_code}, got {doc.municipality}")],
        )
    if repo.decision_by_case(session, actor.municipality_id, doc.decision.case_number) is not None:
        raise Conflict(f"case number '{doc.decision.case_number}' already exists")
    decision = service.create_decision(
        session, actor, DecisionCreate(**doc.decision.model_dump(exclude={"source"})), doc.decision.source
    )
    alts = {a.key: a for a in doc.alternatives}
    if "proposal" not in alts or "zero" not in alts:
        raise ValidationFailed(
            "the proposal and the zero alternative are compulsory",
            errors=[FieldProblem("alternatives", "must contain 'proposal' and 'zero'", "required")],
        )
    assessment = service.create_assessment(
        session,
        actor,
        registry,
        decision,
        AssessmentCreate(
            rubric_id=doc.rubric_id,
            rubric_version=doc.rubric_version,
            extensions=doc.extensions,
            proposal_title=alts["proposal"].title,
            proposal_description=alts["proposal"].description,
            zero_description=alts["zero"].description,
            sources=doc.sources,
            text_language=doc.text_language,
        ),
    )
    if doc.author:
        assessment.author_name = doc.author
    zero_alt = service.alternative_by_key(session, assessment, "zero")
    zero_alt.title = alts["zero"].title
    session.add(zero_alt)
    if doc.screening:
        service.set_screening(
            session,
            actor,
            registry,
            assessment,
            ScreeningUpdate(items=doc.screening, statement=doc.screening_statement),
            assessment.lock_version,
        )
    for alt in doc.alternatives:
        if alt.key.startswith("option-"):
            from app.assessments.schemas import AlternativeCreate

            service.add_alternative(
                session,
                actor,
                assessment,
                AlternativeCreate(title=alt.title, description=alt.description),
                assessment.lock_version,
                key=alt.key,  # the document's ratings name the option by it (option-2 without option-1)
            )
    ratings = [
        RatingIn(alternative=alt.key, **r.model_dump(exclude={"follow_up"}))
        for alt in doc.alternatives
        for r in alt.ratings
    ]
    saved = (
        service.put_ratings(session, actor, registry, assessment, ratings, assessment.lock_version) if ratings else []
    )
    _apply_status(session, actor, assessment, doc)
    _import_follow_ups(session, actor, assessment, doc, saved)
    return assessment


def _import_follow_ups(
    session: Session, actor: Actor, assessment: Assessment, doc: AssessmentDocument, saved: list[Any]
) -> None:
    follow_ups = [
        (r.criterion_id, r.target.value, r.effect, r.follow_up) for r in _proposal(doc).ratings if r.follow_up
    ]
    if not follow_ups or assessment.status != Status.approved:
        return
    proposal = service.alternative_by_key(session, assessment, "proposal")
    by_key = {(r.criterion_id, r.target, r.effect): r for r in saved if r.alternative_id == proposal.id}
    for criterion_id, target, effect, follow_up in follow_ups:
        rating = by_key[(criterion_id, target, effect)]
        review.add_follow_up(
            session,
            actor,
            assessment,
            FollowUpCreate(rating_id=rating.id, outcome=follow_up.outcome, note=follow_up.note),
        )


def _proposal(doc: AssessmentDocument) -> DocAlternative:
    return next(a for a in doc.alternatives if a.key == "proposal")


def _apply_status(session: Session, actor: Actor, assessment: Assessment, doc: AssessmentDocument) -> None:
    """Reproduce a recorded status (examples are historical records, not a live review)."""
    if doc.status == Status.draft:
        return
    now = utcnow()
    assessment.status = doc.status
    assessment.submitted_at = doc.submitted_at or doc.approved_at or now
    session.add(
        ReviewEntry(
            assessment_id=assessment.id,
            action="submitted",
            actor=assessment.author_name,
            created_at=assessment.submitted_at,
        )
    )
    if doc.status == Status.approved:
        assessment.approved_at = doc.approved_at or now
        assessment.reviewer_name = doc.reviewer
        assessment.review_date = doc.review_date
        assessment.weights = weights_for(session, assessment).as_dict()
        assessment.decision_snapshot = review.decision_snapshot(session, assessment)  # as approve() keeps it
        for entry in doc.review or [ReviewAction(comment="")]:
            session.add(
                ReviewEntry(
                    assessment_id=assessment.id,
                    action="approved",
                    actor=doc.reviewer,
                    comment=entry.comment,
                    created_at=assessment.approved_at,
                )
            )
    assessment.lock_version += 1
    session.add(assessment)
    session.flush()
    if doc.status == Status.approved:
        portfolio.approved(session, assessment)
    audit.record(
        session,
        actor,
        "assessment.imported",
        "assessment",
        assessment.id,
        None,
        {"status": assessment.status, "reviewer": doc.reviewer},
    )


def export_document(session: Session, assessment: Assessment, municipality_code: str) -> dict[str, Any]:
    decision = session.get(Decision, assessment.decision_id)
    assert decision is not None
    alts = repo.alternatives_for(session, assessment.id)
    ratings = repo.ratings_for(session, assessment.id)
    review_entries = repo.review_entries_for(session, assessment.id)
    follow_ups = {f.rating_id: f for f in repo.follow_ups_for(session, assessment.id)}
    doc = AssessmentDocument(
        municipality=municipality_code,
        decision=DocDecision(
            case_number=decision.case_number,
            title=decision.title,
            summary=decision.summary,
            deciding_body=decision.deciding_body,
            planned_date=decision.planned_date,
            source=decision.source,
        ),
        rubric_id=assessment.rubric_id,
        rubric_version=assessment.rubric_version,
        extensions=[f"{p['id']}@{p['version']}" for p in assessment.extensions or []],
        status=assessment.status if assessment.status != Status.superseded else "approved",
        submitted_at=assessment.submitted_at,
        approved_at=assessment.approved_at,
        review=[ReviewAction(comment=e.comment) for e in review_entries if e.action == "approved" and e.comment],
        author=assessment.author_name,
        reviewer=assessment.reviewer_name,
        review_date=assessment.review_date,
        screening=[
            ScreeningItem(perspective_id=s.perspective_id, relevant=s.relevant, reason=s.reason)
            for s in sorted(repo.screening_for(session, assessment.id), key=lambda s: s.perspective_id)
        ],
        screening_statement=assessment.screening_statement,
        sources=assessment.sources or [],
        text_language=text_language_of(assessment),
        alternatives=[
            DocAlternative(
                key=a.key,
                title=a.title,
                description=a.description,
                ratings=[
                    DocRating(
                        criterion_id=r.criterion_id,
                        target=r.target,
                        effect=r.effect,
                        score="unknown" if r.score is None else r.score,
                        likelihood=r.likelihood,
                        horizon=r.horizon,
                        certainty=r.certainty,
                        rationale=r.rationale,
                        evidence=r.evidence,
                        mitigation=r.mitigation,
                        affected_groups=r.affected_groups,
                        affected_area=r.affected_area,
                        follow_up=(
                            DocFollowUp(outcome=follow_ups[r.id].outcome, note=follow_ups[r.id].note)
                            if r.id in follow_ups
                            else None
                        ),
                    )
                    for r in ratings
                    if r.alternative_id == a.id
                ],
            )
            for a in alts
        ],
    )
    data: dict[str, Any] = doc.model_dump(mode="json")
    return data

"""The review workflow: draft → submitted → approved (or returned → draft); versions; follow-up.

Rules: only a reviewer approves or returns, never their own assessment, and never approves a version
they changed themselves (four eyes: the audit trail of the version says which user changed it); an approved
assessment is immutable and changes go into a new version linked to it; approving the new version
supersedes the old.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.assessments import repository as repo
from app.assessments.models import (
    Alternative,
    Assessment,
    Decision,
    FollowUp,
    Rating,
    ReviewEntry,
    ScreeningAnswer,
    Status,
)
from app.assessments.schemas import FollowUpCreate
from app.assessments.scoring import RatingInput, significant
from app.assessments.service import relevance, rubric_of, snapshot
from app.assessments.views import weights_for
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.db.base import utcnow
from app.errors import Conflict, FieldProblem, Forbidden, InvalidState, NotFound, PreconditionFailed, ValidationFailed
from app.portfolio import service as portfolio
from app.rubrics.registry import RubricRegistry
from app.webhooks import service as webhooks


def _claim(session: Session, assessment: Assessment, expected: int) -> None:
    """Take the next version of an assessment that is not a draft (review steps, the review date)."""
    if not repo.claim_version(session, assessment.id, expected):
        raise PreconditionFailed("the assessment was changed by someone else; reload and try again")
    session.refresh(assessment)


def _transition(
    session: Session, actor: Actor, assessment: Assessment, expected: int, to: Status, action: str, comment: str
) -> None:
    before = {"status": assessment.status}
    _claim(session, assessment, expected)
    assessment.status = to.value
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.add(ReviewEntry(assessment_id=assessment.id, action=action, actor=actor.label, comment=comment.strip()))
    session.flush()
    audit.record(
        session,
        actor,
        f"assessment.{action}",
        "assessment",
        assessment.id,
        before,
        {"status": assessment.status, "comment": comment.strip()},
    )
    webhooks.enqueue(
        session, actor.municipality_id, f"assessment.{action}", webhooks.assessment_payload(session, actor, assessment)
    )


def submission_problems(session: Session, registry: RubricRegistry, assessment: Assessment) -> list[FieldProblem]:
    rubric = rubric_of(registry, assessment)
    screening = {s.perspective_id: s for s in repo.screening_for(session, assessment.id)}
    problems = [
        FieldProblem(f"screening.{p.id}", "the perspective has not been screened", "required")
        for p in rubric.perspectives
        if p.id not in screening
    ]
    if problems:
        return problems
    relevant = [pid for pid, s in screening.items() if s.relevant]
    if not relevant and not assessment.screening_statement.strip():
        problems.append(FieldProblem("screening_statement", "no perspective is relevant: a statement is required"))
    if relevant:
        alts = {a.id: a.key for a in repo.alternatives_for(session, assessment.id)}
        # only ratings of relevant perspectives count: those kept from before a perspective was screened
        # out count nowhere (summary, flag, reports), so they do not make the proposal rated
        counted = set(relevant)
        proposal_rated = any(
            alts.get(r.alternative_id) == "proposal" and r.perspective_id in counted
            for r in repo.ratings_for(session, assessment.id)
        )
        if not proposal_rated:
            problems.append(
                FieldProblem(
                    "ratings", "the proposal has no ratings yet in a perspective screened as relevant", "required"
                )
            )
    return problems


def submit(
    session: Session, actor: Actor, registry: RubricRegistry, assessment: Assessment, expected: int, comment: str = ""
) -> Assessment:
    actor.require("write")
    if assessment.status != Status.draft:
        raise InvalidState(f"only a draft can be submitted; this assessment is {assessment.status}")
    problems = submission_problems(session, registry, assessment)
    if problems:
        raise ValidationFailed("the assessment is not ready to submit", errors=problems)
    assessment.submitted_at = utcnow()
    _transition(session, actor, assessment, expected, Status.submitted, "submitted", comment)
    return assessment


def _require_reviewer(actor: Actor, assessment: Assessment, verb: str) -> None:
    if not actor.is_reviewer or actor.user_id is None:
        raise Forbidden(f"only a reviewer can {verb} an assessment")
    if assessment.author_id is not None and assessment.author_id == actor.user_id:
        raise Forbidden(f"a reviewer cannot {verb} their own assessment")


class ApprovingOwnChanges(Forbidden):
    """A reviewer asked to approve a version of an assessment they changed themselves."""

    type_slug = "approving-own-changes"
    title = "A reviewer cannot approve their own changes"


NOT_CHANGES = (
    "assessment.submitted",
    "assessment.returned",
    "assessment.approved",
    "assessment.superseded",
    "assessment.review_date",
    "follow_up.recorded",
)
"""The events of an assessment that are no change of its content: the review steps and the follow-up.
Every other event of the assessment (created, versioned, screened, ratings saved or deleted, an
alternative added, changed or removed, a rubric upgrade, an import) changes what is approved."""


def _changes_by(actor: Actor) -> ColumnElement[bool]:
    """The events of an assessment that are changes by ``actor``'s user: recorded with their id, or,
    recorded before events carried it (migration 0014: ``actor_user_id`` NULL), under their label as it
    is now ("Name <e-mail>", the same for a user's web session and personal tokens)."""
    return and_(
        col(AuditEvent.resource_type) == "assessment",
        col(AuditEvent.action).not_in(NOT_CHANGES),
        or_(
            col(AuditEvent.actor_user_id) == actor.user_id,
            and_(col(AuditEvent.actor_user_id).is_(None), col(AuditEvent.actor) == actor.label),
        ),
    )


def changed_by(session: Session, actor: Actor, assessment: Assessment) -> bool:
    """Whether ``actor`` changed this version of the assessment: any event of its audit trail, but the
    review steps, recorded for the actor's user. Each version is an assessment row of its own, so its
    events are those of its id (from the version's creation on, across returns). One statement on the
    index of the events' resource id and user id, stopping at the first match; the same on SQLite and
    PostgreSQL.

    The trail records who acted by user id, so a change of the person's name or e-mail address (by an
    admin, or on their account page) does not hide their changes. Events recorded before the id was
    (migration 0014) are matched by label, which such a change does hide."""
    if actor.user_id is None:
        return False  # a system token acts for no person (and cannot approve)
    # No condition on the municipality: the id is the assessment's (a UUID, loaded within the actor's
    # municipality), and with one SQLite would walk the municipality's whole chain on its (municipality,
    # seq) index instead of this one's few events on the resource index.
    stmt = select(AuditEvent.id).where(AuditEvent.resource_id == str(assessment.id), _changes_by(actor)).limit(1)
    return session.exec(stmt).first() is not None


def changed_among(session: Session, actor: Actor, assessment_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``assessment_ids`` (of the actor's municipality) ``actor`` changed, as :func:`changed_by`
    decides for each: the versions they cannot approve. One statement for all of them (a list of
    submitted assessments marks them)."""
    if actor.user_id is None or not assessment_ids:
        return set()
    by_text = {str(i): i for i in assessment_ids}
    stmt = (
        select(AuditEvent.resource_id)
        .where(col(AuditEvent.resource_id).in_(sorted(by_text)), _changes_by(actor))
        .distinct()
    )
    return {by_text[r] for r in session.exec(stmt).all()}


LAST_CHANGE_SCAN = 500
"""At most this many events of a form's actions are read to find the form's newest change (a rating form
shares its two actions with the assessment's other rating forms); beyond them the saver counts as
someone else."""

FormTouched = Callable[[str, Any, Any], bool]
"""Whether an event (its action, before and after) changed one form: see :func:`last_change_by`."""


def last_change_by(
    session: Session,
    actor: Actor,
    resource: Assessment | Decision,
    touched: FormTouched | None = None,
    actions: Sequence[str] = (),
) -> bool:
    """Whether the newest event of the assessment (this version) or the decision was recorded for ``actor``'s user, as
    :func:`changed_by` matches them: a form refused as stale was then saved by the same person in another
    tab or window, not by someone else. With ``touched``, the newest event that changed *that form*
    (``touched(action, before, after)``) decides, so a later change of another form by someone else
    does not make the form's own saver someone else, nor the other way round. ``actions``: the only
    actions that can change the form, read alone (in SQL: the events of other forms, however many, are
    never read, so the newest of the form's own is found; ``touched`` then tells which of those was this
    form's by their rows). On the resource index (no condition on the municipality, as in
    :func:`changed_by`), the version's events sorted, newest first, at most ``LAST_CHANGE_SCAN`` read."""
    if actor.user_id is None:
        return False
    stmt = select(AuditEvent).where(AuditEvent.resource_id == str(resource.id))
    if actions:
        stmt = stmt.where(col(AuditEvent.action).in_(actions))
    stmt = stmt.order_by(col(AuditEvent.seq).desc()).limit(1 if touched is None else LAST_CHANGE_SCAN)
    for event in session.exec(stmt):
        if touched is None or touched(event.action, event.before, event.after):
            if event.actor_user_id is not None:
                return event.actor_user_id == actor.user_id
            return event.actor == actor.label
    return False


def return_to_draft(session: Session, actor: Actor, assessment: Assessment, expected: int, comment: str) -> Assessment:
    _require_reviewer(actor, assessment, "return")
    if assessment.status != Status.submitted:
        raise InvalidState(f"only a submitted assessment can be returned; this one is {assessment.status}")
    if not comment.strip():
        raise ValidationFailed(
            "say what needs to change", errors=[FieldProblem("comment", "a comment is required when returning")]
        )
    _transition(session, actor, assessment, expected, Status.draft, "returned", comment)
    return assessment


def decision_snapshot(session: Session, assessment: Assessment) -> dict[str, Any]:
    """The assessment's decision's details as they are now (``Assessment.decision_snapshot``)."""
    decision = session.get(Decision, assessment.decision_id)
    if decision is None:
        raise NotFound("the assessment's decision no longer exists")
    return {
        "case_number": decision.case_number,
        "title": decision.title,
        "summary": decision.summary,
        "deciding_body": decision.deciding_body,
        "planned_date": decision.planned_date.isoformat() if decision.planned_date else None,
        "version": decision.version,
    }


def approve(session: Session, actor: Actor, assessment: Assessment, expected: int, comment: str = "") -> Assessment:
    _require_reviewer(actor, assessment, "approve")
    if assessment.status != Status.submitted:
        raise InvalidState(f"only a submitted assessment can be approved; this one is {assessment.status}")
    if changed_by(session, actor, assessment):
        raise ApprovingOwnChanges(
            "you changed this version of the assessment (its audit trail records your changes): another "
            "reviewer must approve it; you can still return it to the author"
        )
    assessment.approved_at = utcnow()
    assessment.weights = weights_for(session, assessment).as_dict()  # frozen: later changes do not alter it
    # the decision's details as approved: a new draft version may change the decision, not this record
    # (no change can race this read: a decision changes only while its latest version is a draft)
    assessment.decision_snapshot = decision_snapshot(session, assessment)
    assessment.reviewer_id = actor.user_id
    assessment.reviewer_name = actor.label
    _transition(session, actor, assessment, expected, Status.approved, "approved", comment)
    superseded = None
    if assessment.previous_id is not None:
        previous = session.get(Assessment, assessment.previous_id)
        if previous is not None and previous.status == Status.approved:
            superseded = previous
            previous.status = Status.superseded.value
            previous.updated_at = utcnow()
            previous.lock_version += 1
            session.add(previous)
            audit.record(
                session,
                actor,
                "assessment.superseded",
                "assessment",
                previous.id,
                {"status": "approved"},
                {"status": "superseded", "by": str(assessment.id)},
            )
            _carry_follow_ups(session, actor, previous, assessment)
    portfolio.approved(session, assessment, superseded)
    return assessment


def new_version(session: Session, actor: Actor, assessment: Assessment) -> Assessment:
    """Copy an approved assessment into a new draft linked to it; the approved one stays untouched."""
    actor.require("write")
    if assessment.status != Status.approved:
        raise InvalidState("only an approved assessment gets a new version; edit the draft instead")
    repo.lock_decision(session, assessment.decision_id)
    newer = [
        a
        for a in repo.assessments_for_decision(session, assessment.decision_id)
        if a.version_no > assessment.version_no
    ]
    if newer:
        raise Conflict("a newer version already exists", assessment_id=str(newer[-1].id))
    copy = Assessment(
        municipality_id=assessment.municipality_id,
        decision_id=assessment.decision_id,
        rubric_id=assessment.rubric_id,
        rubric_version=assessment.rubric_version,
        rubric_hash=assessment.rubric_hash,
        extensions=assessment.extensions,
        version_no=assessment.version_no + 1,
        previous_id=assessment.id,
        author_id=actor.user_id,
        author_name=actor.label,
        screening_statement=assessment.screening_statement,
        sources=assessment.sources,
        text_language=assessment.text_language,
        significant_negative=assessment.significant_negative,
        # the planned follow-up carries over: the new version, once approved, is the one followed up
        review_date=assessment.review_date,
    )
    session.add(copy)
    session.flush()
    for s in repo.screening_for(session, assessment.id):
        session.add(
            ScreeningAnswer(
                assessment_id=copy.id, perspective_id=s.perspective_id, relevant=s.relevant, reason=s.reason
            )
        )
    alt_map = {}
    for a in repo.alternatives_for(session, assessment.id):
        new_alt = Alternative(
            assessment_id=copy.id, key=a.key, kind=a.kind, title=a.title, description=a.description, position=a.position
        )
        session.add(new_alt)
        session.flush()
        alt_map[a.id] = new_alt.id
    for r in repo.ratings_for(session, assessment.id):
        data = r.model_dump(exclude={"id", "assessment_id", "alternative_id"})
        session.add(Rating(assessment_id=copy.id, alternative_id=alt_map[r.alternative_id], **data))
    session.flush()
    audit.record(
        session, actor, "assessment.versioned", "assessment", copy.id, {"previous": str(assessment.id)}, snapshot(copy)
    )
    return copy


def set_review_date(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    review_date: date,
    expected: int,
    *,
    skip_unchanged: bool = False,
) -> Assessment:
    """The approved assessment's follow-up date: the one field that changes after approval. It claims
    a new version like every change, so a concurrent change of the date is answered 412, not lost.
    ``skip_unchanged``: the date it has already writes nothing (after the same checks)."""
    actor.require("write")
    if assessment.status != Status.approved:
        raise InvalidState("a follow-up review date is set on an approved assessment")
    if skip_unchanged and assessment.review_date == review_date:
        if assessment.lock_version != expected:
            raise PreconditionFailed("the assessment was changed by someone else; reload and try again")
        return assessment
    _claim(session, assessment, expected)
    before = {"review_date": str(assessment.review_date) if assessment.review_date else None}
    assessment.review_date = review_date
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.flush()
    audit.record(
        session, actor, "assessment.review_date", "assessment", assessment.id, before, {"review_date": str(review_date)}
    )
    return assessment


def _not_followed_up(rating: Rating, relevant: Mapping[str, bool], proposal: set[uuid.UUID]) -> tuple[str, str] | None:
    """Why ``rating`` is not followed up (the problem and its field's message), or None: only significant
    ratings of the proposal in a perspective screened as relevant are."""
    if not relevant.get(rating.perspective_id, True):
        return (
            "the rating's perspective was screened out: it counts nowhere, so it is not followed up",
            "choose a rating of a perspective screened as relevant",
        )
    if rating.alternative_id not in proposal:
        return (
            "follow-up compares the decided proposal with what happened",
            "choose a rating of the proposal, not of another alternative",
        )
    as_input = RatingInput(
        "", rating.perspective_id, rating.criterion_id, rating.target, rating.score, rating.effect, rating.likelihood
    )
    if not significant(as_input):
        return (
            "follow-up is recorded for significant ratings",
            "this rating is not significant (|score| × likelihood < 1.5)",
        )
    return None


def _carry_follow_ups(session: Session, actor: Actor, previous: Assessment, assessment: Assessment) -> None:
    """The outcomes recorded against the version ``assessment`` supersedes, on the same ratings of
    ``assessment`` (the proposal's, by criterion, target and effect), where it still follows them up:
    the newest approved version is the one followed up, and what was learnt about the decision is not
    left behind on the old one (which keeps its own). Each keeps who recorded it and when."""
    old = repo.follow_ups_for(session, previous.id)
    if not old:
        return
    keys = {a.id: a.key for a in repo.alternatives_for(session, previous.id)}
    old_ratings = {r.id: r for r in repo.ratings_for(session, previous.id)}
    alternatives = repo.alternatives_for(session, assessment.id)
    proposal = {a.id for a in alternatives if a.key == "proposal"}
    new_keys = {a.id: a.key for a in alternatives}
    ratings = {
        (new_keys[r.alternative_id], r.criterion_id, r.target, r.effect): r
        for r in repo.ratings_for(session, assessment.id)
    }
    relevant = relevance(session, assessment)
    for f in old:
        before = old_ratings.get(f.rating_id)
        if before is None:
            continue
        rating = ratings.get((keys[before.alternative_id], before.criterion_id, before.target, before.effect))
        if rating is None or _not_followed_up(rating, relevant, proposal) is not None:
            continue
        row = FollowUp(
            assessment_id=assessment.id,
            rating_id=rating.id,
            outcome=f.outcome,
            note=f.note,
            recorded_by=f.recorded_by,
            recorded_at=f.recorded_at,
        )
        session.add(row)
        session.flush()
        after = {**snapshot(row), "carried_from": str(previous.id)}
        audit.record(session, actor, "follow_up.recorded", "assessment", assessment.id, None, after)


def add_follow_up(
    session: Session, actor: Actor, assessment: Assessment, data: FollowUpCreate, *, skip_unchanged: bool = False
) -> FollowUp:
    """Record what actually happened for a significant rating of an approved assessment.

    ``skip_unchanged``: an outcome and note as stored write nothing, so the follow-up keeps who recorded
    it and when (the web form sends every outcome it shows, also when only the review date changed)."""
    actor.require("write")
    if assessment.status not in (Status.approved, Status.superseded):
        raise InvalidState("follow-up is recorded on approved assessments")
    rating = next((r for r in repo.ratings_for(session, assessment.id) if r.id == data.rating_id), None)
    if rating is None:
        raise NotFound("rating not found in this assessment")
    proposal = {a.id for a in repo.alternatives_for(session, assessment.id) if a.key == "proposal"}
    problem = _not_followed_up(rating, relevance(session, assessment), proposal)
    if problem is not None:
        raise ValidationFailed(problem[0], errors=[FieldProblem("rating_id", problem[1])])
    repo.lock_assessment(session, assessment.id)  # one follow-up per rating, also for two requests at once
    existing = repo.follow_up_for_rating(session, rating.id)
    if (
        skip_unchanged
        and existing is not None
        and (existing.outcome, existing.note) == (data.outcome, data.note.strip())
    ):
        return existing
    before = snapshot(existing) if existing else None
    row = existing or FollowUp(
        assessment_id=assessment.id, rating_id=rating.id, outcome=data.outcome, recorded_by=actor.label
    )
    row.outcome, row.note, row.recorded_by, row.recorded_at = data.outcome, data.note.strip(), actor.label, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "follow_up.recorded", "assessment", assessment.id, before, snapshot(row))
    return row

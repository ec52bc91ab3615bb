"""Use cases of the assessment domain: decisions, assessments, screening, alternatives, ratings.

Services never commit (the request's unit of work does) and never speak HTTP; they raise typed domain
errors. Every change is written to the audit trail. Edits need the version the editor saw
(``expected``): a stale version is refused, so no update is ever lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app.assessments import repository as repo
from app.assessments.models import Alternative, AlternativeKind, Assessment, Decision, Rating, ScreeningAnswer, Status
from app.assessments.rules import rating_problems, screening_problems
from app.assessments.schemas import (
    AlternativeCreate,
    AlternativeUpdate,
    AssessmentCreate,
    DecisionCreate,
    DecisionUpdate,
    RatingIn,
    ScreeningUpdate,
)
from app.assessments.scoring import RatingInput, significant
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.db.base import new_id, utcnow
from app.errors import Conflict, FieldProblem, InvalidState, NotFound, PreconditionFailed, ValidationFailed
from app.portfolio import service as portfolio
from app.rubrics import extensions as rubric_extensions
from app.rubrics.models import Rubric
from app.rubrics.registry import RubricRegistry

MAX_OPTIONS = 5
MAX_OPTION_KEY = 99
"""Options are keyed option-1 … option-99 (``schemas.AltKey``); a key is never reused in one version."""


def snapshot(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-safe data for the audit trail."""
    data: dict[str, Any] = row.model_dump(mode="json", exclude=set(exclude))
    return data


# --- decisions -------------------------------------------------------------------------------


def get_decision(session: Session, actor: Actor, decision_id: uuid.UUID) -> Decision:
    decision = repo.get_decision(session, actor.municipality_id, decision_id)
    if decision is None:
        raise NotFound("decision not found")
    return decision


def create_decision(
    session: Session, actor: Actor, data: DecisionCreate, source: dict[str, Any] | None = None
) -> Decision:
    actor.require("write")
    if repo.decision_by_case(session, actor.municipality_id, data.case_number) is not None:
        raise Conflict(
            f"case number '{data.case_number}' is already used by another decision",
            errors=[FieldProblem("case_number", "already used by another decision", "duplicate")],
        )
    decision = Decision(municipality_id=actor.municipality_id, source=source, **data.model_dump())
    session.add(decision)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request took the case number first
        raise Conflict(f"case number '{data.case_number}' is already used by another decision") from exc
    audit.record(session, actor, "decision.created", "decision", decision.id, None, snapshot(decision))
    return decision


def decision_lock(session: Session, decision: Decision, *, for_change: bool = True) -> Assessment | None:
    """The assessment that keeps the decision's details as they are, or None when they may change.

    A decision's details (case number, title, body, date, summary) are part of what is reviewed and
    approved: its PDF shows them under "Approved … Reviewed by …". They change only while the latest
    version of the decision's assessment is a draft (or there is none yet): not while it is submitted
    (under review) or approved. A new draft version of an approved assessment opens them again; each
    approved version keeps the details it was approved with (``Assessment.decision_snapshot``, taken by
    ``review.approve``), which its PDF and pages show.

    ``for_change``: the latest version is row-locked until the commit, so a submit or approval at the
    same moment waits for the change (or has committed, and its status is read after the lock); a page
    that only shows the reason passes False."""
    versions = repo.assessments_for_decision(session, decision.id)
    if not versions:
        return None
    latest = versions[-1]  # ordered by version number
    if for_change:
        repo.lock_assessment(session, latest.id)
        session.refresh(latest)
    return latest if latest.status in (Status.submitted, Status.approved) else None


def decision_locked_error(assessment: Assessment) -> InvalidState:
    if assessment.status == Status.approved:
        detail = (
            "the decision's assessment is approved, and the approved assessment and its report show the "
            "decision's details: they cannot be changed; create a new version of the assessment "
            f"(POST /api/v1/assessments/{assessment.id}/versions) to change them"
        )
    else:
        detail = (
            "the decision's assessment is submitted for review, and the reviewer reviews the decision's "
            "details with it: they cannot be changed until the assessment is returned to draft"
        )
    return InvalidState(detail, assessment_id=str(assessment.id), assessment_status=assessment.status)


def update_decision(
    session: Session,
    actor: Actor,
    decision: Decision,
    data: DecisionUpdate,
    expected: int,
    *,
    skip_unchanged: bool = False,
) -> Decision:
    """``skip_unchanged``: a change whose values are those stored writes nothing (no version, no event),
    once it has passed every check a change passes (the API's rule; the web saves every time)."""
    actor.require("write")
    # If-Match (412) before the state (409), as for the ratings; the claim below is what is atomic
    if decision.version != expected:
        raise PreconditionFailed("the decision was changed by someone else; reload and try again")
    locked_by = decision_lock(session, decision)
    if locked_by is not None:
        raise decision_locked_error(locked_by)
    changes = data.model_dump(exclude_unset=True)
    if "case_number" in changes and changes["case_number"] != decision.case_number:
        other = repo.decision_by_case(session, actor.municipality_id, changes["case_number"])
        if other is not None:
            raise Conflict(f"case number '{changes['case_number']}' is already used by another decision")
    if skip_unchanged and all(getattr(decision, key) == value for key, value in changes.items()):
        return decision
    before = snapshot(decision)
    if not repo.claim_decision_version(session, decision.id, expected):
        raise PreconditionFailed("the decision was changed by someone else; reload and try again")
    session.refresh(decision)
    planned_before = decision.planned_date
    for key, value in changes.items():
        setattr(decision, key, value)
    decision.updated_at = utcnow()
    session.add(decision)
    session.flush()
    portfolio.decision_moved(session, decision, planned_before)
    audit.record(session, actor, "decision.updated", "decision", decision.id, before, snapshot(decision))
    return decision


# --- assessments ------------------------------------------------------------------------------


def get_assessment(session: Session, actor: Actor, assessment_id: uuid.UUID) -> Assessment:
    assessment = repo.get_assessment(session, actor.municipality_id, assessment_id)
    if assessment is None:
        raise assessment_not_found()
    return assessment


def assessment_not_found() -> NotFound:
    return NotFound("assessment not found")


def rubric_of(registry: RubricRegistry, assessment: rubric_extensions.PinnedAssessment) -> Rubric:
    """The pinned rubric version merged with the pinned local extensions (their criteria marked local)."""
    return rubric_extensions.rubric_for_assessment(registry, assessment)


def create_assessment(
    session: Session, actor: Actor, registry: RubricRegistry, decision: Decision, data: AssessmentCreate
) -> Assessment:
    actor.require("write")
    # a version without an id is one of the default rubric's (it was ignored: the newest was taken)
    rubric_id = data.rubric_id or (registry.default().id if data.rubric_version else None)
    rubric = registry.get(rubric_id, data.rubric_version) if rubric_id else registry.default()
    if rubric is None:
        known = rubric_id is not None and bool(registry.versions(rubric_id))
        field = "rubric_version" if known else "rubric_id"
        raise ValidationFailed(
            "unknown rubric", errors=[FieldProblem(field, "no such rubric id and version is installed")]
        )
    repo.lock_decision(session, decision.id)
    existing = [a for a in repo.assessments_for_decision(session, decision.id) if a.status != Status.superseded]
    if existing:
        raise Conflict(
            "this decision already has an assessment; continue it or create a new version of an approved one",
            assessment_id=str(existing[-1].id),
        )
    assessment = Assessment(
        municipality_id=actor.municipality_id,
        decision_id=decision.id,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.content_hash,
        extensions=rubric_extensions.stored_pins(
            rubric_extensions.pins_for_new(session, registry, actor, rubric, data.extensions)
        ),
        author_id=actor.user_id,
        author_name=actor.label,
        sources=list(data.sources) or None,
        text_language=data.text_language,
    )
    session.add(assessment)
    session.flush()
    session.add(
        Alternative(
            assessment_id=assessment.id,
            key=AlternativeKind.proposal.value,
            kind=AlternativeKind.proposal.value,
            title=data.proposal_title or decision.title,
            description=data.proposal_description or decision.summary,
            position=0,
        )
    )
    session.add(
        Alternative(
            assessment_id=assessment.id,
            key=AlternativeKind.zero.value,
            kind=AlternativeKind.zero.value,
            title="0",
            description=data.zero_description,
            position=1,
        )
    )
    session.flush()
    audit.record(session, actor, "assessment.created", "assessment", assessment.id, None, snapshot(assessment))
    return assessment


def begin_edit(session: Session, assessment: Assessment, expected: int) -> None:
    """Every edit starts here: only drafts change, and only from the version the editor saw."""
    _editable(assessment)
    now = utcnow()
    if not repo.claim_version(session, assessment.id, expected, at=now):  # one UPDATE: version and time
        raise PreconditionFailed(
            "the assessment was changed by someone else since you loaded it; reload to see both versions",
            current_version=_current_version(session, assessment),
        )
    if assessment.lock_version == expected:  # the loaded row is the claimed version: nothing to reload
        set_committed_value(assessment, "lock_version", expected + 1)
        set_committed_value(assessment, "updated_at", now)
    else:  # changed between loading and claiming: read what the claim was made against
        session.refresh(assessment)


def _editable(assessment: Assessment) -> None:
    if assessment.status != Status.draft:
        raise InvalidState(
            f"the assessment is {assessment.status} and cannot be changed"
            + ("; create a new version to change it" if assessment.status == Status.approved else "")
        )


def edit_unchanged(assessment: Assessment, expected: int) -> None:
    """An edit that changes nothing passes the checks of :func:`begin_edit` (the state: 409; the version:
    412) and claims no version: nothing is written."""
    _editable(assessment)
    if assessment.lock_version != expected:
        raise PreconditionFailed(
            "the assessment was changed by someone else since you loaded it; reload to see both versions",
            current_version=assessment.lock_version,
        )


def _current_version(session: Session, assessment: Assessment) -> int:
    session.refresh(assessment)
    return assessment.lock_version


def relevance(session: Session, assessment: Assessment) -> dict[str, bool]:
    return {s.perspective_id: s.relevant for s in repo.screening_for(session, assessment.id)}


def set_screening(
    session: Session,
    actor: Actor,
    registry: RubricRegistry,
    assessment: Assessment,
    data: ScreeningUpdate,
    expected: int,
    *,
    skip_unchanged: bool = False,
) -> Assessment:
    """``skip_unchanged``: as for :func:`update_decision`."""
    actor.require("write")
    rubric = rubric_of(registry, assessment)
    problems = screening_problems(data.items, rubric, data.statement)
    if problems:
        raise ValidationFailed("the screening is not complete", errors=problems)
    if skip_unchanged and _screening_unchanged(session, assessment, data):
        edit_unchanged(assessment, expected)
        return assessment
    begin_edit(session, assessment, expected)
    current = {s.perspective_id: s for s in repo.screening_for(session, assessment.id)}
    before = {pid: {"relevant": s.relevant, "reason": s.reason} for pid, s in current.items()}
    for item in data.items:
        row = current.get(item.perspective_id) or ScreeningAnswer(
            assessment_id=assessment.id, perspective_id=item.perspective_id, relevant=item.relevant
        )
        row.relevant, row.reason = item.relevant, item.reason.strip()
        session.add(row)
    assessment.screening_statement = data.statement.strip()
    screening = {pid: s.relevant for pid, s in current.items()} | {i.perspective_id: i.relevant for i in data.items}
    refresh_flags(session, assessment, screening=screening)
    sources_before = assessment.sources or []
    if data.sources is not None:
        assessment.sources = list(data.sources) or None
    session.add(assessment)
    session.flush()
    after = {i.perspective_id: {"relevant": i.relevant, "reason": i.reason} for i in data.items}
    audit.record(
        session,
        actor,
        "assessment.screened",
        "assessment",
        assessment.id,
        {"screening": before, "sources": sources_before},
        {"screening": after, "statement": assessment.screening_statement, "sources": assessment.sources or []},
    )
    return assessment


def set_text_language(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    text_language: str | None,
    expected: int,
    *,
    skip_unchanged: bool = False,
) -> Assessment:
    """The language the draft's texts are written in (``sv``, ``fi``, ``en``; None: not stated). Pages,
    PDFs and Word copies mark the texts with it. ``skip_unchanged``: as for :func:`update_decision`."""
    actor.require("write")
    if skip_unchanged and assessment.text_language == text_language:
        edit_unchanged(assessment, expected)
        return assessment
    begin_edit(session, assessment, expected)
    before = {"text_language": assessment.text_language}
    assessment.text_language = text_language
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor,
        "assessment.text_language",
        "assessment",
        assessment.id,
        before,
        {"text_language": text_language},
    )
    return assessment


def _screening_unchanged(session: Session, assessment: Assessment, data: ScreeningUpdate) -> bool:
    """Whether :func:`set_screening` would store what is stored (the answers named, the statement, the
    sources when sent)."""
    current = {s.perspective_id: s for s in repo.screening_for(session, assessment.id)}
    answers = all(
        (row := current.get(item.perspective_id)) is not None
        and (row.relevant, row.reason) == (item.relevant, item.reason.strip())
        for item in data.items
    )
    sources = data.sources is None or (list(data.sources) or None) == (assessment.sources or None)
    return answers and sources and assessment.screening_statement == data.statement.strip()


def add_alternative(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    data: AlternativeCreate,
    expected: int,
    *,
    key: str | None = None,
) -> Alternative:
    """A further option, keyed by the first ``option-N`` this assessment never used; ``key``: the one an
    imported document gives it (its ratings name it), refused when this version has used it."""
    actor.require("write")
    begin_edit(session, assessment, expected)
    existing = repo.alternatives_for(session, assessment.id)
    options = [a for a in existing if a.kind == AlternativeKind.option]
    if len(options) >= MAX_OPTIONS:
        raise Conflict(f"an assessment can compare at most {MAX_OPTIONS} further options")
    # a key is never given to a second option of the same assessment: a removed option's key stays its
    # own (in the trail, webhooks and clients' records, and in unsaved forms kept for it), so a new
    # option never inherits what was typed for the removed one
    used = {a.key for a in existing} | removed_option_keys(session, assessment.id)
    if key is not None:
        if key in used:
            raise Conflict(f"the key {key} is used already in this assessment")
    else:
        n = next((i for i in range(1, MAX_OPTION_KEY + 1) if f"option-{i}" not in used), None)
        if n is None:
            raise Conflict(f"this assessment has used all {MAX_OPTION_KEY} keys of further options")
        key = f"option-{n}"
    alt = Alternative(
        assessment_id=assessment.id,
        key=key,
        kind=AlternativeKind.option.value,
        title=data.title,
        description=data.description,
        position=max((a.position for a in existing), default=1) + 1,
    )
    session.add(alt)
    session.flush()
    audit.record(session, actor, "alternative.created", "assessment", assessment.id, None, snapshot(alt))
    return alt


def removed_option_keys(session: Session, assessment_id: uuid.UUID) -> set[str]:
    """The keys of the options removed from this version of an assessment (from its audit trail)."""
    stmt = select(AuditEvent.before).where(
        AuditEvent.resource_id == str(assessment_id), AuditEvent.action == "alternative.deleted"
    )
    return {str(before["key"]) for before in session.exec(stmt) if isinstance(before, dict) and "key" in before}


def alternative_by_key(session: Session, assessment: Assessment, key: str) -> Alternative:
    alt = next((a for a in repo.alternatives_for(session, assessment.id) if a.key == key), None)
    if alt is None:
        raise NotFound(f"alternative '{key}' not found")
    return alt


def update_alternative(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    key: str,
    data: AlternativeUpdate,
    expected: int,
    *,
    skip_unchanged: bool = False,
) -> Alternative:
    """``skip_unchanged``: as for :func:`update_decision`."""
    actor.require("write")
    alt = alternative_by_key(session, assessment, key)
    changes = data.model_dump(exclude_unset=True)  # null is refused by the schema
    if skip_unchanged and all(getattr(alt, field) == value for field, value in changes.items()):
        edit_unchanged(assessment, expected)
        return alt
    begin_edit(session, assessment, expected)
    before = snapshot(alt)
    for field, value in changes.items():
        setattr(alt, field, value)
    session.add(alt)
    session.flush()
    audit.record(session, actor, "alternative.updated", "assessment", assessment.id, before, snapshot(alt))
    return alt


def delete_alternative(session: Session, actor: Actor, assessment: Assessment, key: str, expected: int) -> None:
    actor.require("write")
    alt = alternative_by_key(session, assessment, key)
    if alt.kind != AlternativeKind.option:
        raise InvalidState("the proposal and the zero alternative cannot be removed")
    begin_edit(session, assessment, expected)
    ratings = [r for r in repo.ratings_for(session, assessment.id) if r.alternative_id == alt.id]
    for rating in ratings:
        session.delete(rating)
    session.flush()  # the ratings first: nothing orders these deletes before the alternative they refer to
    # the trail keeps what went with the option, as it keeps a rating removed on its own (rating.deleted)
    before = {**snapshot(alt), "ratings": [snapshot(r) for r in ratings]}
    session.delete(alt)
    session.flush()
    audit.record(session, actor, "alternative.deleted", "assessment", assessment.id, before, None)


def put_ratings(
    session: Session,
    actor: Actor,
    registry: RubricRegistry,
    assessment: Assessment,
    ratings: list[RatingIn],
    expected: int,
    *,
    alternatives: Sequence[Alternative] | None = None,
    screening: Mapping[str, bool] | None = None,
    skip_unchanged: bool = False,
) -> list[Rating]:
    """Create or replace ratings (keyed by alternative, criterion, target, effect) in one step.

    ``alternatives`` and ``screening`` (perspective → relevant), when the caller has read them in this
    unit of work, are not read again: they are checked before the version is claimed either way, and a
    change to them since would have moved the version the claim expects.

    ``skip_unchanged``: as for :func:`update_decision` (nothing is saved: the answer is empty)."""
    actor.require("write")
    # If-Match (412), then the state (409), before the content (422): a stale or approved assessment
    # is answered as such whatever the ratings hold. begin_edit still claims the version atomically.
    if assessment.lock_version != expected:
        raise PreconditionFailed(
            "the assessment was changed by someone else since you loaded it; reload to see both versions",
            current_version=assessment.lock_version,
        )
    if assessment.status != Status.draft:
        begin_edit(session, assessment, expected)  # raises the state's 409, as every edit does
    rubric = rubric_of(registry, assessment)
    if alternatives is None:
        alternatives = repo.alternatives_for(session, assessment.id)
    alts = {a.key: a for a in alternatives}
    relevant = screening if screening is not None else relevance(session, assessment)
    problems = ratings_problems(ratings, rubric, alts, relevant)
    if problems:
        raise ValidationFailed("some ratings are not valid; nothing was saved", errors=problems)
    if skip_unchanged:
        stored = {rating_key(r): r for r in repo.ratings_for(session, assessment.id)}
        if ratings_unchanged(alts, stored, ratings):
            edit_unchanged(assessment, expected)
            return []
    begin_edit(session, assessment, expected)
    existing = {rating_key(r): r for r in repo.ratings_for(session, assessment.id)}
    merged = merge_ratings(assessment.id, rubric, alts, existing, ratings, utcnow())
    for row in merged.saved:
        session.add(row)
    session.flush()
    existing.update((rating_key(r), r) for r in merged.saved)
    refresh_flags(session, assessment, list(alts.values()), list(existing.values()), relevant)
    audit.record(session, actor, "ratings.saved", "assessment", assessment.id, None, merged.audit_after)
    return merged.saved


class AlternativeRow(Protocol):
    """What saving ratings reads of an alternative (an ORM row or a plain database row)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...


class RatingRow(Protocol):
    """What the significant-negative flag reads of a rating (an ORM row or a plain database row)."""

    @property
    def alternative_id(self) -> uuid.UUID: ...
    @property
    def perspective_id(self) -> str: ...
    @property
    def criterion_id(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def effect(self) -> int: ...
    @property
    def score(self) -> int | None: ...
    @property
    def likelihood(self) -> str | None: ...


RatingKey = tuple[uuid.UUID, str, str, int]


def rating_key(row: RatingRow) -> RatingKey:
    """The natural key of a rating: (alternative, criterion, target, effect)."""
    return (row.alternative_id, row.criterion_id, row.target, row.effect)


def requested_key(alternatives: Mapping[str, AlternativeRow], rating: RatingIn) -> RatingKey:
    """The key of the row a valid rating of a request writes."""
    return (alternatives[rating.alternative].id, rating.criterion_id, rating.target.value, rating.effect)


def ratings_problems(
    ratings: Sequence[RatingIn], rubric: Rubric, alternatives: Mapping[str, AlternativeRow], rel: Mapping[str, bool]
) -> list[FieldProblem]:
    """Every problem of a request saving ratings, by field (empty: all valid)."""
    problems: list[FieldProblem] = []
    seen: set[tuple[str, str, str, int]] = set()
    for i, rating in enumerate(ratings):
        prefix = f"ratings.{i}."
        if rating.alternative not in alternatives:
            problems.append(FieldProblem(prefix + "alternative", f"alternative '{rating.alternative}' does not exist"))
        key = (rating.alternative, rating.criterion_id, rating.target.value, rating.effect)
        if key in seen:
            problems.append(FieldProblem(prefix + "criterion_id", "the same effect is listed twice in this request"))
        seen.add(key)
        problems.extend(rating_problems(rating, rubric, rel, prefix))
    return problems


@dataclass(frozen=True)
class MergedRatings:
    saved: list[Rating]
    """The rows to write (new or changed), in the order of the request."""
    audit_after: dict[str, Any]
    """What the audit trail records: each row before and after."""


def rating_values(rating: RatingIn) -> dict[str, Any]:
    """What a rating stores of what was sent (the rest is its key)."""
    return {
        "score": None if rating.score == "unknown" else int(rating.score),
        "likelihood": rating.likelihood,
        "horizon": rating.horizon,
        "certainty": rating.certainty,
        "rationale": rating.rationale.strip(),
        "mitigation": rating.mitigation.strip(),
        "evidence": [e.strip() for e in rating.evidence if e.strip()],
        "affected_groups": rating.affected_groups.strip(),
        "affected_area": rating.affected_area,
    }


def ratings_unchanged(
    alternatives: Mapping[str, AlternativeRow], stored: Mapping[RatingKey, Any], ratings: Sequence[RatingIn]
) -> bool:
    """Whether every rating sent is stored already with these very values (valid ratings: see
    :func:`ratings_problems`). ``stored``: rows by :func:`rating_key` (ORM rows or plain ones)."""
    for rating in ratings:
        row = stored.get(requested_key(alternatives, rating))
        if row is None or any(getattr(row, field) != value for field, value in rating_values(rating).items()):
            return False
    return True


def merge_ratings(
    assessment_id: uuid.UUID,
    rubric: Rubric,
    alternatives: Mapping[str, AlternativeRow],
    existing: Mapping[RatingKey, Rating],
    ratings: Sequence[RatingIn],
    at: datetime,
) -> MergedRatings:
    """Apply valid ratings (see :func:`ratings_problems`) to the assessment's rows: ``existing`` rows
    (at least those the request names) change in place, new ones are created. The caller writes them."""
    saved: list[Rating] = []
    changes: list[dict[str, Any]] = []
    for rating in ratings:
        found = rubric.criterion(rating.criterion_id)
        assert found is not None  # checked by ratings_problems
        key = requested_key(alternatives, rating)
        row = existing.get(key)
        before = snapshot(row, ("updated_at",)) if row else None
        if row is None:
            row = Rating(
                id=new_id(),  # given, not left to the default factories: pydantic inspects each (~40 µs)
                assessment_id=assessment_id,
                alternative_id=key[0],
                perspective_id=found[0].id,
                criterion_id=rating.criterion_id,
                target=rating.target.value,
                effect=rating.effect,
                evidence=[],
                updated_at=at,
            )
        for field, value in rating_values(rating).items():
            setattr(row, field, value)
        row.updated_at = at
        saved.append(row)
        changes.append({"before": before, "after": snapshot(row, ("updated_at", "id"))})
    return MergedRatings(saved, {"count": len(saved), "changes": changes})


def refresh_flags(
    session: Session,
    assessment: Assessment,
    alternatives: Sequence[Alternative] | None = None,
    ratings: Sequence[Rating] | None = None,
    screening: Mapping[str, bool] | None = None,
) -> None:
    """Keep the list filter "has significant negative impact" cheap: a flag on the assessment.
    Callers that hold the assessment's alternatives, (all) ratings and screening pass them; else they
    are read."""
    if alternatives is None:
        alternatives = repo.alternatives_for(session, assessment.id)
    if ratings is None:
        ratings = repo.ratings_for(session, assessment.id)
    if screening is None:
        screening = relevance(session, assessment)
    assessment.significant_negative = has_significant_negative(alternatives, ratings, screening)
    session.add(assessment)


def has_significant_negative(
    alternatives: Iterable[AlternativeRow], ratings: Iterable[RatingRow], screening: Mapping[str, bool]
) -> bool:
    """Whether the proposal has an effect below zero of significance ≥ 1.5 (the flag on the assessment),
    in a perspective not screened out (``screening``: perspective → relevant): ratings kept from before a
    perspective was screened out do not count, as in the summary."""
    proposal = {a.id for a in alternatives if a.kind == AlternativeKind.proposal}
    return any(
        r.alternative_id in proposal
        and screening.get(r.perspective_id, True)
        and r.score is not None
        and r.score < 0
        and significant(RatingInput("", r.perspective_id, r.criterion_id, r.target, r.score, r.effect, r.likelihood))
        for r in ratings
    )


def delete_rating(session: Session, actor: Actor, assessment: Assessment, rating_id: uuid.UUID, expected: int) -> None:
    actor.require("write")
    row = next((r for r in repo.ratings_for(session, assessment.id) if r.id == rating_id), None)
    if row is None:
        raise NotFound("rating not found")
    begin_edit(session, assessment, expected)
    before = snapshot(row)
    session.delete(row)
    session.flush()
    refresh_flags(session, assessment)
    audit.record(session, actor, "rating.deleted", "assessment", assessment.id, before, None)

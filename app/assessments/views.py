"""Read models: rows → public schemas and the scoring summary, shared by the API, the web and reports."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast, get_args

from sqlmodel import Session

from app.assessments import repository as repo
from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer, Status
from app.assessments.schemas import (
    AlternativePublic,
    AlternativeSummaryPublic,
    AssessmentListItem,
    AssessmentPublic,
    CellPublic,
    DecisionAsApprovedPublic,
    DecisionPublic,
    ImpactPublic,
    RatingPublic,
    ReviewEntryPublic,
    ScreeningPublic,
    SummaryPublic,
    TextLanguage,
)
from app.assessments.scoring import RankedImpact, RatingInput, Summary, Weights, summarise
from app.municipalities.models import Municipality
from app.rubrics.models import ExtensionPin, Rubric


def etag(version: int) -> str:
    return f'"v{version}"'


def text_language_of(assessment: Assessment) -> TextLanguage | None:
    """The assessment's stated language of its texts, or None (not stated, or a value no longer known)."""
    lang = assessment.text_language
    return cast("TextLanguage", lang) if lang in get_args(TextLanguage) else None


def text_lang_attr(assessment: Assessment, page_lang: str) -> str | None:
    """The ``lang`` to mark the assessment's texts with on a page (or report) in ``page_lang``: None
    where they are in the page's language or their language is not stated (they inherit the page's)."""
    lang = text_language_of(assessment)
    return lang if lang and lang != page_lang else None


def decision_public(decision: Decision, municipality_code: str) -> DecisionPublic:
    return DecisionPublic(municipality=municipality_code, **decision.model_dump())


APPROVED_STATES = (Status.approved, Status.superseded)
"""The states whose version keeps the decision as approved (``Assessment.decision_snapshot``)."""


def approved_details(status: str, snapshot: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The decision's details an assessment of ``status`` shows instead of the decision as it is now:
    its ``decision_snapshot`` when it is approved or superseded, else ``None`` (the decision as it is
    now). For reads of light rows; :func:`decision_as_shown` and :func:`decision_as_approved` use it."""
    return snapshot if status in APPROVED_STATES and snapshot else None


def decision_as_approved(assessment: Assessment) -> DecisionAsApprovedPublic | None:
    """The decision's details as approved with ``assessment`` (its ``decision_snapshot``), or ``None``
    for a draft or submitted one (and for an approved one without a snapshot, which no approval since
    migration 0013 leaves)."""
    snap = approved_details(assessment.status, assessment.decision_snapshot)
    return None if snap is None else DecisionAsApprovedPublic.model_validate(snap)


def decision_as_shown(assessment: Assessment, decision: Decision) -> Decision:
    """The decision as everything that shows an assessment shows it — its PDFs and their archival JSON,
    its pages, download names, the API's ``decision_as_approved``: for an approved or superseded
    assessment its details as approved (``Assessment.decision_snapshot``), for any other the decision
    as it is now. The one place that chooses between the two.

    An approved version without a snapshot (none since migration 0013, which filled the earlier ones)
    shows the decision as it is now. The result is a plain copy, never added to the session."""
    snap = approved_details(assessment.status, assessment.decision_snapshot)
    if snap is None:
        return decision
    planned = snap.get("planned_date")
    return Decision(
        id=decision.id,
        municipality_id=decision.municipality_id,
        case_number=snap.get("case_number", decision.case_number),
        title=snap.get("title", decision.title),
        summary=snap.get("summary", decision.summary),
        deciding_body=snap.get("deciding_body", decision.deciding_body),
        planned_date=date.fromisoformat(planned) if planned else None,
        source=decision.source,
        version=snap.get("version", decision.version),
        created_at=decision.created_at,
        updated_at=decision.updated_at,
    )


def alternative_public(alt: Alternative) -> AlternativePublic:
    return AlternativePublic(id=alt.id, key=alt.key, kind=alt.kind, title=alt.title, description=alt.description)


def rating_public(rating: Rating, alt_key: str, screened_out: Collection[str] = ()) -> RatingPublic:
    return RatingPublic.model_validate(rating_public_values(rating.model_dump(), alt_key, screened_out))


def rating_public_values(row: Mapping[str, Any], alt_key: str, screened_out: Collection[str]) -> dict[str, Any]:
    """A rating's columns as the fields of ``RatingPublic``: the alternative by key, no ids of the
    assessment or alternative, a missing score as "unknown", and whether it counts (not while its
    perspective is in ``screened_out``, as :func:`counted_ratings`)."""
    values = {k: v for k, v in row.items() if k not in ("assessment_id", "alternative_id")}
    values["alternative"] = alt_key
    if values["score"] is None:
        values["score"] = "unknown"
    values["counted"] = values["perspective_id"] not in screened_out
    return values


def assessment_public(session: Session, assessment: Assessment, municipality_code: str) -> AssessmentPublic:
    screening = repo.screening_for(session, assessment.id)
    return AssessmentPublic(
        id=assessment.id,
        decision_id=assessment.decision_id,
        municipality=municipality_code,
        rubric_id=assessment.rubric_id,
        rubric_version=assessment.rubric_version,
        rubric_hash=assessment.rubric_hash,
        extensions=[ExtensionPin.model_validate(p) for p in assessment.extensions or []],
        status=assessment.status,
        version_no=assessment.version_no,
        previous_id=assessment.previous_id,
        superseded_by=repo.successor_id(session, assessment) if assessment.status == Status.superseded else None,
        author=assessment.author_name or None,
        reviewer=assessment.reviewer_name or None,
        screening=[
            ScreeningPublic(perspective_id=s.perspective_id, relevant=s.relevant, reason=s.reason)
            for s in sorted(screening, key=lambda s: s.perspective_id)
        ],
        screening_statement=assessment.screening_statement,
        sources=assessment.sources or [],
        text_language=text_language_of(assessment),
        alternatives=[alternative_public(a) for a in repo.alternatives_for(session, assessment.id)],
        submitted_at=assessment.submitted_at,
        approved_at=assessment.approved_at,
        review_date=assessment.review_date,
        review=[
            ReviewEntryPublic(action=e.action, actor=e.actor, comment=e.comment, created_at=e.created_at)
            for e in repo.review_entries_for(session, assessment.id)
        ],
        decision_as_approved=decision_as_approved(assessment),
        etag=etag(assessment.lock_version),
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
    )


def assessment_list_item(assessment: Assessment, decision: Decision) -> AssessmentListItem:
    return AssessmentListItem(
        id=assessment.id,
        decision_id=decision.id,
        case_number=decision.case_number,
        title=decision.title,
        deciding_body=decision.deciding_body,
        planned_date=decision.planned_date,
        status=assessment.status,
        version_no=assessment.version_no,
        rubric_id=assessment.rubric_id,
        rubric_version=assessment.rubric_version,
        significant_negative=assessment.significant_negative,
        author=assessment.author_name or None,
        reviewer=assessment.reviewer_name or None,
        approved_at=assessment.approved_at,
        updated_at=assessment.updated_at,
        etag=etag(assessment.lock_version),
    )


def assessment_list_item_row(row: Any) -> AssessmentListItem:
    """A list item from one light row of ``list_repository.page_assessment_rows``."""
    return AssessmentListItem(
        id=row.id,
        decision_id=row.decision_id,
        case_number=row.case_number,
        title=row.title,
        deciding_body=row.deciding_body,
        planned_date=row.planned_date,
        status=row.status,
        version_no=row.version_no,
        rubric_id=row.rubric_id,
        rubric_version=row.rubric_version,
        significant_negative=row.significant_negative,
        author=row.author_name or None,
        reviewer=row.reviewer_name or None,
        approved_at=row.approved_at,
        updated_at=row.updated_at,
        etag=etag(row.lock_version),
    )


def ratings_public(session: Session, assessment: Assessment) -> list[RatingPublic]:
    keys = {a.id: a.key for a in repo.alternatives_for(session, assessment.id)}
    out = screened_out(repo.screening_for(session, assessment.id))
    return [rating_public(r, keys[r.alternative_id], out) for r in repo.ratings_for(session, assessment.id)]


def screened_out(screening: Iterable[ScreeningAnswer]) -> set[str]:
    """The perspectives screened out as not relevant: their ratings are kept but count nowhere."""
    return {s.perspective_id for s in screening if not s.relevant}


@dataclass(frozen=True)
class AssessmentData:
    """Everything needed to summarise or report one assessment, loaded once."""

    assessment: Assessment
    alternatives: Sequence[Alternative]
    screening: Sequence[ScreeningAnswer]
    ratings: Sequence[Rating]

    @property
    def alt_keys(self) -> dict[Any, str]:
        return {a.id: a.key for a in self.alternatives}

    def inputs(self) -> list[RatingInput]:
        keys = self.alt_keys
        return [
            RatingInput(
                alternative=keys[r.alternative_id],
                perspective_id=r.perspective_id,
                criterion_id=r.criterion_id,
                target=r.target,
                score=r.score,
                effect=r.effect,
                likelihood=r.likelihood,
                horizon=r.horizon,
                certainty=r.certainty,
                mitigation=r.mitigation,
                rationale=r.rationale,
                affected_groups=r.affected_groups,
            )
            for r in self.ratings
        ]


def load(session: Session, assessment: Assessment) -> AssessmentData:
    return AssessmentData(
        assessment,
        repo.alternatives_for(session, assessment.id),
        repo.screening_for(session, assessment.id),
        repo.ratings_for(session, assessment.id),
    )


def relevant_perspectives(data: AssessmentData, rubric: Rubric) -> list[str]:
    """Perspectives not screened out, in rubric order (unscreened ones count as relevant)."""
    out = {s.perspective_id for s in data.screening if not s.relevant}
    return [p.id for p in rubric.perspectives if p.id not in out]


def counted_ratings(data: AssessmentData) -> list[Any]:
    """The ratings that count: none of a perspective screened out (kept from before the screening
    changed, they stay stored), as in the summary (:func:`compute_summary`)."""
    out = screened_out(data.screening)
    return [r for r in data.ratings if r.perspective_id not in out]


def weights_raw(session: Session, assessment: Assessment) -> dict[str, Any]:
    """The stored weights an assessment is scored with: frozen at approval, else the municipality's."""
    raw = assessment.weights
    if raw is None:
        municipality = session.get(Municipality, assessment.municipality_id)
        raw = (municipality.settings.get("weights") if municipality else None) or {}
    return raw


def weights_for(session: Session, assessment: Assessment) -> Weights:
    """The weights an assessment is scored with: frozen at approval, else the municipality's current ones."""
    raw = weights_raw(session, assessment)
    return Weights(perspectives=dict(raw.get("perspectives", {})), targets=dict(raw.get("targets", {})))


def compute_summary(data: AssessmentData, rubric: Rubric, weights: Weights | None = None) -> Summary:
    perspectives = relevant_perspectives(data, rubric)
    expected = [(p.id, c.id, c.target.value) for p in rubric.perspectives if p.id in perspectives for c in p.criteria]
    relevant = set(perspectives)
    return summarise(
        # ratings kept from before a perspective was screened out do not count (they stay stored)
        [r for r in data.inputs() if r.perspective_id in relevant],
        [a.key for a in data.alternatives],
        perspectives,
        expected,
        weights or Weights(**(data.assessment.weights or {})),  # callers pass weights_for(...) when they can
    )


def _impact(i: RankedImpact) -> ImpactPublic:
    r = i.rating
    return ImpactPublic(
        alternative=r.alternative,
        perspective_id=r.perspective_id,
        criterion_id=r.criterion_id,
        target=r.target,
        effect=r.effect,
        score=r.score or 0,
        likelihood=r.likelihood,
        horizon=r.horizon,
        significance=round(i.significance, 3),
        mitigation=r.mitigation,
        rationale=r.rationale,
    )


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def summary_public(data: AssessmentData, rubric: Rubric, summary: Summary) -> SummaryPublic:
    titles = {a.key: a.title for a in data.alternatives}
    alternatives = []
    for key, s in summary.alternatives.items():
        alternatives.append(
            AlternativeSummaryPublic(
                key=key,
                title=titles.get(key, key),
                cells=[
                    CellPublic(
                        perspective_id=c.perspective_id,
                        target=c.target,
                        mean=_round(c.mean),
                        symbol=c.symbol,
                        effects=c.count,
                        unknown=c.unknown,
                        mixed=c.mixed,
                    )
                    for c in sorted(s.cells.values(), key=lambda c: (c.perspective_id, c.target))
                ],
                profile={t: _round(v) for t, v in s.profile.items()},
                overall=_round(s.overall),
                most_negative=[_impact(i) for i in s.negatives],
                most_positive=[_impact(i) for i in s.positives],
                uncertain_share=_round(s.uncertain_share),
                effects=s.effects,
                unknown=s.unknown,
                unrated=[{"criterion_id": c, "target": t} for c, t in s.unrated],
            )
        )
    delta = {
        "profile": {t: _round(v) for t, v in summary.delta_profile.items()},
        "overall": _round(summary.delta_overall),
        # the targets the overall difference covers: those comparable in both alternatives
        "overall_targets": list(summary.delta_overall_targets),
        "cells": [
            {"perspective_id": p, "target": t, "delta": _round(v)} for (p, t), v in sorted(summary.delta_cells.items())
        ],
    }
    return SummaryPublic(
        assessment_id=data.assessment.id,
        rubric=f"{rubric.id}@{rubric.version}",
        alternatives=alternatives,
        delta=delta,
        weights=summary.weights.as_dict(),
    )

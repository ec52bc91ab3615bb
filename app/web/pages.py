"""Page models for the assessment pages: plain data built once from the domain's read models."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from app.assessments import repository as repo
from app.assessments import service, views
from app.assessments.models import Alternative, Assessment, Decision, Rating, ReviewEntry, Status
from app.assessments.scoring import Summary, Weights
from app.auth.web_sessions import WebLogin
from app.errors import InvalidState, NotFound
from app.reports.context import decision_as_shown
from app.rubrics.models import TARGETS, Criterion, Perspective, Rubric
from app.rubrics.registry import RubricRegistry


@dataclass
class AssessmentPage:
    """What every assessment page needs: the decision, the pinned rubric, the rows, the rights."""

    assessment: Assessment
    decision: Decision
    rubric: Rubric
    data: views.AssessmentData
    can_edit: bool
    can_review: bool
    weights: Weights = field(default_factory=Weights)
    _summary: Summary | None = field(default=None, repr=False)

    @property
    def alternatives(self) -> list[Alternative]:
        return list(self.data.alternatives)

    @property
    def relevance(self) -> dict[str, bool]:
        return {s.perspective_id: s.relevant for s in self.data.screening}

    @property
    def screened(self) -> bool:
        return {p.id for p in self.rubric.perspectives} <= set(self.relevance)

    @property
    def relevant_perspectives(self) -> list[Perspective]:
        rel = self.relevance
        return [p for p in self.rubric.perspectives if rel.get(p.id, True)]

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            self._summary = views.compute_summary(self.data, self.rubric, self.weights)
        return self._summary

    def require_editable(self) -> None:
        """Every edit page's rule: only a draft the reader can change (else the 409 page)."""
        if not self.can_edit:
            raise InvalidState("the assessment cannot be changed now")

    def alternative(self, key: str) -> Alternative:
        alt = next((a for a in self.data.alternatives if a.key == key), None)
        if alt is None:
            raise NotFound(f"alternative '{key}' not found")
        return alt

    def ratings_of(self, alt: Alternative) -> list[Rating]:
        return [r for r in self.data.ratings if r.alternative_id == alt.id]

    def rated_in(self, perspective_id: str) -> int:
        """The effects rated (of any alternative) in a perspective, counted or not: the screening page
        says that marking the perspective not relevant keeps them but stops counting them."""
        return sum(1 for r in self.data.ratings if r.perspective_id == perspective_id)

    def progress(self) -> dict[tuple[str, str, str], tuple[int, int]]:
        """(alternative key, perspective, target) → (criteria rated, criteria in total)."""
        keys = self.data.alt_keys
        rated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for r in self.data.ratings:
            rated[(keys[r.alternative_id], r.perspective_id, r.target)].add(r.criterion_id)
        out = {}
        for alt in self.data.alternatives:
            for p in self.rubric.perspectives:
                for target in TARGETS:
                    total = len(p.criteria_for(target))
                    out[(alt.key, p.id, target.value)] = (len(rated[(alt.key, p.id, target.value)]), total)
        return out

    def questions_rated(self) -> list[tuple[Alternative, int, int]]:
        """(alternative, questions rated, questions in total) over the relevant perspectives' questions
        (each question with its target), by the summary's list of questions not rated yet
        (``views.compute_summary``), so the review page counts as the check and summary pages do."""
        total = sum(len(p.criteria) for p in self.relevant_perspectives)
        return [(alt, total - len(self.summary.alternatives[alt.key].unrated), total) for alt in self.alternatives]

    def criterion(self, criterion_id: str) -> Criterion | None:
        found = self.rubric.criterion(criterion_id)
        return found[1] if found else None


@dataclass(frozen=True)
class KeptDraft:
    """A user's unsaved draft of a form that does not apply now: kept (only an explicit discard
    removes it), named on the overview by its form and why it cannot be saved.

    ``why``: ``screened_out`` (the perspective was screened as not relevant), ``removed`` (the option
    was removed), ``submitted`` (under review: back in the form if returned), ``closed`` (approved or
    superseded), ``unknown`` (the rubric has no such form)."""

    key: str
    why: str
    alt_key: str = ""
    alt: Alternative | None = None
    perspective: Perspective | None = None
    target: str = ""


def sort_drafts(pg: AssessmentPage, keys: set[str]) -> tuple[set[str], list[KeptDraft]]:
    """The user's drafts (their form keys) split into those of forms that exist and can be saved now,
    which the overview marks, and the others, which it lists with a way to discard them."""
    applies: set[str] = set()
    kept: list[KeptDraft] = []
    status = pg.assessment.status
    closed = "submitted" if status == Status.submitted else "closed"
    relevance = pg.relevance
    for key in sorted(keys):
        if key == "screening":
            if pg.can_edit:
                applies.add(key)
            else:
                kept.append(KeptDraft(key, closed))
            continue
        parts = key.split(":")
        if len(parts) != 4 or parts[0] != "rate":
            kept.append(KeptDraft(key, "unknown"))
            continue
        _, alt_key, perspective_id, target = parts
        alt = next((a for a in pg.data.alternatives if a.key == alt_key), None)
        perspective = pg.rubric.perspective(perspective_id)
        if perspective is None or target not in {t.value for t in TARGETS}:
            why = "unknown"
        elif alt is None:
            why = "removed"
        elif not pg.can_edit:
            why = closed
        elif relevance.get(perspective_id) is False:
            why = "screened_out"
        else:
            applies.add(key)
            continue
        kept.append(KeptDraft(key, why, alt_key, alt, perspective, target))
    return applies, kept


def returned_drafts(session: Session, assessments: Sequence[Assessment]) -> dict[uuid.UUID, ReviewEntry]:
    """The drafts among ``assessments`` whose latest review step is a return, with that step (the
    reviewer, the time, the comment): one statement for the whole list."""
    drafts = [a.id for a in assessments if a.status == Status.draft]
    steps = repo.latest_review_steps(session, drafts)
    return {aid: e for aid, e in steps.items() if e.action == "returned"}


def load_page(session: Session, registry: RubricRegistry, login: WebLogin, assessment: Assessment) -> AssessmentPage:
    decision = service.get_decision(session, login.actor, assessment.decision_id)
    rubric = service.rubric_of(registry, assessment)
    actor = login.actor
    can_edit = "write" in actor.scopes and assessment.status == Status.draft
    can_review = (
        actor.is_reviewer
        and assessment.status == Status.submitted
        and (assessment.author_id is None or assessment.author_id != actor.user_id)
    )
    data = views.load(session, assessment)
    # an approved or superseded version shows the decision as approved, as its PDF does
    decision = decision_as_shown(assessment, decision)
    return AssessmentPage(
        assessment, decision, rubric, data, can_edit, can_review, views.weights_for(session, assessment)
    )


def values_hash(values: Mapping[str, str]) -> str:
    """A fingerprint of a form's saved values: a save compares it to tell whether someone else
    changed *this* form since it was loaded (other forms of the same assessment do not conflict)."""
    canonical = json.dumps({k: v for k, v in sorted(values.items()) if v}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]

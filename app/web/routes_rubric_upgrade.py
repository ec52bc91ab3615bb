"""Move a draft to a newer version of the questions (the rubric): what would happen to each rating, read
only, then the move itself (``app/assessments/rubric_upgrade.py``; the API's ``rubric-upgrade``).

Only a draft the reader can change, and only to the newest installed version of its rubric, or to its own
version with the municipality's current local extensions when those changed (:func:`upgrade_offer`);
without either, both addresses lead back to the overview, which then offers nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.assessments.models import Alternative
from app.assessments.rubric_upgrade import (
    RemovedRating,
    TooManyEffects,
    UpgradePlan,
    plan_upgrade,
    upgrade_offer,
    upgrade_rubric,
)
from app.auth.web_sessions import WebLogin
from app.errors import PreconditionFailed, ValidationFailed
from app.routing import Router
from app.rubrics.models import Criterion, Perspective, Rubric
from app.rubrics.registry import RubricRegistry
from app.web.deps import AssessmentDep, FormDep, LangDep, RegistryDep, SessionDep, WriterDep, page, redirect, text
from app.web.forms import whole_number
from app.web.pages import AssessmentPage, load_page
from app.web.templating import t

router = Router(include_in_schema=False)

BLOCKED = "upgrade-blocked"
"""The id of the paragraph that says why the move cannot be made (the error summary links it)."""


@dataclass(frozen=True)
class Question:
    """A question as the preview names it: its perspective and the question itself (None: the rubric
    has no such question, and its id is shown)."""

    id: str
    perspective: Perspective | None
    criterion: Criterion | None


@dataclass(frozen=True)
class MovedRow:
    alternative: Alternative | None
    alternative_key: str
    target: str
    before: Question
    after: Question
    merged: bool


@dataclass(frozen=True)
class RemovedRow:
    rating: RemovedRating
    alternative: Alternative | None
    see: list[Question]


@dataclass(frozen=True)
class Preview:
    """What the page shows of an :class:`UpgradePlan`, with each question looked up in its version."""

    carried: int
    reworded: list[Question]
    moved: list[MovedRow]
    removed: list[RemovedRow]
    new: list[Question]


def _question(rubric: Rubric, criterion_id: str) -> Question:
    found = rubric.criterion(criterion_id)
    return Question(criterion_id, found[0] if found else None, found[1] if found else None)


def _preview(pg: AssessmentPage, plan: UpgradePlan) -> Preview:
    report, old, new = plan.report, plan.old_rubric, plan.new_rubric
    alts = {a.key: a for a in pg.alternatives}
    reworded: list[Question] = []
    for c in report.carried:
        if c.reworded and all(q.id != c.criterion_id for q in reworded):
            reworded.append(_question(new, c.criterion_id))
    moved = [
        MovedRow(
            alts.get(r.alternative),
            r.alternative,
            r.target.value,
            _question(old, r.old_criterion_id),
            _question(new, r.criterion_id),
            r.fate == "merged",
        )
        for r in report.renamed
    ]
    removed = [RemovedRow(r, alts.get(r.alternative), [_question(new, cid) for cid in r.see]) for r in report.removed]
    return Preview(len(report.carried), reworded, moved, removed, [_question(new, cid) for cid in report.new_criteria])


def _blocked_errors(lang: str, new: Rubric, exc: ValidationFailed) -> list[tuple[str, str]]:
    """The error summary of a move that cannot be made: each question that would get too many effects."""
    full = exc.full if isinstance(exc, TooManyEffects) else []
    if not full:
        return [(BLOCKED, t(lang, "The ratings do not fit the new version of the questions."))]
    out = []
    for criterion_id, _target in full:
        found = new.criterion(criterion_id)
        question = found[1].question.get(lang) if found else criterion_id
        message = t(
            lang,
            "The question “%(question)s” would get more effects of one alternative than a rating can have, "
            "when the ratings of the questions merged into it join it. Remove or combine effects first.",
            question=question,
        )
        out.append((BLOCKED, message))
    return out


def _page(
    request: Request,
    session: Session,
    lang: str,
    login: WebLogin,
    registry: RubricRegistry,
    pg: AssessmentPage,
    to_version: str,
    status: int = 200,
    **ctx: Any,
) -> Response:
    """The preview of moving ``pg``'s draft to ``to_version``: computed, nothing written. A move that
    cannot be made (too many effects) shows why in the error summary, and no button."""
    preview, errors = None, []
    try:
        plan = plan_upgrade(session, login.actor, registry, pg.assessment, to_version)
    except ValidationFailed as exc:  # too many effects for a merged question: say which, offer no button
        errors = _blocked_errors(lang, registry.get(pg.assessment.rubric_id, to_version) or pg.rubric, exc)
    else:
        preview = _preview(pg, plan)
    ctx.setdefault("stale", False)
    return page(
        request,
        lang,
        "rubric_upgrade.html",
        login,
        status,
        pg=pg,
        to_version=to_version,
        preview=preview,
        errors=errors,
        blocked_id=BLOCKED,
        page_address=f"/assessments/{pg.assessment.id}/rubric-upgrade",
        **ctx,
    )


@router.get("/assessments/{assessment_id}/rubric-upgrade")
def rubric_upgrade_preview(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    """What moving the draft to the newest version of the questions would do to each rating, and the
    button that does it. Writers of a draft only (a council member: 403; a locked assessment: 409); with
    no newer version, back to the overview."""
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    to_version = upgrade_offer(session, registry, login.actor, assessment)
    if to_version is None:
        return redirect(f"/assessments/{pg.assessment.id}")
    return _page(request, session, lang, login, registry, pg, to_version)


@router.post("/assessments/{assessment_id}/rubric-upgrade")
def rubric_upgrade_move(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    """Move the draft, from the version the preview showed: a page loaded before another change (or a
    newer version installed since) shows the preview again (409), nothing moved."""
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    to_version = upgrade_offer(session, registry, login.actor, assessment)
    if to_version is None:  # moved meanwhile (another tab, a colleague): say that it now uses the newest
        return redirect(f"/assessments/{assessment.id}", "rubric_upgraded")
    base = whole_number(text(form, "base_version", 12))
    if base != assessment.lock_version or text(form, "to_version", 20) != to_version:
        return _page(request, session, lang, login, registry, pg, to_version, 409, stale=True, title_error=True)
    try:
        with session.begin_nested():
            upgrade_rubric(session, login.actor, registry, assessment, to_version, assessment.lock_version)
    except (PreconditionFailed, ValidationFailed) as exc:
        # another request took the version between loading and claiming it (PostgreSQL), or the ratings
        # no longer fit: the savepoint undid the claim, so read the row again before showing the preview
        session.refresh(assessment)
        pg = load_page(session, registry, login, assessment)
        to_version = upgrade_offer(session, registry, login.actor, assessment)
        if to_version is None:
            return redirect(f"/assessments/{pg.assessment.id}")
        stale = isinstance(exc, PreconditionFailed)
        return _page(
            request,
            session,
            lang,
            login,
            registry,
            pg,
            to_version,
            409 if stale else 422,
            stale=stale,
            title_error=stale,
        )
    return redirect(f"/assessments/{assessment.id}", "rubric_upgraded")

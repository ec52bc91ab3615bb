"""Check your answers and submit; review (approve or return); versions and audit trail; PDF;
new version of an approved assessment; follow-up of what actually happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.assessments import repository as repo
from app.assessments import review, views
from app.assessments.schemas import FollowUpCreate, ReviewDateUpdate
from app.assessments.scoring import RatingInput, significant
from app.audit import repository as audit_repo
from app.errors import Conflict, FieldProblem, Forbidden, InvalidState, PreconditionFailed, ValidationFailed
from app.routing import Router
from app.rubrics.models import TARGETS
from app.web.deps import (
    AssessmentDep,
    FormDep,
    LangDep,
    LoginDep,
    RegistryDep,
    SessionDep,
    WriterDep,
    page,
    redirect,
    text,
)
from app.web.forms import FieldErrors, form_values, too_long, validated, whole_number
from app.web.pages import AssessmentPage, load_page
from app.web.templating import t

router = Router(include_in_schema=False)
OUTCOMES = ("better", "as_predicted", "worse", "unknown")
MAX_COMMENT = 20_000
"""A review or submit comment, as the API's (``LongText``): longer is refused, never cut short."""


def _comment(form: Any) -> str:
    """The comment as typed, all of it (a refused one is shown again whole; the body limit bounds it)."""
    return form_values(form, ["comment"])["comment"]


@router.get("/assessments/{assessment_id}/check")
def check(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    """Check your answers and submit: a page for writers (a council member gets the 403 page, as for
    the other pages whose purpose is an action their role cannot take)."""
    pg = load_page(session, registry, login, assessment)
    # what blocks submitting, only while it can be submitted (a locked assessment's page is an overview)
    problems = (
        _submit_problems(lang, pg, review.submission_problems(session, registry, assessment)) if pg.can_edit else []
    )
    return page(request, lang, "check.html", login, pg=pg, problems=problems, fe={}, comment="")


@dataclass(frozen=True)
class SubmitProblem:
    """One reason an assessment cannot be submitted yet, as the check page lists it: ``id`` of its link
    in the list "Before you can submit" (the error summary links there), ``href`` the page that fixes it."""

    id: str
    text: str
    href: str


def _submit_problems(lang: str, pg: AssessmentPage, problems: list[FieldProblem]) -> list[SubmitProblem]:
    base = f"/assessments/{pg.assessment.id}"
    out = []
    for n, p in enumerate(problems, start=1):
        if p.field.startswith("screening."):
            pid = p.field.removeprefix("screening.")
            perspective = pg.rubric.perspective(pid)
            title = perspective.title.get(lang) if perspective else pid
            text, href = t(lang, "Not screened yet: %(title)s", title=title), f"{base}/screening#s-{pid}"
        elif p.field == "screening_statement":
            text = t(lang, "No perspective is relevant: write a short screening statement")
            href = f"{base}/screening#statement"
        elif p.field == "ratings":
            text, href = t(lang, "The proposal has no ratings yet"), _first_rating_page(pg) or base
        else:
            text, href = t(lang, "This answer is not valid"), base
        out.append(SubmitProblem(f"problem-{n}", text, href))
    return out


def _first_rating_page(pg: AssessmentPage) -> str | None:
    """The proposal's first rating form (the first relevant perspective × target with questions)."""
    for p in pg.relevant_perspectives:
        for target in TARGETS:
            if p.criteria_for(target):
                return f"/assessments/{pg.assessment.id}/rate/proposal/{p.id}/{target.value}"
    return None


@router.post("/assessments/{assessment_id}/submit")
def submit(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    comment = _comment(form)
    if len(comment) > MAX_COMMENT:
        pg = load_page(session, registry, login, assessment)
        problems = _submit_problems(lang, pg, review.submission_problems(session, registry, assessment))
        errors = FieldErrors()
        errors.add("comment", too_long(lang, MAX_COMMENT, t(lang, "Message to the reviewer")))
        return page(
            request,
            lang,
            "check.html",
            login,
            422,
            pg=pg,
            problems=problems,
            errors=errors.summary(),
            fe=errors.by_field,
            comment=comment,
            page_address=f"/assessments/{assessment.id}/check",  # the page of this form (the language switch)
        )
    try:
        with session.begin_nested():
            review.submit(session, login.actor, registry, assessment, assessment.lock_version, comment)
    except ValidationFailed as exc:
        pg = load_page(session, registry, login, assessment)
        problems = _submit_problems(lang, pg, exc.errors)
        # the summary links each problem in the list "Before you can submit", whose links lead to the
        # pages that fix them; the optional comment is not what is wrong, and keeps what was typed
        return page(
            request,
            lang,
            "check.html",
            login,
            422,
            pg=pg,
            problems=problems,
            errors=[(p.id, p.text) for p in problems],
            page_address=f"/assessments/{assessment.id}/check",
            error_intro=t(
                lang,
                "The assessment is not ready to submit. The problems are listed under “Before you can submit”, "
                "above the submit button; each links to the page where it is fixed.",
            ),
            fe={},
            comment=comment,
        )
    return redirect(f"/assessments/{assessment.id}", "submitted")


@router.get("/assessments/{assessment_id}/review")
def review_page(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    """The review: a reviewer approves or returns; an official or admin reads why they cannot (the
    author's side of the process); a council member, whose role takes part in no step of it, gets the
    403 page, as for the other pages whose purpose is an action their role cannot take."""
    pg = load_page(session, registry, login, assessment)
    return page(
        request,
        lang,
        "review.html",
        login,
        pg=pg,
        entries=repo.review_entries_for(session, assessment.id),
        own_changes=pg.can_review and review.changed_by(session, login.actor, assessment),
        fe={},
        comment="",
        action="",
    )


@router.post("/assessments/{assessment_id}/review")
def review_decide(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    """Approve or return, as the reviewer chose; the domain enforces who may (never one's own)."""
    comment, action = _comment(form), text(form, "action", 20)
    errors = FieldErrors()
    if len(comment) > MAX_COMMENT:
        errors.add("comment", too_long(lang, MAX_COMMENT, t(lang, "Comment")))
    elif action not in ("approve", "return"):
        if review.changed_by(session, login.actor, assessment):  # four eyes: "Return" is the only choice
            errors.add("action", t(lang, "Choose “Return to the author”: you changed this version yourself"))
        else:
            errors.add("action", t(lang, "Choose whether to approve or return the assessment"))
    else:
        try:
            with session.begin_nested():
                if action == "approve":
                    review.approve(session, login.actor, assessment, assessment.lock_version, comment)
                else:
                    review.return_to_draft(session, login.actor, assessment, assessment.lock_version, comment)
        except ValidationFailed:
            errors.add("comment", t(lang, "Say what needs to change: a comment is required when returning"))
        except PreconditionFailed:
            errors.add("action", t(lang, "Someone saved at the same moment; check the answers and save again"))
        except review.ApprovingOwnChanges:
            errors.add(
                "action",
                t(lang, "You changed this version of the assessment yourself: another reviewer must approve it"),
            )
    if errors:
        pg = load_page(session, registry, login, assessment)
        return page(
            request,
            lang,
            "review.html",
            login,
            422,
            pg=pg,
            entries=repo.review_entries_for(session, assessment.id),
            own_changes=pg.can_review and review.changed_by(session, login.actor, assessment),
            errors=errors.summary(),
            fe=errors.by_field,
            comment=comment,
            action=action if action in ("approve", "return") else "",
        )
    return redirect(f"/assessments/{assessment.id}", "approved" if action == "approve" else "returned")


HISTORY_PAGE = 100
"""Audit events per page of the web history."""


@router.get("/assessments/{assessment_id}/history")
def history(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    """The versions, the review conversation and the audit trail of the assessment's decision, newest
    first, ``HISTORY_PAGE`` events a page (``?before=<event number>`` for older ones: an assessment
    edited for months has thousands; the API's history sends them all)."""
    pg = load_page(session, registry, login, assessment)
    versions = repo.assessments_for_decision(session, assessment.decision_id)
    before = _event_number(request.query_params.get("before"))
    events = audit_repo.events_before(
        session,
        login.municipality.id,
        [str(a.id) for a in versions] + [str(pg.decision.id)],
        before,
        HISTORY_PAGE + 1,
    )
    return page(
        request,
        lang,
        "history.html",
        login,
        pg=pg,
        versions=versions,
        entries=repo.review_entries_for(session, assessment.id),
        events=events[:HISTORY_PAGE],
        newer=before is not None,
        older_before=events[HISTORY_PAGE - 1].seq if len(events) > HISTORY_PAGE else None,
    )


def _event_number(value: str | None) -> int | None:
    """``?before=`` of the history page: an event number, else None (the newest page; a link edited by
    hand shows the newest events rather than an error)."""
    return whole_number(value)


@router.post("/assessments/{assessment_id}/new-version")
def new_version(session: SessionDep, login: WriterDep, assessment: AssessmentDep, form: FormDep) -> Response:
    try:
        copy = review.new_version(session, login.actor, assessment)
    except Conflict as exc:
        newer = exc.extra.get("assessment_id")
        if newer is None or isinstance(exc, InvalidState):
            raise
        # pressed in a tab opened before someone (or the same official) made it: the newer version is
        # where the work goes on, so go there rather than to an error page
        return redirect(f"/assessments/{newer}", "newer_version_exists")
    return redirect(f"/assessments/{copy.id}", "version_created")


# --- follow-up -----------------------------------------------------------------------------------


def _significant(pg: AssessmentPage) -> list[Any]:
    keys = pg.data.alt_keys
    rows = []
    for r in views.counted_ratings(pg.data):  # none of a perspective screened out, as in the summary
        item = RatingInput(
            keys[r.alternative_id], r.perspective_id, r.criterion_id, r.target, r.score, r.effect, r.likelihood
        )
        if keys[r.alternative_id] == "proposal" and significant(item):
            rows.append(r)
    return rows


def _follow_up_page(
    request: Request, session: Any, lang: str, login: Any, pg: AssessmentPage, status: int = 200, **ctx: Any
) -> Response:
    done = {f.rating_id: f for f in repo.follow_ups_for(session, pg.assessment.id)}
    ctx.setdefault("fe", {})
    ctx.setdefault("values", {})
    return page(
        request,
        lang,
        "follow_up.html",
        login,
        status,
        pg=pg,
        ratings=_significant(pg),
        done=done,
        outcomes=OUTCOMES,
        **ctx,
    )


@router.get("/assessments/{assessment_id}/follow-up")
def follow_up(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    return _follow_up_page(request, session, lang, login, load_page(session, registry, login, assessment))


@router.post("/assessments/{assessment_id}/follow-up")
def follow_up_save(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    pg = load_page(session, registry, login, assessment)
    errors = FieldErrors()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    review_date = text(form, "review_date", 20).strip()
    try:
        with session.begin_nested():
            if review_date:
                try:
                    chosen = date.fromisoformat(review_date)
                except ValueError:
                    errors.add("review_date", t(lang, "Enter a real date, for example 2026-12-14"))
                else:
                    bounded = validated(lang, ReviewDateUpdate, {"review_date": chosen}, errors, "review_date")
                    if bounded is not None and chosen != assessment.review_date:
                        base = whole_number(text(form, "base_version", 12))
                        expected = assessment.lock_version if base is None else base
                        try:
                            review.set_review_date(session, login.actor, assessment, chosen, expected)
                        except PreconditionFailed:
                            errors.add(
                                "review_date",
                                t(lang, "Someone saved at the same moment; check the answers and save again"),
                            )
            for r in _significant(pg):
                outcome = text(form, f"o-{r.id}", 20)
                if outcome in OUTCOMES:
                    sent = {"rating_id": r.id, "outcome": outcome, "note": text(form, f"n-{r.id}", 20_000)}
                    entry = validated(lang, FollowUpCreate, sent, errors, f"n-{r.id}")
                    if entry is not None:
                        # the form sends every outcome it shows: one nobody changed is not recorded again
                        review.add_follow_up(session, login.actor, assessment, entry, skip_unchanged=True)
                elif text(form, f"n-{r.id}").strip():
                    errors.add(f"o-{r.id}", t(lang, "Choose what actually happened"))
            if errors:
                raise _Rollback()
    except _Rollback:
        pass
    except (InvalidState, Forbidden):
        errors.add("review_date", t(lang, "Follow-up can be recorded only for an approved assessment"))
    if errors:
        return _follow_up_page(
            request, session, lang, login, pg, 422, errors=errors.summary(), fe=errors.by_field, values=values
        )
    return redirect(f"/assessments/{assessment.id}/follow-up", "follow_up_saved")


class _Rollback(Exception):
    """Undo the partial follow-up when any field is wrong (all or nothing, input kept)."""

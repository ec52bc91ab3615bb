"""Dashboard, decisions: create, edit, start the assessment."""

from __future__ import annotations

from datetime import date
from typing import cast

from fastapi import Request
from fastapi.responses import Response

from app.assessments import repository as repo
from app.assessments import review, service
from app.assessments.models import Decision, Status
from app.assessments.schemas import AssessmentCreate, DecisionUpdate, TextLanguage
from app.auth.web_sessions import WebLogin
from app.errors import Conflict, PreconditionFailed, ValidationFailed
from app.routing import Router
from app.text import plain
from app.web.deps import (
    DecisionDep,
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
from app.web.forms import (
    DECISION_FIELDS,
    FieldErrors,
    form_values,
    parse_decision,
    problem_message,
    validated,
    whole_number,
)
from app.web.pages import returned_drafts
from app.web.routes_text_language import options as text_language_options
from app.web.routes_text_language import starting_language
from app.web.templating import t

router = Router(include_in_schema=False)
STATUS_FILTERS = ("none", "draft", "submitted", "approved")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/")
def dashboard(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    q: str = "",
    body: str = "",
    status: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    mid, uid = login.municipality.id, login.user.id
    mine = repo.assessments_by_status(session, mid, [Status.draft.value], author_id=uid)
    if login.actor.is_reviewer:
        waiting = repo.assessments_by_status(session, mid, [Status.submitted.value], not_author_id=uid)
        # listed (the reviewer can return them) but marked: versions they changed another reviewer approves
        own_changes = review.changed_among(session, login.actor, [a.id for a in waiting])
        # what they submitted themselves is not theirs to review: listed apart, as for an official
        submitted = repo.assessments_by_status(session, mid, [Status.submitted.value], author_id=uid)
    else:
        own_changes = set()
        waiting = repo.assessments_by_status(session, mid, [Status.submitted.value], author_id=uid)
        submitted = []
    approved = repo.assessments_by_status(session, mid, [Status.approved.value], limit=10)
    q, body = plain(q), plain(body)  # a NUL in a hand-edited link: PostgreSQL cannot compare text with one
    flt = repo.DecisionFilter(q=q.strip()[:200] or None, deciding_body=body or None)
    flt = repo.DecisionFilter(flt.q, flt.deciding_body, _date(date_from), _date(date_to))
    decisions = repo.list_decisions(session, mid, flt, limit=100)
    latest = repo.latest_assessments(session, [d.id for d in decisions])
    if status in STATUS_FILTERS:
        decisions = [d for d in decisions if (latest[d.id].status if d.id in latest else "none") == status]
    listed = [*mine, *waiting, *submitted, *approved]
    by_id = repo.decisions_by_ids(session, mid, [a.decision_id for a in listed])
    filtered = bool(q or body or status or date_from or date_to)
    return page(
        request,
        lang,
        "dashboard.html",
        login,
        mine=mine,
        waiting=waiting,
        submitted=submitted,
        own_changes=own_changes,
        approved=approved,
        decision_of=by_id,
        returned=returned_drafts(session, mine),
        decisions=decisions[:50],
        latest=latest,
        bodies=repo.deciding_bodies(session, mid),
        filters={"q": q, "body": body, "status": status, "date_from": date_from, "date_to": date_to},
        filtered=filtered,
        status_filters=STATUS_FILTERS,
    )


@router.get("/decisions/new")
def decision_new(request: Request, lang: LangDep, login: WriterDep) -> Response:
    values = dict.fromkeys([*DECISION_FIELDS, "zero_description"], "") | {"text_language": lang}
    return _new_decision_page(request, lang, login, values)


def _new_decision_page(
    request: Request, lang: str, login: WebLogin, values: dict[str, str], errors: FieldErrors | None = None
) -> Response:
    """The form of a new decision (and its assessment's start); with ``errors``, refused (422) with what
    was typed."""
    return page(
        request,
        lang,
        "decision_form.html",
        login,
        200 if errors is None else 422,
        values=values,
        errors=[] if errors is None else errors.summary(),
        fe={} if errors is None else errors.by_field,
        decision=None,
        language_options=text_language_options(lang, False),
    )


@router.post("/decisions/new")
def decision_create(
    request: Request, session: SessionDep, lang: LangDep, login: WriterDep, registry: RegistryDep, form: FormDep
) -> Response:
    values = form_values(form, [*DECISION_FIELDS, "zero_description"])
    data, errors = parse_decision(lang, values)
    written_in, known = starting_language(form, lang)
    values["text_language"] = written_in or ("" if not known else "none")
    zero = validated(
        lang,
        AssessmentCreate,
        {"zero_description": values["zero_description"], "text_language": written_in},
        errors,
    )
    if not known:
        errors.add("text_language", t(lang, "Choose the language you will write the assessment in"))
        zero = None
    if data is not None and zero is not None:
        try:
            with session.begin_nested():
                decision = service.create_decision(session, login.actor, data)
                assessment = service.create_assessment(session, login.actor, registry, decision, zero)
            return redirect(f"/assessments/{assessment.id}/screening", "assessment_created")
        except (Conflict, ValidationFailed) as exc:
            for p in exc.errors or []:
                errors.add(p.field, problem_message(lang, p))
            if not errors:
                errors.add("case_number", t(lang, "This case number is already used by another decision"))
    return _new_decision_page(request, lang, login, values, errors)


@router.get("/decisions/{decision_id}")
def decision_view(
    request: Request, session: SessionDep, lang: LangDep, login: LoginDep, decision: DecisionDep
) -> Response:
    latest = repo.latest_assessments(session, [decision.id]).get(decision.id)
    if latest is not None:
        return redirect(f"/assessments/{latest.id}")
    return _decision_page(request, lang, login, decision, lang)


def _decision_page(
    request: Request, lang: str, login: WebLogin, decision: Decision, selected: str, error: str = ""
) -> Response:
    """A decision not assessed yet, with the button that starts its assessment; the language of the texts
    preselected as the page's (the language the official works in), or as chosen."""
    errors = [("text_language", error)] if error else []
    return page(
        request,
        lang,
        "decision.html",
        login,
        422 if error else 200,
        decision=decision,
        language_options=text_language_options(lang, False),
        selected_language=selected,
        errors=errors,
        fe=dict(errors),
    )


@router.post("/decisions/{decision_id}/assessments")
def decision_start(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    decision: DecisionDep,
    form: FormDep,
) -> Response:
    chosen, known = starting_language(form, lang)
    if not known:
        message = t(lang, "Choose the language you will write the assessment in")
        return _decision_page(request, lang, login, decision, "", message)
    data = AssessmentCreate(text_language=cast("TextLanguage | None", chosen))
    assessment = service.create_assessment(session, login.actor, registry, decision, data)
    return redirect(f"/assessments/{assessment.id}/screening", "assessment_created")


@router.get("/decisions/{decision_id}/edit")
def decision_edit(
    request: Request, session: SessionDep, lang: LangDep, login: WriterDep, decision: DecisionDep, back: str = ""
) -> Response:
    values = {k: str(getattr(decision, k) or "") for k in DECISION_FIELDS}
    locked_by = service.decision_lock(session, decision, for_change=False)  # the page says why, no form
    return page(
        request,
        lang,
        "decision_form.html",
        login,
        values=values,
        fe={},
        decision=decision,
        version=decision.version,
        locked_by=locked_by,
        locked_message=_locked_message(lang, locked_by.status) if locked_by else "",
    )


def _locked_message(lang: str, status: str) -> str:
    """Why the decision's details cannot be changed (the domain's rule: ``service.decision_lock``)."""
    if status == Status.approved:
        return t(
            lang,
            "The decision's assessment has been approved, so the decision's details cannot be changed: "
            "the approved assessment and its report show them. To change them, create a new version of "
            "the assessment.",
        )
    return t(
        lang,
        "The decision's assessment is being reviewed, so the decision's details cannot be changed now. "
        "They can be changed again if the reviewer returns the assessment.",
    )


@router.post("/decisions/{decision_id}/edit")
def decision_update(
    request: Request, session: SessionDep, lang: LangDep, login: WriterDep, decision: DecisionDep, form: FormDep
) -> Response:
    values = form_values(form, DECISION_FIELDS)
    expected = whole_number(text(form, "version", 12)) or 0
    data, errors = parse_decision(lang, values)
    locked_by = service.decision_lock(session, decision)
    if locked_by is not None:  # nothing saved, what was typed is kept; the summary leads to the reason
        errors.by_field = {"locked": _locked_message(lang, locked_by.status), **errors.by_field}
    elif data is not None:  # (the lock is held: the assessment cannot be submitted meanwhile)
        try:
            with session.begin_nested():
                service.update_decision(session, login.actor, decision, DecisionUpdate(**data.model_dump()), expected)
            latest = repo.latest_assessments(session, [decision.id]).get(decision.id)
            return redirect(f"/assessments/{latest.id}" if latest else f"/decisions/{decision.id}", "saved")
        except PreconditionFailed:
            session.refresh(decision)
            if review.last_change_by(session, login.actor, decision):  # the decision's own trail: another tab
                message = t(
                    lang,
                    "You changed the decision in another tab or window while you were editing here. "
                    "Check the current values below; your text is kept in the form.",
                )
            else:
                message = t(
                    lang,
                    "Someone else changed the decision while you were editing. "
                    "Check the current values below; your text is kept in the form.",
                )
            errors.add("case_number", message)
            expected = decision.version
        except (Conflict, ValidationFailed) as exc:
            for p in exc.errors or []:
                errors.add(p.field, problem_message(lang, p))
            if not errors:
                errors.add("case_number", t(lang, "This case number is already used by another decision"))
    current = {k: str(getattr(decision, k) or "") for k in DECISION_FIELDS}
    return page(
        request,
        lang,
        "decision_form.html",
        login,
        409 if locked_by is not None else 422,
        values=values,
        errors=errors.summary(),
        fe=errors.by_field,
        decision=decision,
        version=expected,
        current=current,
        locked_by=locked_by,
        locked_message=errors.by_field.get("locked", ""),
    )

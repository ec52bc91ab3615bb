"""The language of the assessment's texts, on a page of its own (the overview links it as a "Change"
of its summary row; the decision page asks it when the assessment is started).

The texts keep their language mark (``lang``) on the pages, in the PDFs and in the Word copies, so
browsers check their spelling and screen readers read them in that language
(``app.assessments.service.set_text_language``; the API's ``PUT …/text-language``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app import i18n
from app.assessments import service
from app.auth.web_sessions import WebLogin
from app.errors import PreconditionFailed
from app.routing import Router
from app.web.deps import AssessmentDep, FormDep, LangDep, RegistryDep, SessionDep, WriterDep, page, redirect, text
from app.web.forms import whole_number
from app.web.pages import AssessmentPage, load_page
from app.web.templating import t

router = Router(include_in_schema=False)

NOT_STATED = "none"
"""The form's value for "not stated" (the texts take the language of the page or report)."""
FIELD = "text_language"


def chosen_language(form: FormData) -> tuple[str | None, bool]:
    """The language the form chose (None: not stated) and whether the answer was one of the options."""
    value = text(form, FIELD, 10)
    if value in i18n.LANGUAGES:
        return value, True
    return None, value == NOT_STATED


def starting_language(form: FormData, lang: str) -> tuple[str | None, bool]:
    """As :func:`chosen_language`, for the forms that start an assessment: they preselect the page's
    language ``lang``, so a form without the answer (a page from before the question) means it too."""
    return chosen_language(form) if text(form, FIELD, 10) else (lang, True)


def options(lang: str, with_not_stated: bool) -> list[tuple[str, ...]]:
    """The radios: each language by its own name, marked with its language (WCAG 3.1.2), then "not
    stated" where it may be kept."""
    out: list[tuple[str, ...]] = [(code, name, "", code) for code, name in i18n.LANGUAGE_NAMES.items()]
    if with_not_stated:
        hint = t(lang, "The texts are shown as if written in the language of each page and report.")
        out.append((NOT_STATED, t(lang, "Not stated"), hint))
    return out


def _page(
    request: Request,
    lang: str,
    login: WebLogin,
    pg: AssessmentPage,
    selected: str,
    status: int = 200,
    *,
    stale: bool = False,
    error: str = "",
) -> Response:
    errors = [(FIELD, error)] if error else []
    return page(
        request,
        lang,
        "text_language.html",
        login,
        status,
        pg=pg,
        selected=selected,
        options=options(lang, True),
        stale=stale,
        errors=errors,
        fe=dict(errors),
    )


@router.get("/assessments/{assessment_id}/text-language")
def text_language_form(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
) -> Response:
    """Writers of a draft only (a council member: 403; a locked assessment: the 409 page)."""
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    return _page(request, lang, login, pg, assessment.text_language or NOT_STATED)


@router.post("/assessments/{assessment_id}/text-language")
def text_language_save(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: WriterDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    form: FormDep,
) -> Response:
    """Saves the choice made on the version the page showed: a page loaded before another change is shown
    again with the choice kept and a note (409), nothing saved."""
    pg = load_page(session, registry, login, assessment)
    pg.require_editable()
    value, known = chosen_language(form)
    if not known:
        message = t(lang, "Choose the language the texts are written in")
        return _page(request, lang, login, pg, assessment.text_language or NOT_STATED, 422, error=message)
    selected = value or NOT_STATED
    base = whole_number(text(form, "base_version", 12))
    if base != assessment.lock_version:
        return _page(request, lang, login, pg, selected, 409, stale=True)
    try:
        with session.begin_nested():
            service.set_text_language(session, login.actor, assessment, value, base, skip_unchanged=True)
    except PreconditionFailed:  # taken between loading and claiming (PostgreSQL): the savepoint undid it
        session.refresh(assessment)
        return _page(request, lang, login, load_page(session, registry, login, assessment), selected, 409, stale=True)
    return redirect(f"/assessments/{assessment.id}", "text_language_saved")

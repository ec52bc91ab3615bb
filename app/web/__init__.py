"""The server-rendered web interface for officials, reviewers, admins and council members.

:func:`install` adds the pages, the static files, the security headers (on every response, the API's
too) and the web's error pages to the application.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.datastructures import FormData

from app.api import problems
from app.assessments import repository as assessments_repo
from app.assessments import review
from app.assessments.models import Assessment, Status
from app.auth.web_sessions import WebLogin, resolve
from app.db.session import unit_of_work
from app.i18n import format_datetime
from app.municipalities.timezone import zone
from app.settings import Settings
from app.web import (
    drafts,
    routes_about,
    routes_account,
    routes_admin,
    routes_alternatives,
    routes_assessments,
    routes_auth,
    routes_decisions,
    routes_drafts,
    routes_reports,
    routes_review,
    routes_rubric_upgrade,
    routes_text_language,
)
from app.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    LoginRequired,
    form_page,
    language,
    page,
    redirect,
    rubrics,
    text,
)
from app.web.forms import whole_number
from app.web.security import SecurityHeadersMiddleware, WebBodyLimit, same_origin_post
from app.web.templating import STATIC, t

ERROR_TEXTS = {
    403: ("You cannot do this", "Your role does not allow this page or action. Ask your administrator if you need it."),
    404: ("Page not found", "The page or the assessment does not exist, or it belongs to another municipality."),
    409: (
        "This cannot be done now",
        "The assessment is in a state that does not allow this, for example it has been submitted or approved.",
    ),
    412: ("Someone else saved first", "The assessment was changed by someone else. Go back and reload the page."),
    413: ("Too much data", "The form sent too much data at once."),
    422: ("Check your answers", "Some answers are not valid."),
    503: (
        "The service is temporarily unavailable",
        "Try again in a moment. Nothing you saved has been lost; go back and your text is still in the form.",
    ),
    507: (
        "The answers could not be saved",
        "The server cannot store data right now. Nothing was saved; go back and your text is still in the form.",
    ),
}
STALE_MINE = (
    "You saved first in another tab or window",
    "You changed the assessment in another tab or window after this page was loaded. Go back and reload the page.",
)
"""The 412 page's texts when the newer save was the user's own (:func:`_saved_by_self`)."""


def _error_page(request: Request, status: int, slug: str) -> Response:
    lang = language(request)
    posted = getattr(request.state, "checked_form", None)
    if status == 409 and slug == "invalid-state" and request.method == "POST" and posted is not None:
        return _refused_form(request, lang, posted, expired=False)
    heading, message = ERROR_TEXTS.get(
        status, ("Something went wrong", "The error has been logged. Try again, or go back to the dashboard.")
    )
    login = None
    if status not in (503, 507):
        try:
            with unit_of_work(write=False) as session:
                login = resolve(session, request.cookies.get(SESSION_COOKIE))
                if status == 412 and login is not None and _saved_by_self(session, login, request.url.path):
                    heading, message = STALE_MINE
                return page(
                    request, lang, "error.html", login, status, heading=t(lang, heading), message=t(lang, message)
                )
        except Exception:
            login = None
    return page(request, lang, "error.html", None, status, heading=t(lang, heading), message=t(lang, message))


def _saved_by_self(session: Session, login: WebLogin, path: str) -> bool:
    """Whether the newer save that made an assessment's form stale (412) was the user's own, in another
    tab or window: the newest change of the assessment, by ``review.last_change_by`` as on a form's
    conflict page. Only for the pages of an assessment of the user's municipality."""
    assessment_id = _assessment_of(path)
    if assessment_id is None:
        return False
    assessment = assessments_repo.get_assessment(session, login.municipality.id, assessment_id)
    return assessment is not None and review.last_change_by(session, login.actor, assessment)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    from urllib.parse import quote

    reading = request.method in ("GET", "HEAD")
    next_path = exc.next_path if reading else form_page(request)
    url = "/login?next=" + quote(next_path, safe="/")
    if request.cookies.get(SESSION_COOKIE):
        # a session that has ended (its hours are up, a password change or a deactivation ended it): the
        # sign-in page says so, and after a form's POST that what was sent has not been saved
        url += "&ended=" + ("1" if reading else "unsaved")
    return RedirectResponse(url, status_code=303)


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CsrfFailed)
    from starlette.concurrency import run_in_threadpool

    lang = language(request)
    return await run_in_threadpool(_refused_form, request, lang, exc.form, True)


_ASSESSMENT_PATH = re.compile(r"^/assessments/([0-9a-fA-F-]{36})(?:/|$)")


def _assessment_of(path: str) -> uuid.UUID | None:
    """The assessment a page's address names, or None (not an assessment's page, or no id: 36 dashes
    match the pattern but are no UUID)."""
    found = _ASSESSMENT_PATH.match(path)
    try:
        return uuid.UUID(found[1]) if found else None
    except ValueError:
        return None


def _refused_form(request: Request, lang: str, form: FormData | None, expired: bool) -> Response:
    """A form post that was not saved, because its CSRF token was stale (``expired``: a tab of the same
    user open from before a new sign-in; 403) or the assessment is no longer a draft (409; submitted
    meanwhile). Nothing typed is lost:

    - a form that keeps drafts (the screening, a rating form: its POST address is its page) keeps what
      was posted as the user's draft, the one its page restores, if the user may write the assessment
      (the checks of autosave) and it is, or can again become, a draft. A stale token on a draft form
      then leads back to the form, which shows the draft with a notice ("form_expired");
    - otherwise the page says what happened and shows what was typed, to be copied.

    Only with a valid session, and for a stale token only from a page of this site (a cross-site post
    never carries the session cookie, ``SameSite=Lax``; ``same_origin_post`` keeps out sibling origins):
    anything else gets the plain refusal, and nothing is written."""
    status = 403 if expired else 409
    heading = t(lang, "The form has expired") if expired else t(lang, ERROR_TEXTS[409][0])
    back = form_page(request)
    with unit_of_work(write=True) as session:
        login = resolve(session, request.cookies.get(SESSION_COOKIE))
        if login is None or form is None or (expired and not same_origin_post(request.headers)):
            message = (
                "For your security the form could not be accepted. Go back, reload the page and send it again."
                if expired
                else ERROR_TEXTS[409][1]
            )
            return page(
                request,
                lang,
                "form_kept.html",
                None,
                status,
                heading=heading,
                paragraphs=[t(lang, message)],
                fields=[],
                overview=None,
                back=back,
            )
        assessment_id = _assessment_of(request.url.path)
        assessment = drafts.writable(session, login, assessment_id) if assessment_id else None
        target = drafts.form_of(request.url.path)  # the draft key from the POST's own address only
        kept = False
        if target is not None and assessment is not None and assessment.status in (Status.draft, Status.submitted):
            base_version = whole_number(text(form, "base_version", 12)) or 0
            drafts.save(session, assessment, login.user, target[1], drafts.posted(form), base_version)
            kept = True
        if expired and kept and assessment is not None and assessment.status == Status.draft:
            return redirect(back, "form_expired")  # the form shows the kept draft (committed on leaving)
        fields = routes_assessments.typed_fields(
            session, rubrics(request), login, assessment, request.url.path, form, lang
        )
        paragraphs = _refusal_texts(lang, login, assessment, expired, kept, bool(fields))
        overview = f"/assessments/{assessment.id}" if assessment is not None else None
        return page(
            request,
            lang,
            "form_kept.html",
            login,
            status,
            heading=heading,
            paragraphs=paragraphs,
            fields=fields,
            overview=overview,
            back=back if expired else None,
        )


def _refusal_texts(
    lang: str, login: WebLogin, assessment: Assessment | None, expired: bool, kept: bool, typed: bool
) -> list[str]:
    def when(value: datetime | None, fallback: datetime) -> str:
        return format_datetime(value or fallback, lang, "short", zone=zone(login.municipality.country))

    out = [t(lang, "For your security the form could not be accepted.")] if expired else []
    if assessment is not None and assessment.status == Status.submitted:
        out.append(
            t(
                lang,
                "The assessment was sent for review on %(time)s.",
                time=when(assessment.submitted_at, assessment.updated_at),
            )
        )
    elif assessment is not None and assessment.status in (Status.approved, Status.superseded):
        out.append(
            t(
                lang,
                "The assessment was approved on %(time)s and can no longer be changed.",
                time=when(assessment.approved_at, assessment.updated_at),
            )
        )
    elif not expired:
        out.append(t(lang, ERROR_TEXTS[409][1]))
    if kept:
        out.append(
            t(
                lang,
                "Your changes were not saved, but they are kept: when the assessment is returned to draft, "
                "you will find them in the form.",
            )
        )
    if typed:
        out.append(t(lang, "What you typed is shown below: select and copy it if you need it."))
    elif not kept:
        out.append(t(lang, "Nothing was saved. Go back, reload the page and send it again."))
    return out


ROUTERS = tuple(
    module.router
    for module in (
        routes_auth,
        routes_account,
        routes_decisions,
        routes_assessments,
        routes_drafts,
        routes_alternatives,
        routes_review,
        routes_rubric_upgrade,
        routes_text_language,
        routes_reports,
        routes_admin,
        routes_about,
    )
)
"""The web UI's routers (``app/main.py`` includes them, in the order requests are matched)."""


def install(app: FastAPI, settings: Settings) -> None:
    """Static files, the web's error pages and middleware (the routers: ``ROUTERS``)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    problems.set_html_renderer(_error_page)
    app.add_middleware(WebBodyLimit, max_bytes=settings.max_body_bytes, lang_cookie=LANG_COOKIE)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)


# Error texts are translated through the catalogue: list them for extraction.
def _(message: str) -> str:
    return message


_EXTRACT = (
    _("You cannot do this"),
    _("Your role does not allow this page or action. Ask your administrator if you need it."),
    _("Page not found"),
    _("The page or the assessment does not exist, or it belongs to another municipality."),
    _("This cannot be done now"),
    _("The assessment is in a state that does not allow this, for example it has been submitted or approved."),
    _("Someone else saved first"),
    _("The assessment was changed by someone else. Go back and reload the page."),
    _("You saved first in another tab or window"),
    _("You changed the assessment in another tab or window after this page was loaded. Go back and reload the page."),
    _("Too much data"),
    _("The form sent too much data at once."),
    _("Check your answers"),
    _("Some answers are not valid."),
    _("The service is temporarily unavailable"),
    _("Try again in a moment. Nothing you saved has been lost; go back and your text is still in the form."),
    _("The answers could not be saved"),
    _("The server cannot store data right now. Nothing was saved; go back and your text is still in the form."),
    _("Something went wrong"),
    _("The error has been logged. Try again, or go back to the dashboard."),
    _("The form has expired"),
    _("For your security the form could not be accepted. Go back, reload the page and send it again."),
)

"""The server-rendered web interface for officials, reviewers, admins and council members.

:func:`install` adds the pages, the static files, the security headers (on every response, the API's
too) and the web's error pages to the application.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from app.api import problems
from app.auth.web_sessions import resolve
from app.db.session import unit_of_work
from app.i18n import normalise
from app.settings import Settings
from app.web import (
    routes_account,
    routes_admin,
    routes_alternatives,
    routes_assessments,
    routes_auth,
    routes_decisions,
    routes_drafts,
    routes_reports,
    routes_review,
)
from app.web.deps import LANG_COOKIE, SESSION_COOKIE, CsrfFailed, LoginRequired, page
from app.web.security import SecurityHeadersMiddleware, WebBodyLimit
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


def _error_page(request: Request, status: int, slug: str) -> Response:
    lang = normalise(request.cookies.get(LANG_COOKIE))
    heading, message = ERROR_TEXTS.get(
        status, ("Something went wrong", "The error has been logged. Try again, or go back to the dashboard.")
    )
    login = None
    if status not in (503, 507):
        try:
            with unit_of_work(write=False) as session:
                login = resolve(session, request.cookies.get(SESSION_COOKIE))
                return page(
                    request, lang, "error.html", login, status, heading=t(lang, heading), message=t(lang, message)
                )
        except Exception:
            login = None
    return page(request, lang, "error.html", None, status, heading=t(lang, heading), message=t(lang, message))


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    from urllib.parse import quote

    return RedirectResponse("/login?next=" + quote(exc.next_path, safe="/"), status_code=303)


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    from starlette.concurrency import run_in_threadpool

    lang = normalise(request.cookies.get(LANG_COOKIE))
    return await run_in_threadpool(
        lambda: page(
            request,
            lang,
            "error.html",
            None,
            403,
            heading=t(lang, "The form has expired"),
            message=t(
                lang, "For your security the form could not be accepted. Go back, reload the page and send it again."
            ),
        )
    )


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
        routes_reports,
        routes_admin,
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
)

"""Dependencies of the web pages: the request's unit of work, the signed-in user, the language,
CSRF-checked form data, load-or-404 of decisions and assessments, and the page renderer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.routing import Match

from app import i18n
from app.api.deps import RegistryDep as RegistryDep  # re-exported: the web reads the rubrics as the API does
from app.api.deps import rubrics as rubrics
from app.assessments import service, views
from app.assessments.models import Assessment, Decision
from app.auth.web_sessions import WebLogin, resolve
from app.db.session import request_unit_of_work
from app.errors import Forbidden
from app.municipalities.timezone import zone
from app.settings import get_settings
from app.text import plain
from app.web.security import ANON_CSRF_COOKIE, CSRF_FIELD, same_origin_path, same_token
from app.web.templating import render

SESSION_COOKIE = "lk_session"
LANG_COOKIE = "lk_lang"
FLASH_COOKIE = "lk_flash"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form and back afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Exception):
    """The form's CSRF token is missing or wrong (expired session, forged post). ``form`` is what was
    posted (control characters removed): the handler may keep it for the user (app/web/__init__.py)."""

    def __init__(self, form: FormData | None = None) -> None:
        super().__init__("the form's CSRF token is missing or wrong")
        self.form = form


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (commits before the response is sent); see app.db.session."""
    async with request_unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def language(request: Request) -> str:
    """The language the visitor chose (its cookie); before any choice, the browser's (Accept-Language:
    a Finnish browser's first visit is in Finnish); else the default, Swedish."""
    chosen = (request.cookies.get(LANG_COOKIE) or "").strip().lower()[:2]
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.from_accept_language(request.headers.get("accept-language")) or i18n.DEFAULT_LANGUAGE


async def get_lang(request: Request) -> str:
    return language(request)


LangDep = Annotated[str, Depends(get_lang)]


def full_path(request: Request) -> str:
    """The request's path with its query string, if any."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def is_page(request: Request, path: str) -> bool:
    """Whether a GET of ``path`` (without its query) is answered by one of the app's routes."""
    as_get = {**request.scope, "method": "GET", "path": path.split("?", 1)[0]}
    return any(route.matches(as_get)[0] == Match.FULL for route in request.app.router.routes)


def form_page(request: Request) -> str:
    """The page of the form a POST was sent from (to come back to after signing in, after a refusal, or
    from the language switch): the POST's own path when it is a page too (most forms post to their own
    address), else the same-origin ``Referer`` when it is a page, else the dashboard. Always a local
    path, never a POST-only address (405)."""
    if is_page(request, request.url.path):
        return safe_next(request.url.path)
    referred = same_origin_path(request.headers.get("referer"), request.headers.get("host", ""))
    return safe_next(referred) if referred and is_page(request, referred) else "/"


def page_address(request: Request) -> str:
    """The address of the page shown, to come back to it (the language switch's ``next``): a GET's own
    path and query; for a page rendered by a POST (a refused form, a result shown once) its form's page."""
    return full_path(request) if request.method in ("GET", "HEAD") else form_page(request)


def request_login(request: Request, session: Session) -> WebLogin | None:
    """The login behind the request's session cookie, looked up once per request (a form post needs it
    for the CSRF check and for the page: one query, not two)."""
    found = getattr(request.state, "web_login", _UNRESOLVED)
    if found is _UNRESOLVED:
        found = resolve(session, request.cookies.get(SESSION_COOKIE))
        request.state.web_login = found
    return cast(WebLogin | None, found)


_UNRESOLVED = object()


def optional_login(request: Request, session: SessionDep) -> WebLogin | None:
    return request_login(request, session)


def current_login(request: Request, session: SessionDep) -> WebLogin:
    login = request_login(request, session)
    if login is None:
        raise LoginRequired(full_path(request) if request.method == "GET" else "/")
    return login


LoginDep = Annotated[WebLogin, Depends(current_login)]
OptionalLoginDep = Annotated[WebLogin | None, Depends(optional_login)]


def writer(login: LoginDep) -> WebLogin:
    login.actor.require("write")
    return login


def admin(login: LoginDep) -> WebLogin:
    if login.user.role != "admin":
        raise Forbidden("only a municipality admin can manage users and tokens")
    return login


WriterDep = Annotated[WebLogin, Depends(writer)]
AdminDep = Annotated[WebLogin, Depends(admin)]


async def checked_form(request: Request, session: SessionDep) -> FormData:
    """The posted form, after its CSRF token matched the session's (or, before login, the cookie's)."""
    form = await request.form(max_fields=2000)
    submitted = form.get(CSRF_FIELD)
    login = await run_in_threadpool(request_login, request, session)
    expected = login.csrf_token if login is not None else request.cookies.get(ANON_CSRF_COOKIE)
    cleaned = FormData([(plain(k), plain(v) if isinstance(v, str) else v) for k, v in form.multi_items()])
    if not same_token(expected, submitted if isinstance(submitted, str) else None):
        raise CsrfFailed(cleaned)
    request.state.checked_form = cleaned  # a refused save shows and keeps it (app/web/__init__.py)
    return cleaned


FormDep = Annotated[FormData, Depends(checked_form)]


def decision_for(decision_id: uuid.UUID, session: SessionDep, login: LoginDep) -> Decision:
    return service.get_decision(session, login.actor, decision_id)


def assessment_for(assessment_id: uuid.UUID, session: SessionDep, login: LoginDep) -> Assessment:
    return service.get_assessment(session, login.actor, assessment_id)


DecisionDep = Annotated[Decision, Depends(decision_for)]
AssessmentDep = Annotated[Assessment, Depends(assessment_for)]


def text(form: FormData, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value[: limit + 1] if isinstance(value, str) else ""


def page(
    request: Request,
    lang: str,
    template: str,
    login: WebLogin | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page; every page gets the user, the CSRF token, the path and a one-time flash."""
    lang = i18n.normalise(lang)
    flash = request.cookies.get(FLASH_COOKIE)
    base: dict[str, Any] = {
        "login": login,
        "csrf_token": login.csrf_token if login else context.pop("anon_csrf", ""),
        "path": request.url.path,
        # where the language switch returns: the page's own address (``page_address``), or the one the
        # route names (a form that posts to an address of its own: its page)
        "path_q": quote(context.pop("page_address", None) or page_address(request), safe=""),
        "flash": flash if flash in FLASH_MESSAGES else None,
        "errors": [],
        "title_error": False,
        # an assessment page's author texts, where their stated language is not the page's (``lang``)
        "text_lang": _text_lang(context.get("pg"), lang),
    }
    base.update(context)
    base["title_error"] = base["title_error"] or bool(base["errors"])
    # days and times on the clock of the user's municipality (Helsinki's for a visitor not signed in)
    local = zone(login.municipality.country if login else None)
    response = HTMLResponse(render(lang, template, base, local), status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _text_lang(pg: Any, lang: str) -> str | None:
    assessment = getattr(pg, "assessment", None)
    return views.text_lang_attr(assessment, lang) if isinstance(assessment, Assessment) else None


FLASH_MESSAGES = frozenset(
    {
        "saved",
        "name_changed",
        "user_deactivated",
        "decision_created",
        "assessment_created",
        "submitted",
        "approved",
        "returned",
        "version_created",
        "newer_version_exists",
        "follow_up_saved",
        "invited",
        "token_revoked",
        "draft_discarded",
        "logged_out",
        "alternative_added",
        "alternative_removed",
        "welcome",
        "password_changed",
        "form_expired",
        "rubric_upgraded",
        "text_language_saved",
    }
)


def redirect(url: str, flash: str | None = None) -> RedirectResponse:
    """Redirect after POST (303), with an optional one-time message from :data:`FLASH_MESSAGES`."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, flash, max_age=60, httponly=True, samesite="lax", secure=get_settings().secure_cookies
        )
    return response


def safe_next(value: str | None) -> str:
    """Only local paths: never redirect to another site after login or a language switch."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value

"""Signing in (with a password, or with single sign-on when it is configured) and out, the language
switch, and accepting an invitation."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import i18n
from app.auth import oidc, users
from app.auth.web_sessions import end_session, start_session
from app.db.session import unit_of_work
from app.errors import Conflict, NotFound, ValidationFailed
from app.routing import Router
from app.settings import get_settings
from app.web import accounts
from app.web.accounts import password_length
from app.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    FormDep,
    LangDep,
    OptionalLoginDep,
    SessionDep,
    page,
    redirect,
    safe_next,
    text,
)
from app.web.forms import FieldErrors, form_values, one_line, too_long
from app.web.security import ANON_CSRF_COOKIE, new_csrf_token
from app.web.templating import t

router = Router(include_in_schema=False)
log = logging.getLogger("livskraft.sso")
SSO_COOKIE = "lk_sso"
SSO_PATH = "/login/sso"
"""Single sign-on's routes (``/login/sso``, ``/login/sso/callback``); the pending sign-in's cookie is
sent to them alone."""


def _anon_page(request: Request, lang: str, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """A page shown before login: its forms carry a CSRF token bound to a cookie of its own."""
    token = request.cookies.get(ANON_CSRF_COOKIE) or new_csrf_token()
    response = page(request, lang, template, None, status_code, anon_csrf=token, **context)
    response.set_cookie(
        ANON_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=get_settings().secure_cookies, path="/"
    )
    return response


def _login_page(request: Request, lang: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """The sign-in page; with single sign-on configured, its button too (``sso``: the provider's name)."""
    settings = get_settings()
    sso = settings.oidc_display_name.strip() if settings.oidc_issuer else None
    return _anon_page(request, lang, "login.html", status_code, sso=sso, **context)


def _signed_in(next_path: str, token: str) -> RedirectResponse:
    """The answer to a successful sign-in, with a password or single sign-on: the session's cookie, and
    on to ``next_path`` (a local path: ``safe_next``)."""
    settings = get_settings()
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(ANON_CSRF_COOKIE, path="/")
    return response


@router.get("/login")
def login_form(
    request: Request, lang: LangDep, login: OptionalLoginDep, next: str = "/", sso_error: str = "", ended: str = ""
) -> Response:
    """``ended``: the redirect of a request whose session had ended (``1``; ``unsaved``: a form's POST,
    whose answers were not saved), which the page explains (``app/web/__init__.py``)."""
    if login is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    errors: list[tuple[str, str]] = []
    if sso_error in oidc.REASONS and get_settings().oidc_issuer:
        errors.append(("sso", _sso_message(lang, sso_error)))
    return _login_page(
        request,
        lang,
        email="",
        next=safe_next(next),
        errors=errors,
        fe={},
        ended=ended if ended in ("1", "unsaved") else "",
    )


@router.post("/login")
def login_submit(request: Request, session: SessionDep, lang: LangDep, form: FormDep) -> Response:
    settings = get_settings()
    email, password = text(form, "email", 254).strip(), text(form, "password", 256)
    next_path = safe_next(text(form, "next", 500))
    errors = FieldErrors()
    if not email:
        errors.add("email", t(lang, "Enter your e-mail address"))
    if not password:
        errors.add("password", t(lang, "Enter your password"))
    if not errors:
        user, _reason = users.authenticate(
            session, email, password, settings.login_max_failures, settings.login_lockout_minutes
        )
        if user is not None:
            old = request.cookies.get(SESSION_COOKIE)
            return _signed_in(next_path, start_session(session, user, settings.session_hours, replaces=old))
        # A wrong password, an unknown address and a locked account look the same from outside (message,
        # status, argon2 time: ``users.authenticate``), so the page cannot tell whether an address has an
        # account. The pause is explained to everyone whose sign-in failed (``reason`` stays unsaid): the
        # person locked out is often not the one who failed, so a count kept by this browser would miss
        # them, and a count per unknown address would have to mimic the lockout exactly not to leak.
        errors.add("email", t(lang, "The e-mail address or the password is wrong"))
        lockout_hint = t(
            lang,
            "After %(count)s failed attempts in a row, signing in to the account is paused for %(minutes)s "
            "minutes. If you are sure of your password, wait and try again, or ask the administrator of your "
            "municipality.",
            count=settings.login_max_failures,
            minutes=settings.login_lockout_minutes,
        )
        return _login_page(
            request,
            lang,
            400,
            email=email,
            next=next_path,
            errors=errors.summary(),
            fe=errors.by_field,
            lockout_hint=lockout_hint,
        )
    return _login_page(request, lang, 400, email=email, next=next_path, errors=errors.summary(), fe=errors.by_field)


# --- single sign-on (OpenID Connect, app/auth/oidc.py) ----------------------------------------------


def _sso_config() -> oidc.Config:
    cfg = oidc.config(get_settings())
    if cfg is None:
        raise NotFound("single sign-on is not configured")
    return cfg


def _sso_message(lang: str, reason: str) -> str:
    """What the login page says when single sign-on was refused (``oidc.Reason``)."""
    if reason == "state":
        return t(lang, "The sign-in took too long or was started in another window. Try again.")
    if reason == "idp_error":
        return t(lang, "The sign-in service did not sign you in. Try again, or sign in with your password.")
    if reason == "token":
        return t(
            lang,
            "The answer of the sign-in service could not be verified. "
            "Try again; if it happens again, tell your administrator.",
        )
    if reason == "email":
        return t(lang, "The sign-in service did not give a verified e-mail address. Ask your administrator.")
    if reason == "account":
        return t(
            lang,
            "No active Livskraft account has the e-mail address the sign-in service gave. "
            "Ask the administrator of your municipality.",
        )
    return t(lang, "The sign-in service cannot be reached right now. Try again later, or sign in with your password.")


def _sso_refused(failure: oidc.SsoFailed, next_path: str) -> RedirectResponse:
    """Back to the login page, which names the reason; the pending sign-in is forgotten."""
    log.warning("single sign-on refused: %s", failure)
    query = f"sso_error={failure.reason}" + (f"&next={quote(next_path, safe='/')}" if next_path != "/" else "")
    response = RedirectResponse(f"/login?{query}", status_code=303)
    response.delete_cookie(SSO_COOKIE, path=SSO_PATH)
    return response


@router.get(SSO_PATH)
async def sso_start(request: Request, lang: LangDep, next: str = "/") -> Response:
    """Leave for the identity provider, with a pending sign-in in a signed cookie (``oidc.seal``)."""
    cfg = _sso_config()
    settings = get_settings()
    next_path = safe_next(next) if len(next) <= 500 else "/"
    try:
        meta = await oidc.metadata(cfg)
    except oidc.SsoFailed as failure:
        return _sso_refused(failure, next_path)
    pending = oidc.new_pending(cfg, next_path, str(request.url_for("sso_callback")))
    response = RedirectResponse(oidc.authorization_url(meta, cfg, pending, lang), status_code=303)
    response.set_cookie(
        SSO_COOKIE,
        oidc.seal(pending, settings.secret_key),
        max_age=oidc.STATE_MAX_AGE,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back (a top-level GET), not on cross-site posts
        secure=settings.secure_cookies,
        path=SSO_PATH,
    )
    return response


@router.get(SSO_PATH + "/callback")
async def sso_callback(request: Request) -> Response:
    """Back from the identity provider: verify everything, then sign in as a password sign-in does."""
    cfg = _sso_config()
    settings = get_settings()
    try:
        pending = oidc.unseal(request.cookies.get(SSO_COOKIE), settings.secret_key, cfg)
    except oidc.SsoFailed as failure:
        return _sso_refused(failure, "/")
    try:
        code = oidc.callback_code(pending, request.query_params)
        claims = await oidc.id_token_claims(cfg, pending, code)  # network only: no database held meanwhile
        email, sub = oidc.verified_email(claims), oidc.subject(claims)
        old = request.cookies.get(SESSION_COOKIE)
        token = await run_in_threadpool(_sso_session, cfg.issuer, sub, email, settings.session_hours, old)
    except oidc.SsoFailed as failure:
        return _sso_refused(failure, pending.next_path)
    response = _signed_in(pending.next_path, token)
    response.delete_cookie(SSO_COOKIE, path=SSO_PATH)
    return response


def _sso_session(issuer: str, sub: str, email: str, hours: int, replaces: str | None) -> str:
    """The session (the plain cookie token) of the active user bound to the provider's subject, or else
    of the one with ``email``, bound to the subject now (``oidc.sign_in``), in a unit of work of its own:
    the callback is a GET (the provider redirects back), and its only writes are these. A refusal
    (``oidc.SsoFailed``) rolls everything back."""
    with unit_of_work() as session:
        user = oidc.sign_in(session, issuer, sub, email)
        return start_session(session, user, hours, replaces=replaces)


@router.post("/logout")
def logout(request: Request, session: SessionDep, form: FormDep) -> Response:
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login", "logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language")
def language(lang: str = "sv", next: str = "/") -> Response:
    """Switch the language (a plain link, so it works without JavaScript); remembered for a year."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        i18n.normalise(lang),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


@router.get("/invitations/{token}")
def invitation_form(request: Request, token: str, session: SessionDep, lang: LangDep) -> Response:
    invitation = accounts.open_invitation(session, token)
    return _anon_page(request, lang, "invitation.html", invitation=invitation, token=token, name="", fe={})


@router.post("/invitations/{token}")
def invitation_accept(request: Request, token: str, session: SessionDep, lang: LangDep, form: FormDep) -> Response:
    invitation = accounts.open_invitation(session, token)
    name = one_line(form_values(form, ["name"])["name"]).strip()  # whole: a name over the limit is shown as typed
    password, confirm = text(form, "password", 257), text(form, "confirm", 257)
    errors = FieldErrors()
    if not name:
        errors.add("name", t(lang, "Enter your name"))
    elif len(name) > users.MAX_NAME:
        errors.add("name", too_long(lang, users.MAX_NAME, t(lang, "Your name")))
    password_length(lang, password, errors)
    if password != confirm:  # beside a length problem too: both are fixed in one round
        errors.add("confirm", t(lang, "The passwords do not match"))
    if not errors:
        try:
            with session.begin_nested():
                accounts.accept_invitation(session, invitation, name=name, password=password)
        except ValidationFailed as exc:
            weak = [p for p in exc.errors if p.field == "password"]  # easy to guess: say why, on its field
            for problem in weak:
                errors.add("password", accounts.password_message(lang, problem))
            if not weak:
                errors.add("name", t(lang, "The account could not be created; ask your administrator"))
        except Conflict:
            errors.add("name", t(lang, "The account could not be created; ask your administrator"))
    if errors:
        return _anon_page(
            request,
            lang,
            "invitation.html",
            400,
            invitation=invitation,
            token=token,
            name=name,
            errors=errors.summary(),
            fe=errors.by_field,
        )
    return redirect("/login", "welcome")

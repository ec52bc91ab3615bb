"""Signing in and out, the language switch, and accepting an invitation."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import i18n
from app.auth import users
from app.auth.web_sessions import end_session, start_session
from app.errors import Conflict, ValidationFailed
from app.routing import Router
from app.settings import get_settings
from app.web import accounts
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
from app.web.forms import FieldErrors, too_long
from app.web.security import ANON_CSRF_COOKIE, new_csrf_token
from app.web.templating import t

router = Router(include_in_schema=False)


def _anon_page(request: Request, lang: str, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """A page shown before login: its forms carry a CSRF token bound to a cookie of its own."""
    token = request.cookies.get(ANON_CSRF_COOKIE) or new_csrf_token()
    response = page(request, lang, template, None, status_code, anon_csrf=token, **context)
    response.set_cookie(
        ANON_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=get_settings().secure_cookies, path="/"
    )
    return response


@router.get("/login")
def login_form(request: Request, lang: LangDep, login: OptionalLoginDep, next: str = "/") -> Response:
    if login is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _anon_page(request, lang, "login.html", email="", next=safe_next(next), fe={})


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
        user, reason = users.authenticate(
            session, email, password, settings.login_max_failures, settings.login_lockout_minutes
        )
        if user is not None:
            token = start_session(session, user, settings.session_hours)
            response = RedirectResponse(next_path, status_code=303)
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
        if reason == "locked":
            errors.add(
                "email",
                t(
                    lang,
                    "Too many failed attempts: the account is locked for %(minutes)s minutes",
                    minutes=settings.login_lockout_minutes,
                ),
            )
        else:
            errors.add("email", t(lang, "The e-mail address or the password is wrong"))
    return _anon_page(
        request, lang, "login.html", 400, email=email, next=next_path, errors=errors.summary(), fe=errors.by_field
    )


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
    name, password, confirm = text(form, "name", 200).strip(), text(form, "password", 257), text(form, "confirm", 257)
    errors = FieldErrors()
    if not name:
        errors.add("name", t(lang, "Enter your name"))
    elif len(name) > users.MAX_NAME:
        errors.add("name", too_long(lang, users.MAX_NAME, t(lang, "Your name")))
    if len(password) < 12:
        errors.add("password", t(lang, "Use at least 12 characters in the password"))
    elif password != confirm:
        errors.add("confirm", t(lang, "The passwords do not match"))
    if not errors:
        try:
            with session.begin_nested():
                accounts.accept_invitation(session, invitation, name=name, password=password)
        except (ValidationFailed, Conflict):
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

"""The signed-in user's own account: changing the password (every role, the council's included)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.auth import users
from app.routing import Router
from app.settings import get_settings
from app.web import accounts
from app.web.accounts import password_length
from app.web.deps import FormDep, LangDep, LoginDep, SessionDep, page, redirect, text
from app.web.forms import FieldErrors
from app.web.templating import t

router = Router(include_in_schema=False)


@router.get("/account/password")
def password_form(request: Request, lang: LangDep, login: LoginDep) -> Response:
    return page(request, lang, "account_password.html", login, fe={})


@router.post("/account/password")
def password_change(request: Request, session: SessionDep, lang: LangDep, login: LoginDep, form: FormDep) -> Response:
    settings = get_settings()
    current, new, confirm = text(form, "current", 257), text(form, "password", 257), text(form, "confirm", 257)
    errors = FieldErrors()
    if not current:
        errors.add("current", t(lang, "Enter your current password"))
    password_length(lang, new, errors)
    if new != confirm:  # beside a length problem too: both are fixed in one round
        errors.add("confirm", t(lang, "The passwords do not match"))
    if not errors:
        for problem in users.change_password(
            session,
            login.user,
            current,
            new,
            login.session.id,
            settings.login_max_failures,
            settings.login_lockout_minutes,
        ):
            if problem.field == "current" and problem.code == "locked":
                message = t(
                    lang,
                    "Too many failed attempts: the account is locked for %(minutes)s minutes",
                    minutes=settings.login_lockout_minutes,
                )
            elif problem.field == "current":
                message = t(lang, "The current password is wrong")
            else:  # the new one: unchanged, or easy to guess
                message = accounts.password_message(lang, problem)
            errors.add(problem.field, message)
    if errors:
        # Passwords are never written back into the page; the official types them again.
        return page(request, lang, "account_password.html", login, 400, errors=errors.summary(), fe=errors.by_field)
    return redirect("/", "password_changed")

"""Municipality administration: users and invitations, API tokens (a new token is shown once)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from app.auth import repository as auth_repo
from app.auth import tokens
from app.auth import users as users_domain
from app.auth.models import User
from app.auth.users import MAX_NAME, ROLES
from app.db.base import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.routing import Router
from app.web import accounts
from app.web.deps import AdminDep, FormDep, LangDep, SessionDep, page, redirect, text
from app.web.forms import FieldErrors, form_values, one_line, too_long
from app.web.templating import t

router = Router(include_in_schema=False)


def _users_page(
    request: Request, session: SessionDep, lang: str, login: AdminDep, status: int = 200, **ctx: object
) -> Response:
    mid = login.municipality.id
    ctx.setdefault("values", {"email": "", "role": ""})
    ctx.setdefault("fe", {})
    ctx.setdefault("invite_link", None)
    ctx.setdefault("replaced", [])
    ctx.setdefault("revoked", False)
    ctx.setdefault("revoke_too_late", False)
    ctx.setdefault("renaming", None)
    ctx.setdefault("deactivating", None)
    ctx.setdefault("name", "")
    return page(
        request,
        lang,
        "admin_users.html",
        login,
        status,
        users=auth_repo.users_for(session, mid),
        invitations=auth_repo.invitations_for(session, mid),
        roles=ROLES,
        now=utcnow(),
        **ctx,
    )


@router.get("/admin/users")
def users(
    request: Request, session: SessionDep, lang: LangDep, login: AdminDep, revoked: str = "", change: str = ""
) -> Response:
    """``revoked=1``: the redirect after revoking an invitation, which the page confirms (``accepted``: it
    had been accepted before, which the page says). ``change=<user id>``: the page with the form that
    changes that user's name (another municipality's user: 404)."""
    renaming = _user_here(session, login, change) if change else None
    return _users_page(
        request,
        session,
        lang,
        login,
        revoked=revoked == "1",
        revoke_too_late=revoked == "accepted",
        renaming=renaming,
        name=renaming.name if renaming else "",
    )


@router.get("/admin/users/{user_id}/deactivate")
def deactivate_confirm(request: Request, session: SessionDep, lang: LangDep, login: AdminDep, user_id: str) -> Response:
    """The users page asking whether to deactivate the user (the list's "Deactivate" leads here, the
    button here posts to this address): there is no way back in Livskraft, so one click never does it.
    Another municipality's user: 404; nothing to ask for the admin themself or an account already
    deactivated."""
    user = _user_here(session, login, user_id)
    asking = user if user.active and user.id != login.user.id else None
    return _users_page(request, session, lang, login, deactivating=asking)


def _user_here(session: SessionDep, login: AdminDep, user_id: str) -> User:
    try:
        return users_domain.user_of(session, login.actor, uuid.UUID(user_id))
    except ValueError:
        raise NotFound("user not found") from None


@router.post("/admin/users")
def user_rename(request: Request, session: SessionDep, lang: LangDep, login: AdminDep, form: FormDep) -> Response:
    """Change the name of the user ``user_id`` (the form of ``/admin/users?change=<user id>``)."""
    user = _user_here(session, login, text(form, "user_id", 36))
    name = one_line(form_values(form, ["name"])["name"])  # whole: a name over the limit is refused, shown as typed
    errors = FieldErrors()
    try:
        with session.begin_nested():
            users_domain.rename(session, login.actor, user.id, name)
    except ValidationFailed as exc:
        for p in exc.errors:
            if p.code == "required":
                errors.add("name", t(lang, "Enter the person's name"))
            else:
                errors.add("name", too_long(lang, MAX_NAME, t(lang, "Name")))
    if errors:
        return _users_page(
            request, session, lang, login, 422, renaming=user, name=name, errors=errors.summary(), fe=errors.by_field
        )
    return redirect("/admin/users", "name_changed")


@router.post("/admin/invitations")
def invite(request: Request, session: SessionDep, lang: LangDep, login: AdminDep, form: FormDep) -> Response:
    values = {"email": text(form, "email", 254).strip(), "role": text(form, "role", 20)}
    errors = FieldErrors()
    try:
        with session.begin_nested():
            _, token, replaced = accounts.invite(session, login.actor, values["email"], values["role"])
    except ValidationFailed as exc:
        for p in exc.errors:
            if p.field == "email":
                errors.add("email", t(lang, "Enter an e-mail address like name@kommun.fi"))
            else:
                errors.add("role", t(lang, "Choose a role"))
    except Conflict as exc:
        if any(p.code == accounts.INVITED_CONCURRENTLY for p in exc.errors):
            message = t(
                lang,
                "%(email)s was invited at the same moment in another request. "
                "That invitation is listed below; invite the address again to replace it.",
                email=values["email"],
            )
        else:
            message = t(
                lang, "%(email)s already has an account in Livskraft and cannot be invited", email=values["email"]
            )
        errors.add("email", message)
    if errors:
        return _users_page(
            request,
            session,
            lang,
            login,
            422,
            values=values,
            errors=errors.summary(),
            fe=errors.by_field,
            page_address="/admin/users",  # the page of this form (the language switch)
        )
    link = str(request.base_url).rstrip("/") + f"/invitations/{token}"
    # The link is shown once, on this response (not stored in plain text anywhere).
    return _users_page(
        request,
        session,
        lang,
        login,
        invite_link=link,
        invited_email=values["email"],
        replaced=replaced,
        page_address="/admin/users",
    )


@router.post("/admin/invitations/{invitation_id}/revoke")
def invitation_revoke(session: SessionDep, login: AdminDep, invitation_id: uuid.UUID, form: FormDep) -> Response:
    try:
        accounts.revoke_invitation(session, login.actor, invitation_id)
    except Conflict:  # accepted meanwhile: the page says so, and how to take the access away
        return redirect("/admin/users?revoked=accepted")
    return redirect("/admin/users?revoked=1")


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(session: SessionDep, login: AdminDep, user_id: uuid.UUID, form: FormDep) -> Response:
    accounts.deactivate(session, login.actor, user_id)
    return redirect("/admin/users", "user_deactivated")


def _tokens_page(
    request: Request,
    session: SessionDep,
    lang: str,
    login: AdminDep,
    status: int = 200,
    revoke: uuid.UUID | None = None,
    **ctx: object,
) -> Response:
    ctx.setdefault("values", {"name": "", "scopes": ["read"]})
    ctx.setdefault("fe", {})
    ctx.setdefault("new_token", None)
    listed = auth_repo.tokens_for(session, login.municipality.id)
    # the one to ask about (``revoke``): of the municipality's list and not yet revoked, else none
    ctx["revoking"] = next((tk for tk in listed if tk.id == revoke and tk.revoked_at is None), None)
    return page(
        request,
        lang,
        "admin_tokens.html",
        login,
        status,
        tokens=listed,
        scopes=tokens.SCOPES,
        **ctx,
    )


@router.get("/admin/tokens")
def token_list(request: Request, session: SessionDep, lang: LangDep, login: AdminDep) -> Response:
    return _tokens_page(request, session, lang, login)


@router.get("/admin/tokens/{token_id}/revoke")
def token_revoke_confirm(
    request: Request, session: SessionDep, lang: LangDep, login: AdminDep, token_id: str
) -> Response:
    """The tokens page asking whether to revoke the token (the list's "Revoke" leads here, the button
    here posts to this address): the systems using it stop at once and it cannot be used again. A token
    not in the municipality's list, or already revoked: the list, with nothing to ask."""
    try:
        wanted = uuid.UUID(token_id)
    except ValueError:
        wanted = None
    return _tokens_page(request, session, lang, login, revoke=wanted)


@router.post("/admin/tokens")
def token_create(request: Request, session: SessionDep, lang: LangDep, login: AdminDep, form: FormDep) -> Response:
    name = one_line(form_values(form, ["name"])["name"]).strip()  # whole: a name over the limit is shown as typed
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str)]
    errors = FieldErrors()
    if not name:
        errors.add("name", t(lang, "Enter a name for the token, for example the system that uses it"))
    elif len(name) > MAX_NAME:
        errors.add("name", too_long(lang, MAX_NAME, t(lang, "Name")))
    if not scopes or any(s not in tokens.SCOPES for s in scopes):
        errors.add("scopes", t(lang, "Choose at least one right"))
    elif "read" not in scopes:
        errors.add("scopes", t(lang, "Every token needs the right to read: tick it too"))
    if errors:
        return _tokens_page(
            request,
            session,
            lang,
            login,
            422,
            values={"name": name, "scopes": scopes},
            errors=errors.summary(),
            fe=errors.by_field,
        )
    row, plain = tokens.create_token(session, login.actor, name, scopes)
    response = _tokens_page(request, session, lang, login, new_token=plain, new_token_name=row.name)
    return response


@router.post("/admin/tokens/{token_id}/revoke")
def token_revoke(session: SessionDep, login: AdminDep, token_id: uuid.UUID, form: FormDep) -> Response:
    tokens.revoke_token(session, login.actor, token_id)
    return redirect("/admin/tokens", "token_revoked")

"""Inviting people to the web interface (an admin's use case), kept apart from HTTP.

The invitation link carries a random token; only its sha256 is stored. Accepting it creates the user
with the role the admin chose, through :func:`app.auth.users.create_user` (argon2, audit).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.audit import repository as audit_repo
from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import Actor
from app.auth.models import User, UserInvitation
from app.auth.users import (
    EMAIL,
    MAX_EMAIL,
    ROLES,
    create_user,
    new_password_problems,
    password_context,
    password_problems,
)
from app.db.base import utcnow
from app.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from app.municipalities.models import Municipality
from app.web.forms import FieldErrors
from app.web.templating import t

INVITATION_DAYS = 14
INVITED_CONCURRENTLY = "invited_concurrently"
"""The code of :func:`invite`'s ``Conflict`` when another invitation of the address won a race."""
INVITATION_ACCEPTED = "accepted"
"""The code of :func:`revoke_invitation`'s ``Conflict`` when the invitation has been accepted."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(session: Session, actor: Actor, email: str, role: str) -> tuple[UserInvitation, str, list[UserInvitation]]:
    """Create an invitation; returns it, the plain token for the link (shown to the admin once) and the
    invitations it replaced.

    One address has at most one open invitation in a municipality: inviting it again (another role, a
    lost link) replaces the open one, whose link stops working (audited as ``user.invitation_revoked``
    with ``replaced_by``), also one that has expired. A unique index holds it (at most one row of the
    address with ``accepted_at`` NULL); an invitation that loses a race to it is refused with
    ``Conflict`` (code ``invited_concurrently``), as is an address that already has an account
    (``duplicate``).
    """
    actor.require("admin")
    email = email.strip().lower()
    problems = []
    if not EMAIL.match(email) or len(email) > MAX_EMAIL:
        problems.append(FieldProblem("email", "enter an e-mail address like name@kommun.fi", "invalid"))
    if role not in ROLES:
        problems.append(FieldProblem("role", "choose a role", "required"))
    if problems:
        raise ValidationFailed("the invitation could not be created", errors=problems)
    if repo.user_by_email(session, email) is not None:
        raise Conflict(
            "a user with this e-mail address already exists", errors=[FieldProblem("email", "exists", "duplicate")]
        )
    # appends to the audit chain take turns per municipality: holding its head from here on, two
    # invitations of one address at once read one after the other, and the second replaces the first
    audit_repo.lock_chain(session, actor.municipality_id)
    replaced = list(repo.open_invitations_for_email(session, actor.municipality_id, email))
    token = secrets.token_urlsafe(32)
    row = UserInvitation(
        municipality_id=actor.municipality_id,
        email=email,
        role=role,
        token_hash=_hash(token),
        created_by=actor.label,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    for old in replaced:  # first: the unique index allows one open invitation of the address
        _revoke(session, actor, old, {"replaced_by": str(row.id)})
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        # another invitation of the address was created at the same moment by a writer that did not
        # take turns (the index ``ix_user_invitation_open_email``, migration 0014): no second one
        raise Conflict(
            "the address was invited at the same moment in another request",
            errors=[FieldProblem("email", "invited at the same moment", INVITED_CONCURRENTLY)],
        ) from exc
    audit.record(session, actor, "user.invited", "user_invitation", row.id, None, {"email": email, "role": role})
    return row, token, replaced


def _revoke(session: Session, actor: Actor, invitation: UserInvitation, after: dict[str, str] | None) -> None:
    """The invitation's row goes (its link no longer opens anything); the audit trail keeps what it was."""
    before = {"email": invitation.email, "role": invitation.role, "expires_at": invitation.expires_at.isoformat()}
    audit.record(session, actor, "user.invitation_revoked", "user_invitation", invitation.id, before, after)
    session.delete(invitation)
    session.flush()


def revoke_invitation(session: Session, actor: Actor, invitation_id: uuid.UUID) -> UserInvitation | None:
    """An admin takes back an invitation not yet accepted (a wrong role, a wrong address): its link stops
    working at once. Inviting the address again undoes it, so nothing is asked first. One accepted
    meanwhile (the admin's page was open): ``Conflict`` with the code ``accepted``. One revoked already
    (a second click, or another admin first): None, nothing changed, as the admin wanted."""
    actor.require("admin")
    row = session.get(UserInvitation, invitation_id)
    if row is None or row.municipality_id != actor.municipality_id:
        if row is None and _revoked_before(session, actor, invitation_id):
            return None
        raise NotFound("invitation not found")
    if row.accepted_at is not None:  # accepted while the admin's page was open: the account exists
        raise Conflict(
            "the invitation was accepted before it could be revoked",
            errors=[FieldProblem("invitation", "accepted", INVITATION_ACCEPTED)],
        )
    _revoke(session, actor, row, None)
    return row


def _revoked_before(session: Session, actor: Actor, invitation_id: uuid.UUID) -> bool:
    """Whether the municipality's audit trail records this invitation's revocation (its row is gone)."""
    events = audit_repo.events_for(session, actor.municipality_id, [str(invitation_id)])
    return any(e.action == "user.invitation_revoked" for e in events)


def open_invitation(session: Session, token: str) -> UserInvitation:
    row = repo.invitation_by_hash(session, _hash(token)) if 20 <= len(token) <= 100 else None
    if row is None or row.accepted_at is not None or row.expires_at <= utcnow():
        raise NotFound("the invitation is not valid or has expired")
    return row


def accept_invitation(session: Session, invitation: UserInvitation, *, name: str, password: str) -> User:
    """The invited person's account, with the password they chose: refused (``ValidationFailed`` on the
    field ``password``) when it is easy to guess (``users.new_password_problems``)."""
    municipality = session.get(Municipality, invitation.municipality_id)
    assert municipality is not None
    context = password_context(session, invitation.email, name, municipality.id)
    problems = new_password_problems(password, context)
    if problems:
        raise ValidationFailed("the password is not acceptable", errors=problems)
    user = create_user(
        session, municipality, email=invitation.email, name=name, role=invitation.role, password=password
    )
    invitation.accepted_at = utcnow()
    session.add(invitation)
    session.flush()
    return user


def deactivate(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    """Deactivate a user of the admin's municipality and end their sessions at once."""
    actor.require("admin")
    user = repo.user_by_id(session, user_id)
    if user is None or user.municipality_id != actor.municipality_id:
        raise NotFound("user not found")
    if user.id == actor.user_id:
        raise Forbidden("you cannot deactivate your own account")
    if not user.active:
        return user  # deactivated meanwhile (another tab, another admin): nothing changes, nothing recorded
    user.active = False
    session.add(user)
    for web_session in repo.web_sessions_of(session, user.id):
        session.delete(web_session)
    session.flush()
    audit.record(session, actor, "user.deactivated", "user", user.id, {"active": True}, {"active": False})
    return user


def password_length(lang: str, password: str, errors: FieldErrors) -> None:
    """A new password's length problem, if any, on its field (the domain's rule, ``users.password_problems``)."""
    for problem in password_problems(password):
        errors.add("password", password_message(lang, problem))


def password_message(lang: str, problem: FieldProblem) -> str:
    """A new password's problem (``users.new_password_problems``) in the reader's language."""
    if problem.code == "too_short":
        return t(lang, "Use at least 12 characters in the password")
    if problem.code == "too_long":
        return t(lang, "Use at most 256 characters in the password")
    if problem.code == "common":
        return t(
            lang,
            "This password is one of the most commonly used ones. Choose another, for example a few unrelated words",
        )
    if problem.code == "pattern":
        return t(
            lang,
            "This password repeats characters or runs through them in order. "
            "Choose another, for example a few unrelated words",
        )
    if problem.code == "context":
        return t(
            lang,
            "This password is made mostly of your name or e-mail address, "
            "or the name of the municipality or of Livskraft. Choose another",
        )
    return t(lang, "Choose a password different from the current one")

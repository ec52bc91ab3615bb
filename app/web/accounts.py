"""Inviting people to the web interface (an admin's use case), kept apart from HTTP.

The invitation link carries a random token; only its sha256 is stored. Accepting it creates the user
with the role the admin chose, through :func:`app.auth.users.create_user` (argon2, audit).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session

from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import Actor
from app.auth.models import User, UserInvitation
from app.auth.users import EMAIL, MAX_EMAIL, ROLES, create_user
from app.db.base import utcnow
from app.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from app.municipalities.models import Municipality

INVITATION_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(session: Session, actor: Actor, email: str, role: str) -> tuple[UserInvitation, str]:
    """Create an invitation; returns it and the plain token for the link (shown to the admin once)."""
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
    token = secrets.token_urlsafe(32)
    row = UserInvitation(
        municipality_id=actor.municipality_id,
        email=email,
        role=role,
        token_hash=_hash(token),
        created_by=actor.label,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "user.invited", "user_invitation", row.id, None, {"email": email, "role": role})
    return row, token


def open_invitation(session: Session, token: str) -> UserInvitation:
    row = repo.invitation_by_hash(session, _hash(token)) if 20 <= len(token) <= 100 else None
    if row is None or row.accepted_at is not None or row.expires_at <= utcnow():
        raise NotFound("the invitation is not valid or has expired")
    return row


def accept_invitation(session: Session, invitation: UserInvitation, *, name: str, password: str) -> User:
    municipality = session.get(Municipality, invitation.municipality_id)
    assert municipality is not None
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
    user.active = False
    session.add(user)
    for web_session in repo.web_sessions_of(session, user.id):
        session.delete(web_session)
    session.flush()
    audit.record(session, actor, "user.deactivated", "user", user.id, {"active": True}, {"active": False})
    return user

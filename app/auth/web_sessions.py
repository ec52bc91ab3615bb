"""Server-side web sessions: the cookie carries a random token, the table only its sha256.

A stolen database therefore yields no usable session cookie. Each session has its own CSRF token,
checked on every state-changing form post. Sessions end at logout, at expiry, or when the user is
deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.auth import repository as repo
from app.auth.actor import ROLE_SCOPES, Actor
from app.auth.models import User, WebSession
from app.db.base import utcnow
from app.municipalities.models import Municipality


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WebLogin:
    """The signed-in user of a request, with the session's CSRF token and the domain actor."""

    user: User
    municipality: Municipality
    session: WebSession
    actor: Actor

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.session.csrf_token, str(submitted))


def actor_for_user(user: User, municipality: Municipality) -> Actor:
    """The actor of a web user: the label names the person, the role decides the rights."""
    return Actor(
        municipality_id=municipality.id,
        municipality_code=municipality.code,
        label=f"{user.name} <{user.email}>",
        user_id=user.id,
        role=user.role,
        scopes=ROLE_SCOPES.get(user.role, frozenset()),
    )


def start_session(session: Session, user: User, hours: int, replaces: str | None = None) -> str:
    """Create a session for ``user``; returns the plain cookie token (never stored). ``replaces``: the
    session cookie the browser sent with the sign-in, whoever it belonged to — it is ended, so a
    browser never holds two live sessions and a token copied from it before the sign-in (a shared
    computer, a fixed cookie) stops working."""
    end_session(session, replaces)
    now = utcnow()
    for old in repo.web_sessions_of(session, user.id):
        if old.expires_at <= now:  # expired sessions of this user are removed as they sign in again
            session.delete(old)
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=hash_session_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return token


def resolve(session: Session, token: str | None) -> WebLogin | None:
    """The login behind a cookie token, or None when unknown, expired or the user is inactive."""
    if not token or len(token) > 200:
        return None
    found = repo.web_login(session, hash_session_token(token))
    if found is None:
        return None
    row, user, municipality = found
    if row.expires_at <= utcnow() or not user.active:
        return None
    return WebLogin(user, municipality, row, actor_for_user(user, municipality))


def end_session(session: Session, token: str | None) -> None:
    if not token or len(token) > 200:
        return
    row = repo.web_session(session, hash_session_token(token))
    if row is not None:
        session.delete(row)
        session.flush()

"""Local user accounts: create, reset password, authenticate with throttling and lockout."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import Actor, system_actor
from app.auth.models import Role, User
from app.auth.passwords import (
    DUMMY_HASH,
    MIN_LENGTH,
    context_words,
    hash_password,
    needs_rehash,
    verify_password,
    weakness,
)
from app.db.base import utcnow
from app.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from app.i18n import LANGUAGES
from app.municipalities.codes import display_name
from app.municipalities.models import Municipality

EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,189}\.[^@\s\x00-\x1f\x7f]{2,}$")
MAX_EMAIL, MAX_NAME = 254, 200  # the columns' lengths
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""No name (of a person or a token) holds one: PostgreSQL cannot store a NUL, and none of them shows."""
ROLES = tuple(r.value for r in Role)


def password_problems(password: str) -> list[FieldProblem]:
    if len(password) < MIN_LENGTH:
        return [FieldProblem("password", f"use at least {MIN_LENGTH} characters", "too_short")]
    if len(password) > 256:
        return [FieldProblem("password", "use at most 256 characters", "too_long")]
    return []


WEAKNESS_MESSAGES = {
    "common": "this password is one of the most commonly used ones: choose another",
    "pattern": "this password is a repetition or a run of characters: choose another",
    "context": "this password is made of the product's, the municipality's or your own name or address: choose another",
}


def new_password_problems(password: str, context: Iterable[str] = ()) -> list[FieldProblem]:
    """What is wrong with a password a person chooses (an invitation, a change, a reset): its length,
    then whether it is easy to guess (``passwords.weakness``: common, a pattern, or the context's words;
    the codes ``common``, ``pattern``, ``context``), and one an admin gives on the command line
    (``livskraft users create``, ``reset-password``). ``create_user`` itself checks the length alone (the
    demo's password passes these rules too: ``app/cli/seed.py``)."""
    problems = password_problems(password)
    if problems:
        return problems
    reason = weakness(password, context)
    return [FieldProblem("password", WEAKNESS_MESSAGES[reason], reason)] if reason else []


def password_context(session: Session, email: str, name: str, municipality_id: uuid.UUID) -> list[str]:
    """The words a person's new password must not be made of: their address and name, and their
    municipality's names."""
    municipality = session.get(Municipality, municipality_id)
    names = [name]
    if municipality is not None:
        names += [display_name(municipality.code, municipality.name, municipality.settings, lang) for lang in LANGUAGES]
        names.append(municipality.name)
    return context_words(email, *names)


def create_user(
    session: Session, municipality: Municipality, *, email: str, name: str, role: str, password: str
) -> User:
    problems = []
    if not EMAIL.match(email.strip()) or len(email.strip()) > MAX_EMAIL:
        problems.append(FieldProblem("email", "enter an e-mail address like name@kommun.se", "invalid"))
    if role not in ROLES:
        problems.append(FieldProblem("role", f"choose one of {', '.join(ROLES)}", "invalid"))
    if not name.strip():
        problems.append(FieldProblem("name", "enter the person's name", "required"))
    elif CONTROL.search(name) or len(name.strip()) > MAX_NAME:
        problems.append(FieldProblem("name", f"use at most {MAX_NAME} characters, no control characters", "invalid"))
    problems += password_problems(password)
    if problems:
        raise ValidationFailed("the user could not be created", errors=problems)
    if repo.user_by_email(session, email) is not None:
        raise Conflict(f"a user with e-mail {email.strip().lower()} already exists")
    user = User(
        municipality_id=municipality.id,
        email=email.strip().lower(),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    actor = system_actor(municipality.id, municipality.code)
    audit.record(session, actor, "user.created", "user", user.id, None, {"email": user.email, "role": user.role})
    return user


def set_password(session: Session, user: User, password: str) -> None:
    problems = new_password_problems(password, password_context(session, user.email, user.name, user.municipality_id))
    if problems:
        raise ValidationFailed("the password is not acceptable", errors=problems)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    session.flush()


def _actor(session: Session, user: User, purpose: str) -> Actor:
    """The system actor that records what happens to an account (``login:…``, ``user:…``)."""
    municipality = session.get(Municipality, user.municipality_id)
    assert municipality is not None
    return system_actor(municipality.id, municipality.code, f"{purpose}:{user.email}")


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _count_failure(
    session: Session,
    actor: Actor,
    user: User,
    now: datetime,
    action: str,
    max_failures: int,
    lockout_minutes: int,
) -> bool:
    """One more wrong password (at login or when changing it): at ``max_failures`` the account is locked
    for ``lockout_minutes``. Audited as ``action`` or ``login.locked``; True when it is locked now."""
    user.failed_logins += 1
    locked = user.failed_logins >= max_failures
    if locked:
        user.locked_until = now + timedelta(minutes=lockout_minutes)
        user.failed_logins = 0
    session.add(user)
    audit.record(session, actor, "login.locked" if locked else action, "user", user.id)
    return locked


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    keep_session_id: str | None,
    max_failures: int = 5,
    lockout_minutes: int = 15,
) -> list[FieldProblem]:
    """A signed-in user changes their own password; returns the problems (empty: changed).

    The current password is asked for, so a session left open on a shared computer cannot take over the
    account. Wrong answers count towards the same lockout as failed logins. On success every other web
    session of the user ends (a password change is how people lock out someone who knows the old one).
    """
    now = utcnow()
    actor = _actor(session, user, "user")
    if _locked(user, now):
        return [FieldProblem("current", "too many failed attempts: the account is locked", "locked")]
    if not verify_password(user.password_hash, current):
        locked = _count_failure(session, actor, user, now, "password_change.failed", max_failures, lockout_minutes)
        return [FieldProblem("current", "the current password is wrong", "locked" if locked else "invalid")]
    problems = new_password_problems(new, password_context(session, user.email, user.name, user.municipality_id))
    if not problems and new == current:
        problems = [FieldProblem("password", "choose a password different from the current one", "unchanged")]
    if problems:
        return problems
    set_password(session, user, new)
    ended = 0
    for other in repo.web_sessions_of(session, user.id):
        if other.id != keep_session_id:
            session.delete(other)
            ended += 1
    session.flush()
    audit.record(session, actor, "user.password_changed", "user", user.id, None, {"other_sessions_ended": ended})
    return []


def authenticate(
    session: Session, email: str, password: str, max_failures: int = 5, lockout_minutes: int = 15
) -> tuple[User | None, str]:
    """Returns (user, "") or (None, reason) where reason is "invalid" or "locked".

    After ``max_failures`` wrong passwords the account is locked for ``lockout_minutes``; the lockout
    and every failure go to the audit trail. Every failure costs one argon2 verification, whether the
    address is unknown, the account inactive or locked, or the password wrong; the reason is for the
    audit trail and the logs, never for the person signing in (the web shows one message for both).
    """
    user = repo.user_by_email(session, email)
    if user is None or not user.active:
        verify_password(DUMMY_HASH, password)
        return None, "invalid"
    now = utcnow()
    actor = _actor(session, user, "login")
    if _locked(user, now):
        # The same argon2 work as every other failure: a locked account must not answer faster than an
        # unknown address (the web says the same to both: an account's existence does not leak).
        verify_password(DUMMY_HASH, password)
        audit.record(session, actor, "login.refused_locked", "user", user.id)
        return None, "locked"
    if not verify_password(user.password_hash, password):
        locked = _count_failure(session, actor, user, now, "login.failed", max_failures, lockout_minutes)
        return None, "locked" if locked else "invalid"
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit.record(session, actor, "login.succeeded", "user", user.id)
    return user, ""


def user_of(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    """A user of the admin's municipality; another municipality's is not found (404), as an unknown id."""
    actor.require("admin")
    user = repo.user_by_id(session, user_id)
    if user is None or user.municipality_id != actor.municipality_id:
        raise NotFound("user not found")
    return user


def reactivate(session: Session, actor: Actor, user: User) -> bool:
    """Undo a deactivation (made by mistake: the web offers none, an operator runs ``livskraft users
    reactivate``): the person signs in again as before (password or single sign-on), and their personal
    API tokens that were not revoked work again. Recorded as ``user.reactivated``; False, with nothing
    changed or recorded, when the account is active."""
    if user.active:
        return False
    user.active = True
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.reactivated", "user", user.id, {"active": False}, {"active": True})
    return True


def rename(session: Session, actor: Actor, user_id: uuid.UUID, name: str) -> User:
    """An admin changes the name of a user of their municipality: shown from now on in the users list,
    on the review pages and in the audit trail (as "Name <e-mail>"); what was recorded before keeps the
    name of then. Recorded as ``user.renamed`` with the name before and after (nothing when unchanged).
    The rules of a new user's name (``create_user``): required, at most ``MAX_NAME`` characters."""
    user = user_of(session, actor, user_id)
    name = name.strip()
    if not name:
        raise ValidationFailed("the name is required", errors=[FieldProblem("name", "enter the name", "required")])
    if CONTROL.search(name) or len(name) > MAX_NAME:
        problem = FieldProblem("name", f"use at most {MAX_NAME} characters, no control characters", "invalid")
        raise ValidationFailed("the name is not valid", errors=[problem])
    if name == user.name:
        return user
    before = {"name": user.name}
    user.name = name
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.renamed", "user", user.id, before, {"name": name})
    return user

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.auth.models import ApiToken, User, UserInvitation, WebSession
from app.municipalities.models import Municipality


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


@lru_cache(maxsize=1)
def token_principal_query() -> Select[*tuple[Any, ...]]:
    user = aliased(User)
    return (
        sa_select(
            col(ApiToken.id).label("token_id"),
            col(ApiToken.name).label("token_name"),
            col(ApiToken.scopes),
            col(ApiToken.revoked_at),
            col(ApiToken.user_id),
            col(Municipality.id).label("municipality_id"),
            col(Municipality.code).label("municipality_code"),
            col(user.name).label("user_name"),
            col(user.email).label("user_email"),
            col(user.role).label("user_role"),
            col(user.active).label("user_active"),
        )
        .join(Municipality, col(Municipality.id) == col(ApiToken.municipality_id))
        .outerjoin(user, col(user.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == bindparam("token_hash"))
    )


def token_principal(session: Session, token_hash: str) -> Row[Any] | None:
    """A token with its municipality and (for a personal token) its user, in one query without ORM
    objects: every API request starts here, so it must be cheap (the statement is built once). Read
    fresh on every request, so a revoked token or a deactivated user is refused at once."""
    return session.execute(token_principal_query(), {"token_hash": token_hash}).first()


def record_token_use(session: Session, token_hash: str, now: datetime, recorded_before: datetime) -> int:
    """Set a token's ``last_used_at`` to ``now`` unless it was set at or after ``recorded_before`` (or the
    token is revoked or unknown): one short statement, a row written at most once per interval."""
    stmt = (
        update(ApiToken)
        .where(
            col(ApiToken.token_hash) == token_hash,
            col(ApiToken.revoked_at).is_(None),
            or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) < recorded_before),
        )
        .values(last_used_at=now)
    )
    return int(session.exec(stmt).rowcount)


def token_by_id(session: Session, token_id: uuid.UUID) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def tokens_for(session: Session, municipality_id: uuid.UUID) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken).where(ApiToken.municipality_id == municipality_id).order_by(col(ApiToken.created_at))
    ).all()


def user_by_id(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def users_for(session: Session, municipality_id: uuid.UUID) -> Sequence[User]:
    return session.exec(select(User).where(User.municipality_id == municipality_id).order_by(col(User.name))).all()


def web_session(session: Session, session_hash: str) -> WebSession | None:
    return session.get(WebSession, session_hash)


# --- web accounts (invitations, sessions) ----------------------------------------------------


def invitation_by_hash(session: Session, token_hash: str) -> UserInvitation | None:
    return session.exec(select(UserInvitation).where(UserInvitation.token_hash == token_hash)).first()


def invitations_for(session: Session, municipality_id: uuid.UUID) -> Sequence[UserInvitation]:
    return session.exec(
        select(UserInvitation)
        .where(UserInvitation.municipality_id == municipality_id)
        .order_by(col(UserInvitation.created_at).desc())
    ).all()


def open_invitations_for_email(session: Session, municipality_id: uuid.UUID, email: str) -> Sequence[UserInvitation]:
    """The municipality's invitations of ``email`` not yet accepted (expired ones too: they are replaced)."""
    return session.exec(
        select(UserInvitation).where(
            UserInvitation.municipality_id == municipality_id,
            func.lower(UserInvitation.email) == email.strip().lower(),
            col(UserInvitation.accepted_at).is_(None),
        )
    ).all()


def web_sessions_of(session: Session, user_id: uuid.UUID) -> Sequence[WebSession]:
    return session.exec(select(WebSession).where(WebSession.user_id == user_id)).all()


def web_login(session: Session, session_hash: str) -> tuple[WebSession, User, Municipality] | None:
    """The session, its user and the user's municipality in one query (every web request needs them)."""
    row = session.exec(
        select(WebSession, User, Municipality)
        .join(User, col(User.id) == col(WebSession.user_id))
        .join(Municipality, col(Municipality.id) == col(User.municipality_id))
        .where(WebSession.id == session_hash)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None

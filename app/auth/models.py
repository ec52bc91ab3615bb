from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import UTCDateTime


class Role(StrEnum):
    official = "official"
    reviewer = "reviewer"
    admin = "admin"
    council = "council"


class User(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("email"), UniqueConstraint("sso_issuer", "sso_subject"))

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20, default=Role.official.value)
    password_hash: str = Field(max_length=255)
    active: bool = True
    locale: str = Field(default="sv", max_length=5)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sso_issuer: str | None = Field(default=None, max_length=500)
    sso_subject: str | None = Field(default=None, max_length=255)
    """The person at the single sign-on provider this account is bound to: the ID token's ``iss`` and
    ``sub`` (OpenID Connect's stable identifier), set together at the account's first single sign-on and
    cleared together by ``livskraft users sso-unbind`` (``app/auth/oidc.py``); unique where set."""


class WebSession(SQLModel, table=True):
    """Server-side session: the cookie holds a random token, the table only its sha256."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """An API token of one municipality. Only the sha256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    """A personal token acts as its user (and role); a system token has no user and cannot approve."""
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(max_length=64, description="comma-separated: read, write, admin")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserInvitation(SQLModel, table=True):
    """An admin invites a person by e-mail; the link carries a random token stored only as sha256."""

    __tablename__ = "user_invitation"
    __table_args__ = (
        # at most one open (not accepted) invitation of an address per municipality, also when two
        # admins invite it at once; addresses are stored lower-cased (``accounts.invite``), as users'
        Index(
            "ix_user_invitation_open_email",
            "municipality_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

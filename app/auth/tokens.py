"""API tokens: random, shown once, stored as sha256 (a high-entropy secret needs no slow hash)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from sqlmodel import Session

from app.audit import service as audit
from app.auth import repository as repo
from app.auth.actor import ROLE_SCOPES, Actor
from app.auth.models import ApiToken
from app.auth.users import CONTROL, MAX_NAME
from app.db.base import utcnow
from app.errors import FieldProblem, NotFound, Unauthorized, ValidationFailed

TOKEN_PREFIX = "lk_"  # noqa: S105 - a public prefix, not a secret
SCOPES = ("read", "write", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(raw: str | list[str]) -> list[str]:
    """The scopes of a new token. Scopes do not include each other, and every API request (a write or
    an admin call too) first needs ``read``: a set without it would be refused everything, so it is
    refused here, at creation."""
    items = raw.split(",") if isinstance(raw, str) else raw
    scopes = sorted({s.strip() for s in items if s.strip()})
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise ValidationFailed(
            "invalid scopes",
            errors=[FieldProblem("scopes", f"choose from {', '.join(SCOPES)}; got {', '.join(bad) or 'none'}")],
        )
    if "read" not in scopes:
        raise ValidationFailed(
            "a token needs the read right",
            errors=[
                FieldProblem(
                    "scopes",
                    "every token needs 'read' (write and admin do not include it): e.g. read,write or "
                    f"read,write,admin; got {','.join(scopes)}",
                    "read_required",
                )
            ],
        )
    return scopes


def create_token(
    session: Session,
    actor: Actor,
    name: str,
    scopes: list[str],
    user_id: uuid.UUID | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token (shown once, never stored)."""
    if len(name.strip()) > MAX_NAME or CONTROL.search(name):
        problem = FieldProblem("name", f"use at most {MAX_NAME} characters, no control characters", "invalid")
        raise ValidationFailed("the token's name is not valid", errors=[problem])
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        municipality_id=actor.municipality_id,
        user_id=user_id,
        name=name.strip() or "token",
        prefix=plain[:10],
        token_hash=hash_token(plain),
        scopes=",".join(parse_scopes(scopes)),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.created",
        "api_token",
        row.id,
        None,
        {"name": row.name, "scopes": row.scopes, "prefix": row.prefix},
    )
    return row, plain


def token_of(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    """The actor's municipality's token by id; another municipality's is not found, as an unknown one."""
    row = repo.token_by_id(session, token_id)
    if row is None or row.municipality_id != actor.municipality_id:
        raise NotFound("token not found")
    return row


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    """Revoke a token (audited as token.revoked); one revoked already is left as it is, with its time of
    revocation, and nothing is recorded again."""
    row = token_of(session, actor, token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
        audit.record(session, actor, "token.revoked", "api_token", row.id, None, {"name": row.name})
    return row


def effective_scopes(token_scopes: str, user_id: uuid.UUID | None, user_role: str | None) -> frozenset[str]:
    """What a token may do: its own scopes, and for a personal token never more than its user's role
    allows (reviewers keep the review right). The one rule, used by every way a token is checked."""
    scopes = frozenset(token_scopes.split(","))
    if user_id is None:
        return scopes
    role_scopes = ROLE_SCOPES.get(user_role or "", frozenset())
    return (scopes & role_scopes) | (role_scopes & {"review"})


def token_usable(revoked: bool, user_id: uuid.UUID | None, user_role: str | None, user_active: bool | None) -> bool:
    """Not revoked, and a personal token's user still exists and is active."""
    return not revoked and (user_id is None or (user_role is not None and bool(user_active)))


def actor_for_token(session: Session, token: str) -> Actor:
    """Resolve a bearer token to its actor; unknown or revoked tokens are refused alike. One query
    (token, municipality and user together), read fresh on every request: revocation acts at once."""
    row = repo.token_principal(session, hash_token(token)) if token.startswith(TOKEN_PREFIX) else None
    return actor_for_principal(row)


def actor_for_principal(row: Any) -> Actor:
    """The actor of a row of ``repository.token_principal``'s statement (None: no such token)."""
    if row is None or row.revoked_at is not None:
        raise Unauthorized("the API token is not valid")
    scopes = effective_scopes(row.scopes, row.user_id, row.user_role)
    if row.user_id is not None:
        if not token_usable(False, row.user_id, row.user_role, row.user_active):
            raise Unauthorized("the API token's user is no longer active")
        label = f"{row.user_name} <{row.user_email}>"
        return Actor(
            row.municipality_id, row.municipality_code, label, row.user_id, row.user_role, scopes, row.token_id
        )
    return Actor(
        row.municipality_id, row.municipality_code, f"token:{row.token_name}", None, None, scopes, row.token_id
    )

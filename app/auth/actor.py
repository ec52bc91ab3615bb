"""The actor of a request: who acts, for which municipality, with which rights."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.auth.models import Role
from app.errors import Forbidden

ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.official.value: frozenset({"read", "write"}),
    Role.reviewer.value: frozenset({"read", "write", "review"}),
    Role.admin.value: frozenset({"read", "write", "admin"}),
    Role.council.value: frozenset({"read"}),
}


@dataclass(frozen=True)
class Actor:
    municipality_id: uuid.UUID
    municipality_code: str
    label: str
    """Shown in the audit trail and the review history, e.g. 'Anna Official <anna@…>' or 'token:diarium'."""
    user_id: uuid.UUID | None = None
    role: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: uuid.UUID | None = None

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"this action needs the '{scope}' right")

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.reviewer.value


def system_actor(municipality_id: uuid.UUID, code: str, label: str = "system") -> Actor:
    """For the CLI and seeding: full rights within one municipality."""
    return Actor(municipality_id, code, label, scopes=frozenset({"read", "write", "admin", "review"}))

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import utcnow
from app.db.types import JSONType, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One change. ``hash`` = sha256(prev_hash + canonical event), chained per municipality by ``seq``."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("municipality_id", "seq"),
        # a resource's events (history, the four-eyes check by user: ``review.changed_by``); it replaced
        # the index on ``resource_id`` alone, of which it is a prefix (migration 0014)
        Index("ix_audit_event_resource_id_actor_user_id", "resource_id", "actor_user_id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id")
    seq: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    """Who acted, as shown: "Name <e-mail>" of a person, "token:…", "system" (``Actor.label``)."""
    actor_user_id: uuid.UUID | None = None
    """The person who acted (``Actor.user_id``), whatever their name and address are later; NULL for a
    system actor and for every event recorded before migration 0014. No foreign key: the trail outlives
    what it names, as the label does. Part of the event's hash when set (``service._canonical``)."""
    action: str = Field(max_length=60)
    resource_type: str = Field(max_length=40)
    resource_id: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

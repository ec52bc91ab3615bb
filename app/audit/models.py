from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import utcnow
from app.db.types import JSONType, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One change. ``hash`` = sha256(prev_hash + canonical event), chained per municipality by ``seq``."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("municipality_id", "seq"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id")
    seq: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    resource_type: str = Field(max_length=40)
    resource_id: str = Field(max_length=64, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

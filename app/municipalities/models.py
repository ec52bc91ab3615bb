from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


class Municipality(SQLModel, table=True):
    """A tenant. Every other row belongs to exactly one municipality."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=4, unique=True, description="kuntanumero (3 digits) or kommunkod (4 digits)")
    country: str = Field(max_length=2, description="FI or SE")
    name: str = Field(max_length=200)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    audit_seq: int = 0
    """Sequence number of the newest audit event: deleting the last event is detected too."""
    audit_head: str = Field(default="0" * 64, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

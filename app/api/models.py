from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


class IdempotencyRecord(SQLModel, table=True):
    """A POST with an ``Idempotency-Key``: reserved before it runs, its response kept for replay."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    token_id: uuid.UUID = Field(foreign_key="api_token.id", index=True)
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    response_headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

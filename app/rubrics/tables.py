"""The table of local rubric extensions created through the API.

Extensions shipped as files (``rubrics/extensions/``) are loaded into the registry at start-up; those an
administrator posts live here, one immutable row per extension version. Assessments pin id + version +
content hash, so a row is never changed or deleted once an assessment may use it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


class RubricExtensionRow(SQLModel, table=True):
    __tablename__ = "rubric_extension"
    __table_args__ = (UniqueConstraint("municipality_id", "extension_id", "version"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    extension_id: str = Field(max_length=80)
    version: str = Field(max_length=20)
    base: str = Field(max_length=80)
    base_version: str = Field(max_length=20)
    content: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    """The extension as validated JSON (the same shape as an extension file)."""
    content_hash: str = Field(max_length=64)
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

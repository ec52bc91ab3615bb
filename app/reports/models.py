from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.db.base import utcnow
from app.db.types import UTCDateTime


class ReportCache(SQLModel, table=True):
    """Rendered PDFs keyed by a content hash of everything that determines their bytes
    (assessment version, rubric version, template version, language, variant)."""

    __tablename__ = "report_cache"

    key: str = Field(primary_key=True, max_length=64)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    assessment_id: uuid.UUID | None = Field(default=None, foreign_key="assessment.id", index=True)
    kind: str = Field(max_length=20)
    lang: str = Field(max_length=5)
    variant: str = Field(max_length=10)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

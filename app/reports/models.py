from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


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


class ReportBatch(SQLModel, table=True):
    """A batch of decision summaries rendered by a background job (``app/reports/batches.py``): its
    state (queued → running → done | failed), progress, and when done the ZIP of its PDFs (bounded by
    ``batches.MAX_ZIP_BYTES``; removed ``batches.RETENTION`` after it was created)."""

    __tablename__ = "report_batch"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    status: str = Field(default="queued", max_length=10)
    lang: str = Field(max_length=5)
    variant: str = Field(max_length=10)
    assessment_ids: list[Any] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    total: int
    done: int = 0
    error: str | None = Field(default=None, max_length=500)
    size: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

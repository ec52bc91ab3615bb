"""Tables of the assessment domain.

An assessment belongs to a decision and pins the rubric version it was made with. It always has a
proposal and a zero alternative; each alternative is rated on the same rubric. A rating row is one
effect of one criterion on one target for one alternative; a criterion may carry several effects
(``effect`` 1, 2, ...) for different groups, e.g. positive for villages and negative for the centre.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import new_id, utcnow
from app.db.types import JSONType, UTCDateTime


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    superseded = "superseded"


class AlternativeKind(StrEnum):
    proposal = "proposal"
    zero = "zero"
    option = "option"


class Decision(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("municipality_id", "case_number"),
        # list pages in their default order, read from the cursor on (no sort of the whole municipality)
        Index("ix_decision_municipality_id_created_at_id", "municipality_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    case_number: str = Field(max_length=64)
    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    deciding_body: str = Field(max_length=200)
    planned_date: date | None = None
    source: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assessment(SQLModel, table=True):
    __table_args__ = (
        # list pages by last change or creation, read from the cursor on (see list_repository.py)
        Index("ix_assessment_municipality_id_updated_at_id", "municipality_id", "updated_at", "id"),
        Index("ix_assessment_municipality_id_created_at_id", "municipality_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    decision_id: uuid.UUID = Field(foreign_key="decision.id", index=True)
    rubric_id: str = Field(max_length=80)
    rubric_version: str = Field(max_length=20)
    rubric_hash: str = Field(max_length=64)
    extensions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    """The local rubric extensions pinned with the rubric: [{id, version, content_hash}], or null."""
    status: str = Field(default=Status.draft.value, max_length=20, index=True)
    version_no: int = 1
    previous_id: uuid.UUID | None = Field(default=None, foreign_key="assessment.id")
    author_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    reviewer_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    author_name: str = Field(default="", max_length=200)
    reviewer_name: str = Field(default="", max_length=200)
    screening_statement: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_language: str | None = Field(default=None, max_length=2)
    """The language the assessment's texts are written in (``sv``, ``fi``, ``en``), or null: not stated.
    Pages, PDFs and Word copies mark the texts with it (revision 0016)."""
    sources: list[str] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    """Citations the assessment rests on (registers, statistics, consultations), in the author's words."""
    weights: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    decision_snapshot: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    """The decision's details as approved, stored at the approval (``review.approve``): case_number,
    title, summary, deciding_body, planned_date (ISO date or null) and the decision's version. The
    reports show them for an approved or superseded assessment; null before the approval."""
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_date: date | None = None
    significant_negative: bool = Field(default=False, index=True)
    """Maintained on every rating change: the proposal has an effect with significance ≥ 1.5 below zero."""
    lock_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScreeningAnswer(SQLModel, table=True):
    __tablename__ = "screening_answer"

    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", primary_key=True)
    perspective_id: str = Field(max_length=80, primary_key=True)
    relevant: bool
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))


class Alternative(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    key: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = 0


class Rating(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("alternative_id", "criterion_id", "target", "effect"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    alternative_id: uuid.UUID = Field(foreign_key="alternative.id")
    perspective_id: str = Field(max_length=80)
    criterion_id: str = Field(max_length=120)
    target: str = Field(max_length=20)
    effect: int = 1
    score: int | None = Field(default=None, description="-3..+3; NULL means unknown (a knowledge gap)")
    likelihood: str | None = Field(default=None, max_length=20)
    horizon: str | None = Field(default=None, max_length=20)
    certainty: str | None = Field(default=None, max_length=20)
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False))
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    mitigation: str = Field(default="", sa_column=Column(Text, nullable=False))
    affected_groups: str = Field(default="", sa_column=Column(Text, nullable=False))
    affected_area: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewEntry(SQLModel, table=True):
    """A step of the review conversation: submitted, returned (with comments), approved, comment."""

    __tablename__ = "review_entry"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    action: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    """What actually happened, recorded later against a significant rating of an approved assessment."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("rating_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    rating_id: uuid.UUID = Field(foreign_key="rating.id")
    outcome: str = Field(max_length=20, description="better, as_predicted, worse or unknown")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FormDraft(SQLModel, table=True):
    """Unfinished form input kept server-side (autosave): what an official typed but has not yet
    saved as valid ratings. ``base_version`` is the assessment version the form was loaded from, so a
    later save can tell that someone else changed the assessment meanwhile."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id", "form_key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessment.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="user.id")
    form_key: str = Field(max_length=120)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    base_version: int
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

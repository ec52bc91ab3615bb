"""Summary tables of approved assessments, kept current by the domain services.

A leadership or national view over thousands of decisions must not read millions of ratings per
request, so each approval adds its proposal's rated effects to one row per (municipality, quarter,
perspective, target), and superseding an approved version takes them away again. The quarter is the
decision's date as approved (its planned date when the version was approved, kept in the version's
``decision_snapshot``; else the day the version was created, on the municipality's clock), as in the
portfolio report: a later change of the decision for a new draft does not move it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PortfolioCell(SQLModel, table=True):
    """The proposal's rated effects of the approved assessments of one municipality in one quarter."""

    __tablename__ = "portfolio_cell"
    __table_args__ = (Index("ix_portfolio_cell_year_quarter", "year", "quarter"),)

    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", primary_key=True)
    year: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True, description="1..4")
    perspective_id: str = Field(max_length=80, primary_key=True)
    target: str = Field(max_length=20, primary_key=True)
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unknown: int = 0
    score_sum: int = 0
    """Sum of the known scores (-3..+3): with negative + neutral + positive it gives the mean."""
    significant_negative: int = 0
    """Negative effects with |score| × likelihood ≥ 1.5 (the method's significance threshold)."""


class PortfolioQuarter(SQLModel, table=True):
    """How many assessments of one municipality were approved (and are current) for one quarter."""

    __tablename__ = "portfolio_quarter"
    __table_args__ = (Index("ix_portfolio_quarter_year_quarter", "year", "quarter"),)

    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", primary_key=True)
    year: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    approved: int = 0
    significant_negative: int = 0
    """Approved assessments whose proposal has at least one significant negative effect."""


class PortfolioState(SQLModel, table=True):
    """One row: a token that changes, in the same transaction, with every change of the summary tables.

    The national portfolio is kept per this token (``app/db/loop_db.py``): one primary-key read per
    request instead of a digest of every municipality's audit chain. A random token rather than a
    counter, so a database restored from an older backup never meets a copy kept for a later state
    under the same token."""

    __tablename__ = "portfolio_state"

    id: int = Field(default=1, primary_key=True)
    epoch: str = Field(max_length=32)

"""Public shape of the portfolio aggregation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ImpactCellPublic(BaseModel):
    perspective_id: str
    target: str
    negative: int
    neutral: int
    positive: int
    unknown: int
    mean: float | None = Field(description="Mean of the known scores (-3..+3); null when none is known")
    significant_negative: int = Field(description="Negative effects with |score| × likelihood ≥ 1.5")


class QuarterPublic(BaseModel):
    quarter: int = Field(ge=1, le=4)
    approved: int = Field(description="Approved (current) assessments of decisions dated in the quarter")
    significant_negative: int = Field(description="Of those, how many have a significant negative effect")
    municipalities: int | None = Field(default=None, description="Country scope: municipalities contributing")
    suppressed: bool = Field(
        default=False, description="Country scope: too few municipalities contribute, so no cells are shown"
    )
    cells: list[ImpactCellPublic]


class PortfolioImpacts(BaseModel):
    scope: Literal["municipality", "country"]
    area: str = Field(description="The municipality's code, or the country (FI or SE)")
    year: int
    quarters: list[QuarterPublic]

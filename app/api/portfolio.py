"""The portfolio aggregation: impacts of approved assessments per quarter, perspective and target.

Read from summary tables kept current on approval (``app/portfolio``), so the answer costs the same for
a municipality with ten decisions a year as for one with ten thousand, and for a whole country.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.deps import ActorDep, SessionDep
from app.api.problems import responses
from app.db.base import utcnow
from app.municipalities.codes import lookup
from app.portfolio import service
from app.portfolio.schemas import PortfolioImpacts

router = APIRouter(prefix="/api/v1/portfolio", tags=["portfolio"])


@router.get("/impacts", summary="Impacts per quarter, perspective and target", responses=responses(401, 422))
def portfolio_impacts(
    session: SessionDep,
    actor: ActorDep,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Year of the decisions' dates; default: this year")
    ] = None,
    scope: Annotated[
        Literal["municipality", "country"],
        Query(description="Your municipality, or all municipalities of its country (aggregates only)"),
    ] = "municipality",
) -> PortfolioImpacts:
    """For each quarter of the year: how many assessments were approved (superseded versions are
    replaced by their successors) and, per perspective and target, the proposals' rated effects by
    direction with the mean score and the significant negative ones. The country scope shows a quarter
    only when at least three municipalities contribute to it."""
    year = year or utcnow().year
    if scope == "country":
        official = lookup(actor.municipality_code)
        country = official.country if official is not None else ("FI" if len(actor.municipality_code) == 3 else "SE")
        return service.country_impacts(session, country, year)
    return service.municipality_impacts(session, actor.municipality_id, actor.municipality_code, year)

"""The portfolio aggregation: impacts of approved assessments per quarter, perspective and target.

Read from summary tables kept current on approval (``app/portfolio``), so the answer costs the same for
a municipality with ten decisions a year as for one with ten thousand, and for a whole country.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api import fast_path
from app.api.deps import PortfolioCallerDep
from app.api.param_models import documented, parsed
from app.api.problems import responses
from app.auth.actor import Actor
from app.db.base import utcnow
from app.db.session import request_unit_of_work
from app.municipalities.codes import lookup
from app.portfolio import service
from app.portfolio.schemas import PortfolioImpacts
from app.routing import Router

router = Router(prefix="/api/v1/portfolio", tags=["portfolio"])


class PortfolioQuery(BaseModel):
    """The portfolio's query parameters, validated in one call (``app/api/param_models.py``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    year: Annotated[
        int | None, Field(ge=2000, le=2100, description="Year of the decisions' dates; default: this year")
    ] = None
    scope: Annotated[
        Literal["municipality", "country"],
        Field(description="Your municipality, or all municipalities of its country (aggregates only)"),
    ] = "municipality"


@router.get(
    "/impacts",
    summary="Impacts per quarter, perspective and target",
    responses=responses(401, 422),
    response_model=PortfolioImpacts,
    openapi_extra=documented(PortfolioQuery),
)
async def portfolio_impacts(
    caller: PortfolioCallerDep, params: Annotated[PortfolioQuery, Depends(parsed(PortfolioQuery))]
) -> Response:
    """For each quarter of the year: how many assessments were approved (superseded versions are
    replaced by their successors) and, per perspective and target, the proposals' rated effects by
    direction with the mean score and the significant negative ones. The country scope shows a quarter
    only when at least three municipalities contribute to it."""
    year = params.year or utcnow().year
    country = country_of(caller.actor.municipality_code) if params.scope == "country" else None
    key = fast_path.portfolio_key(caller, country, year)  # kept per change (PostgreSQL): see fast_path
    found = fast_path.kept(key)
    if found is not None:
        return found
    async with request_unit_of_work(write=False) as session:
        impacts = await run_in_threadpool(_impacts, session, caller.actor, country, year)
    return fast_path.keep(key, impacts.model_dump_json().encode())


def _impacts(session: Session, actor: Actor, country: str | None, year: int) -> PortfolioImpacts:
    if country is not None:
        return service.country_impacts(session, country, year)
    return service.municipality_impacts(session, actor.municipality_id, actor.municipality_code, year)


def country_of(code: str) -> str:
    official = lookup(code)
    return official.country if official is not None else ("FI" if len(code) == 3 else "SE")

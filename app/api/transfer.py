"""Export of a municipality's data (JSON, lossless) and ratings as CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response, StreamingResponse

from app.api.deps import ActorDep, AdminOnly, AssessmentDep, SessionDep
from app.api.problems import responses
from app.routing import Router
from app.transfer.csv_export import ratings_csv
from app.transfer.export import dumps, export_municipality

router = Router(prefix="/api/v1", tags=["export"])
CSV = "text/csv; charset=utf-8"
Separator = Annotated[
    Literal["comma", "semicolon"],
    Query(
        description="`semicolon` for Excel set to Swedish or Finnish (decimal comma), which splits a file it opens "
        "by semicolons; otherwise the same file"
    ),
]


@router.get(
    "/export",
    summary="Export the municipality's data",
    responses={**responses(401, 403), 200: {"content": {"application/json": {}}, "description": "The export"}},
    response_class=Response,
    dependencies=[AdminOnly],
)
def export(session: SessionDep, actor: ActorDep) -> Response:
    """Admin scope. Every decision, assessment, rating, review entry, follow-up, user (without secrets) and
    audit event, with ids and timestamps (format `livskraft.export/1`). `livskraft import FILE` loads it
    into an empty database; exporting again gives identical bytes."""
    actor.require("admin")
    body = dumps(export_municipality(session, actor.municipality_id))
    filename = f"livskraft-{actor.municipality_code}.json"
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get(
    "/ratings.csv",
    summary="All ratings as CSV",
    responses={**responses(401, 422), 200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"}},
    response_class=StreamingResponse,
)
def all_ratings_csv(session: SessionDep, actor: ActorDep, separator: Separator = "comma") -> StreamingResponse:
    """Every rating of every assessment of the municipality, one row per effect, for spreadsheets."""
    rows = list(ratings_csv(session, actor.municipality_id, separator=separator))
    return StreamingResponse(
        iter(rows), media_type=CSV, headers={"Content-Disposition": 'attachment; filename="ratings.csv"'}
    )


@router.get(
    "/assessments/{assessment_id}/ratings.csv",
    summary="An assessment's ratings as CSV",
    responses={**responses(401, 404, 422), 200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"}},
    response_class=StreamingResponse,
)
def assessment_ratings_csv(
    assessment: AssessmentDep, session: SessionDep, actor: ActorDep, separator: Separator = "comma"
) -> StreamingResponse:
    """One assessment's ratings, one row per effect, UTF-8 with BOM so Excel reads å, ä and ö."""
    rows = list(ratings_csv(session, actor.municipality_id, assessment.id, separator))
    name = f"ratings-{assessment.id}.csv"
    return StreamingResponse(
        iter(rows), media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )

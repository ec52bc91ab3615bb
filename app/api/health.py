"""Liveness and readiness: ``/healthz`` answers 200 only when the database answers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.problems import DB_UNREACHABLE, HTTP_TITLES, RETRY_AFTER, problem_response, responses
from app.db.engine import get_engine
from app.routing import Router

router = Router(tags=["health"])
UNREACHABLE = "the database is not reachable"


@router.get("/healthz", summary="Health check", response_model=None, responses=responses(503))
def healthz(request: Request) -> dict[str, Any] | JSONResponse:
    """`200 {"status": "ok"}` when the database answers, else `503` problem+json (the same members as
    every other problem, `instance` included, and `"database": "unreachable"`) with `Retry-After`."""
    try:
        with get_engine(write=False).connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        status, slug, _ = DB_UNREACHABLE
        return problem_response(
            status,
            UNREACHABLE,
            slug=slug,
            title=HTTP_TITLES[status],
            instance=request.url.path,
            extra={"database": "unreachable"},
            headers={"Retry-After": RETRY_AFTER},
        )
    return {"status": "ok", "database": "ok"}

"""Liveness and readiness: ``/healthz`` answers 200 only when the database answers."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import get_engine
from app.routing import Router

router = Router(tags=["health"])


@router.get("/healthz", summary="Health check", response_model=None)
def healthz() -> dict[str, Any] | JSONResponse:
    """`200 {"status": "ok"}` when the database answers, else `503` problem+json."""
    try:
        with get_engine(write=False).connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(
            {
                "type": "https://livskraft.example/problems/service-unavailable",
                "title": "Service temporarily unavailable",
                "status": 503,
                "detail": "the database is not reachable",
                "database": "unreachable",
            },
            status_code=503,
            media_type="application/problem+json",
        )
    return {"status": "ok", "database": "ok"}

"""The framework's ceiling on this machine, as uvicorn apps started by bench/run.py with the app's settings.

* ``create_app``: FastAPI returning a constant JSON document from a plain ``def`` route like the app's
  (FastAPI runs it in the thread pool); no database, no middleware.
* ``create_db_app``: the same route after one ``SELECT 1`` in the app's own unit of work, behind the
  app's database gate (engine, pool, transaction and admission as every API request has them): the
  ceiling for any endpoint that touches the database.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

DOCUMENT = {"status": "ok", "service": "livskraft-bare", "items": [{"id": i, "name": f"item {i}"} for i in range(5)]}


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        return DOCUMENT

    return app


def create_db_app() -> FastAPI:
    from app.db import gate
    from app.db.session import unit_of_work
    from app.settings import get_settings

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    gate.install(app, get_settings())

    @app.get("/bare-db")
    def bare_db() -> dict[str, Any]:
        with unit_of_work(write=False) as session:
            session.execute(text("SELECT 1")).scalar_one()
        return DOCUMENT

    return app

"""The ASGI application: ``uvicorn app.main:create_app --factory``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from fastapi import APIRouter, FastAPI

from app.api import assessments, decisions, docs, health, municipalities, problems, rubrics, transfer
from app.api import opendecisions as opendecisions_api
from app.api import portfolio as portfolio_api
from app.api import report_batches as report_batches_api
from app.api import reports as reports_api
from app.api import rubric_extensions as rubric_extensions_api
from app.api import rubric_upgrade as rubric_upgrade_api
from app.api import webhooks as webhooks_api
from app.api.middleware import ApiRequestLimits, HttpProtocol, Idempotency, TokenUse
from app.db import gate
from app.db.loop_db import LoopDatabase
from app.rubrics.registry import RubricRegistry, load_registry
from app.settings import get_settings
from app.webhooks import delivery as webhook_delivery

API_DESCRIPTION = """
Livskraft assesses, before a municipal decision is taken, its impacts on the municipality's vitality
(sv *livskraft*, fi *elinvoima*) for the municipal organisation, firms and residents across the nine
perspectives of Kommunförbundet / Kuntaliitto, compared with the zero alternative.

Authenticate with an API token of your municipality: `Authorization: Bearer lk_…`. Every change needs
`If-Match` with the ETag you read. Errors are `application/problem+json` (RFC 9457).
"""


@cache  # once per process
def freeze_startup_objects() -> None:
    """Move what start-up built (modules, the app, the rubrics, the pools: some 250,000 objects) out of
    the garbage collector's reach, once per process. A full collection otherwise walks all of them:
    about 100 ms in which a worker answers nothing, every few seconds under load (the tail of p99).
    What is built later is collected as before. Once per process, so the test suite, which starts an
    app per test, keeps only the first one's."""
    gc.collect()
    gc.freeze()


def create_app(registry: RubricRegistry | None = None) -> FastAPI:
    settings = get_settings()
    rubric_registry = registry or load_registry(settings.rubrics_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        fast = None
        if (settings.fast_reads or settings.fast_writes) and not settings.is_sqlite:
            fast = LoopDatabase(settings.effective_database_url, settings.fast_reads, settings.fast_writes)
        if fast is not None:
            await fast.open()
        app.state.loop_db = fast
        freeze_startup_objects()
        try:
            async with webhook_delivery.background(settings):  # due webhook deliveries, stopped on shutdown
                yield
        finally:
            app.state.loop_db = None
            if fast is not None:
                await fast.close()

    app = FastAPI(
        title="Livskraft API",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # app/api/docs.py serves Swagger UI from this origin, not from a CDN
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,  # operationId = the route function's name
        redirect_slashes=False,  # Starlette's is built from the Host header: app/api/middleware.py HttpProtocol
    )
    app.state.rubrics = rubric_registry
    app.state.loop_db = None  # opened by the lifespan (a server process), see app/db/loop_db.py
    app.state.settings = settings
    problems.install(app)
    # Outermost last: size and media-type limits run before idempotency reads the body.
    gate.install(app, settings)  # requests wait for the database in the event loop, not in threads
    app.add_middleware(Idempotency)
    app.add_middleware(TokenUse)  # after the answer: when each API token was last used
    app.add_middleware(ApiRequestLimits, max_body=settings.max_body_bytes)
    app.add_middleware(HttpProtocol)  # HEAD, OPTIONS, and the headers every API answer carries
    from app import web

    for router in routers():
        app.include_router(router)
    docs.install(app)
    web.install(app, settings)
    return app


def routers() -> tuple[APIRouter, ...]:
    """Every router, in the order requests are matched. FastAPI tries the routes of each router in turn
    (about 1 µs each) before the one that answers, so the busiest come first: the assessment API (reads,
    lists, rating writes), the web rating form, the portfolio and the PDFs. No two routers answer the
    same path (``tests/test_routing.py``): the order decides only how soon a route is found."""
    from app import web
    from app.web import routes_assessments

    busiest = (assessments.router, routes_assessments.router, portfolio_api.router, reports_api.router)
    api = (
        health.router,
        rubrics.router,
        opendecisions_api.router,
        decisions.router,
        rubric_upgrade_api.router,
        rubric_extensions_api.router,
        webhooks_api.router,
        report_batches_api.router,
        municipalities.router,
        transfer.router,
        docs.router,
    )
    rest = tuple(r for r in web.ROUTERS if all(r is not b for b in busiest))
    return (*busiest, *api, *rest)

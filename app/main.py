"""The ASGI application: ``uvicorn app.main:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import assessments, decisions, health, municipalities, problems, rubrics, transfer
from app.api import opendecisions as opendecisions_api
from app.api import portfolio as portfolio_api
from app.api import reports as reports_api
from app.api import rubric_extensions as rubric_extensions_api
from app.api import rubric_upgrade as rubric_upgrade_api
from app.api import webhooks as webhooks_api
from app.api.middleware import ApiRequestLimits, Idempotency
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
        docs_url="/docs",
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,  # operationId = the route function's name
    )
    app.state.rubrics = rubric_registry
    app.state.loop_db = None  # opened by the lifespan (a server process), see app/db/loop_db.py
    app.state.settings = settings
    problems.install(app)
    # Outermost last: size and media-type limits run before idempotency reads the body.
    gate.install(app, settings)  # requests wait for the database in the event loop, not in threads
    app.add_middleware(Idempotency)
    app.add_middleware(ApiRequestLimits, max_body=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(rubrics.router)
    app.include_router(opendecisions_api.router)
    app.include_router(decisions.router)
    app.include_router(assessments.router)
    app.include_router(rubric_upgrade_api.router)
    app.include_router(rubric_extensions_api.router)
    app.include_router(webhooks_api.router)
    app.include_router(municipalities.router)
    app.include_router(transfer.router)
    app.include_router(reports_api.router)
    app.include_router(portfolio_api.router)
    from app import web

    web.install(app, settings)
    return app

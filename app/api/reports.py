"""PDF reports: the decision summary of an assessment and the portfolio of the caller's municipality.

Rendering runs in the thread pool (plain ``def`` routes, or ``run_in_threadpool``), never on the event
loop. A decision summary already sent is kept per change of its municipality (PostgreSQL,
``fast_path.pdf_key``) and sent again after one statement.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.api import fast_path
from app.api.deps import ActorDep, AssessmentCallerDep, Caller, RegistryDep, SessionDep, rubrics
from app.api.param_models import documented, in_order, parsed
from app.api.problems import responses
from app.assessments import service as assessments
from app.db.session import request_unit_of_work
from app.errors import FieldProblem, ValidationFailed
from app.reports import service, word
from app.routing import Router
from app.rubrics.registry import RubricRegistry
from app.text import CLEAN_TEXT

router = Router(tags=["reports"])

Lang = Literal["sv", "fi", "en"]
PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
LANG_DESCRIPTION = "Language of the report; default: Accept-Language, else Swedish"
LANG_QUERY = Query(description=LANG_DESCRIPTION)


class ReportQuery(BaseModel):
    """The decision summary's query parameters, validated in one call (``app/api/param_models.py``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    lang: Annotated[Lang | None, Field(description=LANG_DESCRIPTION)] = None
    variant: Annotated[
        Literal["ua", "a3"],
        Field(description="`ua`: accessible PDF/UA-1 (default); `a3`: archival PDF/A-3 with the assessment as JSON"),
    ] = "ua"


def _lang(request: Request, lang: str | None) -> str:
    return lang or i18n.from_accept_language(request.headers.get("accept-language")) or i18n.DEFAULT_LANGUAGE


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-cache",
            "Vary": "Accept-Language, Authorization",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/api/v1/assessments/{assessment_id}/report",
    summary="The decision summary as PDF",
    response_class=Response,
    responses={**PDF, **responses(401, 403, 404, 409, 422, 503)},
    openapi_extra=documented(ReportQuery),
)
async def assessment_report(
    assessment_id: uuid.UUID,
    caller: AssessmentCallerDep,
    request: Request,
    params: Annotated[ReportQuery, Depends(parsed(ReportQuery))],
) -> Response:
    """Two pages for the council — the decision, the alternatives compared, the profile per target, the
    perspective × target matrix, the most significant impacts, certainty and knowledge gaps, what was
    screened out, and the review — followed by an appendix with every rating and the method.
    Unchanged assessments are served from a cache."""
    chosen, variant = _lang(request, params.lang), params.variant
    key = fast_path.pdf_key(caller, assessment_id, chosen, variant)  # kept per change (PostgreSQL)
    pdf = fast_path.kept_bytes(key)
    if pdf is None:
        registry = rubrics(request)
        async with request_unit_of_work(write=False) as session:
            pdf = await run_in_threadpool(_assessment_pdf, session, registry, caller, assessment_id, chosen, variant)
        fast_path.keep_bytes(key, pdf)
    return _pdf(pdf, f"livskraft-{assessment_id}-{chosen}-{variant}.pdf")


def _assessment_pdf(
    session: Session, registry: RubricRegistry, caller: Caller, assessment_id: uuid.UUID, lang: str, variant: str
) -> bytes:
    assessment = assessments.get_assessment(session, caller.actor, assessment_id)
    return service.assessment_pdf(session, registry, assessment, lang, variant)


class WordQuery(BaseModel):
    """The comment copy's query parameters."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    lang: Annotated[Lang | None, Field(description=LANG_DESCRIPTION)] = None


@router.get(
    "/api/v1/assessments/{assessment_id}/report.docx",
    summary="The decision summary as a Word document to comment on",
    response_class=Response,
    responses={
        200: {
            "description": "The Word document (Office Open XML)",
            "content": {word.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(401, 403, 404, 409, 422, 503),
    },
    openapi_extra=documented(WordQuery),
)
async def assessment_word(
    assessment_id: uuid.UUID,
    caller: AssessmentCallerDep,
    request: Request,
    params: Annotated[WordQuery, Depends(parsed(WordQuery))],
) -> Response:
    """What the PDF holds — the decision summary and the appendix with every rating — with every text in
    full, as a .docx document that colleagues can comment on and suggest changes to in their word
    processor before the assessment is submitted. A copy: changes in it do not reach Livskraft."""
    chosen = _lang(request, params.lang)
    registry = rubrics(request)
    async with request_unit_of_work(write=False) as session:
        content, name = await run_in_threadpool(_assessment_word, session, registry, caller, assessment_id, chosen)
    return Response(
        content,
        media_type=word.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-cache",
            "Vary": "Accept-Language, Authorization",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _assessment_word(
    session: Session, registry: RubricRegistry, caller: Caller, assessment_id: uuid.UUID, lang: str
) -> tuple[bytes, str]:
    assessment = assessments.get_assessment(session, caller.actor, assessment_id)
    return word.assessment_docx(session, registry, assessment, lang), f"livskraft-{assessment_id}-{lang}.docx"


@router.get(
    "/api/v1/reports/portfolio",
    summary="The portfolio report of your municipality as PDF",
    response_class=Response,
    responses={**PDF, **responses(401, 403, 422, 503)},
)
def portfolio_report(
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
    request: Request,
    date_from: Annotated[date, Query(alias="from", description="First decision date included")],
    date_to: Annotated[date, Query(alias="to", description="Last decision date included")],
    body: Annotated[
        str | None, Query(max_length=200, pattern=CLEAN_TEXT, description="Only decisions of this deciding body")
    ] = None,
    lang: Annotated[Lang | None, LANG_QUERY] = None,
) -> Response:
    """Counts by status, the distribution of impacts per perspective and target, decisions with
    significant negative impacts, the cumulative effect on each target and trends by quarter (by year for
    a period of more than 16 quarters), each chart followed by its data table. Periods with more decisions
    than the server allows are refused, naming `query.from` and `query.to`."""
    in_order(date_from, date_to)
    chosen = _lang(request, lang)
    try:
        pdf = service.portfolio_pdf(session, registry, actor.municipality_id, date_from, date_to, body or None, chosen)
    except ValidationFailed as exc:  # the period's fields, named as the API names its query parameters
        located = [FieldProblem(f"query.{p.field}", p.message, p.code) for p in exc.errors]
        raise ValidationFailed(exc.detail, errors=located, **exc.extra) from exc
    return _pdf(pdf, f"livskraft-portfolio-{actor.municipality_code}-{date_from}-{date_to}-{chosen}.pdf")

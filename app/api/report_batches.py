"""Report batches: many decision summaries rendered by a background job, fetched as one ZIP.

``POST`` stores the batch and queues its job (202 with ``Location``); the client polls ``GET …/{id}``
until ``done`` and downloads ``…/pdfs.zip``; ``GET`` of the collection lists the municipality's batches,
newest first. PostgreSQL only (the queue is procrastinate): on SQLite the ``POST`` answers 501 and stores
nothing, while the reads answer as they do anywhere (the list is empty, a batch 404).
See ``app/reports/batches.py`` and ``docs/reports.md``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app import i18n
from app.api.deps import ActorDep, SessionDep, rubrics
from app.api.pagination import MAX_LIMIT, Page, as_datetime, as_uuid, cursor_tag, decode_cursor, encode_cursor
from app.api.problems import responses
from app.auth.actor import Actor
from app.db.session import unit_of_work
from app.errors import ServiceUnavailable
from app.reports import batches
from app.reports.models import ReportBatch
from app.routing import Router
from app.rubrics.registry import RubricRegistry

log = logging.getLogger("livskraft.reports.batches")
router = Router(prefix="/api/v1/report-batches", tags=["reports"])
ZIP: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A ZIP with one decision summary PDF per assessment, named by case number",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}
POLL_SECONDS = "2"
EXPIRED_ANSWER = {
    "description": "Gone: the batch is past its 7-day retention (type `report-batch-expired`); once the hourly "
    "purge has deleted it, 404"
}
BATCH_LINKS = {
    op: {"operationId": op, "parameters": {"batch_id": "$response.body#/id"}}
    for op in ("get_report_batch", "report_batch_zip")
}


class ReportBatchCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "assessment_ids": ["0b9d8f52-6a43-4f0e-9a0e-3d1f6c2b7a11", "5f1c2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f"],
                    "lang": "sv",
                    "variant": "ua",
                }
            ]
        },
    )

    assessment_ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=batches.MAX_ASSESSMENTS,
        description=f"1 to {batches.MAX_ASSESSMENTS} assessments of your municipality, each once, in ZIP order",
    )
    lang: Literal["sv", "fi", "en"] | None = Field(
        default=None, description="Language of the reports; default: Accept-Language, else Swedish"
    )
    variant: Literal["ua", "a3"] = Field(
        default="ua",
        description="`ua`: accessible PDF/UA-1 (default); `a3`: archival PDF/A-3 with the assessment as JSON",
    )


class ReportBatchPublic(BaseModel):
    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    total: int = Field(description="Number of PDFs in the batch")
    done: int = Field(description="PDFs rendered so far")
    lang: str
    variant: str
    created_at: datetime
    finished_at: datetime | None = None
    error: str | None = Field(default=None, description="Why the batch failed")
    size: int | None = Field(default=None, description="Bytes of the ZIP, when done")
    download: str | None = Field(default=None, description="The ZIP's URL, when done")


def batch_public(batch: ReportBatch) -> ReportBatchPublic:
    state, error = batches.state(batch)
    done = state == "done"
    return ReportBatchPublic(
        id=batch.id,
        status=state,
        total=batch.total,
        done=batch.done,
        lang=batch.lang,
        variant=batch.variant,
        created_at=batch.created_at,
        finished_at=batch.finished_at,
        error=error,
        size=batch.size if done else None,
        download=f"/api/v1/report-batches/{batch.id}/pdfs.zip" if done else None,
    )


async def require_batches(actor: ActorDep) -> None:
    """After the caller is known (401/403 first) and before the body is read: 501 on SQLite."""
    batches.check_supported()


def _create(registry: RubricRegistry, actor: Actor, data: ReportBatchCreate, lang: str) -> ReportBatch:
    with unit_of_work() as session:  # committed before the job exists: a worker always finds its batch
        batch = batches.create_batch(session, registry, actor, data.assessment_ids, lang, data.variant)
    try:
        from app.reports import jobs

        job_id = jobs.defer_batch(batch.id)
    except Exception as exc:
        log.warning("report batch %s: the job could not be queued: %s", batch.id, exc)
        batches.forget(batch.id)
        raise ServiceUnavailable("the job queue cannot be reached; nothing was stored; try again shortly") from exc
    log.info("report batch %s queued as job %d (%d PDFs)", batch.id, job_id, batch.total)
    return batch


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Render many decision summaries in the background",
    responses={
        **responses(401, 403, 404, 409, 413, 415, 422, 501, 503),  # 409: its Idempotency-Key is in use
        202: {"description": "Accepted: poll the batch at Location", "links": BATCH_LINKS},
    },
    dependencies=[Depends(require_batches)],
)
async def create_report_batch(
    data: ReportBatchCreate, actor: ActorDep, request: Request, response: Response
) -> ReportBatchPublic:
    """Queue the decision summaries of up to 100 assessments of your municipality — e.g. the council
    agenda's — as one job. Each PDF is the one `GET /api/v1/assessments/{id}/report` sends (same
    language and variant options, same cache). Answers 202 with `Location`; poll it until `status` is
    `done` (or `failed`, with `error`), then download `pdfs.zip`. An id that is not an assessment of your
    municipality is 404, one listed twice or whose rubric is not installed 422, each naming its index
    (`assessment_ids.N`). Needs a PostgreSQL server: on SQLite 501, and nothing is stored."""
    lang = data.lang or i18n.from_accept_language(request.headers.get("accept-language")) or i18n.DEFAULT_LANGUAGE
    batch = await run_in_threadpool(_create, rubrics(request), actor, data, lang)
    response.headers["Location"] = f"/api/v1/report-batches/{batch.id}"
    response.headers["Retry-After"] = POLL_SECONDS
    return batch_public(batch)


LIST_CURSOR = cursor_tag("report-batches", "created_at", "desc")


@router.get("", summary="List report batches, newest first", responses=responses(401, 403, 422))
def list_report_batches(
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page")] = None,
) -> Page[ReportBatchPublic]:
    """Your municipality's report batches, newest first, a page at a time (`next_cursor`), each as
    `GET /api/v1/report-batches/{id}` shows it (a batch `running` without progress for 15 minutes is
    `failed`). Lists exactly the batches that route answers for: never another municipality's, and none
    seven days after creation (expired, whether or not the hourly purge has deleted it yet). On a server
    without the job queue (SQLite) there are none: an empty list."""
    raw = decode_cursor(cursor, LIST_CURSOR, as_datetime, as_uuid)
    after = (raw[0], raw[1]) if raw is not None else None
    rows, (total, exact) = batches.page_batches(session, actor, after, limit + 1)
    items = [batch_public(b) for b in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(LIST_CURSOR, [last.created_at, str(last.id)]) if last is not None else None
    response.headers["Cache-Control"] = "private, no-cache"
    return Page[ReportBatchPublic](items=items, next_cursor=next_cursor, total=total, total_exact=exact)


@router.get(
    "/{batch_id}",
    summary="A report batch: status, progress and, when done, its download link",
    responses={**responses(401, 403, 404, 422), 410: {**responses(410)[410], **EXPIRED_ANSWER}},
)
def get_report_batch(
    batch_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response
) -> ReportBatchPublic:
    """`queued` (waiting for a worker), `running` (`done` of `total` rendered), `done` (with `download`)
    or `failed` (with `error`). Batches of another municipality are 404; a batch older than seven days is
    410 (type `report-batch-expired`) until it is deleted (hourly), then 404. While the batch is queued or
    running, `Retry-After` suggests when to ask again."""
    public = batch_public(batches.get_batch(session, actor, batch_id))
    response.headers["Cache-Control"] = "private, no-cache"
    if public.status in ("queued", "running"):
        response.headers["Retry-After"] = POLL_SECONDS
    return public


@router.get(
    "/{batch_id}/pdfs.zip",
    summary="The PDFs of a finished report batch as one ZIP",
    response_class=Response,
    responses={**ZIP, **responses(401, 403, 404, 409, 422), 410: {**responses(410)[410], **EXPIRED_ANSWER}},
)
def report_batch_zip(batch_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> Response:
    """One PDF per assessment in the order asked for, named by its decision's case number in safe
    characters (`KS 2026/118` → `KS-2026-118.pdf`; a repeated name gets `-2`). 409 until the batch is
    done; 410 once it is past its seven days, as the batch itself."""
    batch, content = batches.zip_of(session, actor, batch_id)
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="livskraft-batch-{batch.id}.zip"',
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )

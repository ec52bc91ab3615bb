"""Report batches: many decision summaries of one municipality rendered by a background job into one ZIP.

The API stores a batch (``report_batch``, status ``queued``) and defers a job (``app/reports/jobs.py``);
a worker (``livskraft worker``) renders each summary through :func:`service.assessment_pdf` — the code
path and cache of the single PDF — committing the progress after each one, and stores the ZIP in the
batch (``done``) or the reason it stopped (``failed``). Only on PostgreSQL: the queue is procrastinate.

Limits: at most ``MAX_ASSESSMENTS`` summaries per batch; the ZIP at most ``MAX_ZIP_BYTES`` (a batch
whose PDFs exceed it fails, naming the limit); a batch is deleted ``RETENTION`` after it was created
(when the next batch is created, and hourly by the workers), and from that moment on it is expired to
the reads whether or not it has been deleted yet (``expired``: 410 for the one batch and its ZIP, absent
from the list); a batch ``running`` without progress for ``STALE_AFTER`` (its worker died and no other
worker ran it again: ``jobs.retry_stalled_jobs``) is reported as failed.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, delete, literal, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from app.assessments import repository as assessment_repo
from app.assessments import service as assessments
from app.assessments.list_repository import bounded_count
from app.assessments.models import Assessment, Decision
from app.assessments.views import decision_as_shown
from app.auth.actor import Actor
from app.db.base import utcnow
from app.db.session import unit_of_work
from app.errors import DomainError, FieldProblem, InvalidState, NotFound, ValidationFailed
from app.reports import service
from app.reports.models import ReportBatch
from app.rubrics.registry import RubricRegistry
from app.settings import get_settings

log = logging.getLogger("livskraft.reports.batches")

MAX_ASSESSMENTS = 100
MAX_ZIP_BYTES = 200_000_000
"""The ZIP of one batch at most (a decision summary is typically 100–300 kB: 100 of them are some 30 MB)."""
RETENTION = timedelta(days=7)
STALE_AFTER = timedelta(minutes=15)
"""A running batch with no progress for this long has lost its worker (one render is killed after 120 s)."""
STATUSES = ("queued", "running", "done", "failed")
NEED_POSTGRESQL = "report batches need PostgreSQL; render single PDFs with GET /api/v1/assessments/{id}/report"


class BatchesNeedPostgreSQL(DomainError):
    """Report batches run on procrastinate's PostgreSQL job queue; this server runs on SQLite."""

    status = 501
    type_slug = "report-batches-need-postgresql"
    title = "Not implemented on this server"


class BatchExpired(DomainError):
    """The batch is older than ``RETENTION``: its ZIP is no longer kept (the purge may not have run yet)."""

    status = 410
    type_slug = "report-batch-expired"
    title = "Report batch expired"


EXPIRED = "the report batch has expired: batches and their ZIPs are kept 7 days after creation; create it again"


class BatchFailed(Exception):
    """A batch cannot be finished; the message is stored in the batch for the client."""


def supported() -> bool:
    return not get_settings().is_sqlite


def check_supported() -> None:
    if not supported():
        raise BatchesNeedPostgreSQL(NEED_POSTGRESQL)


def check_assessments(
    session: Session, registry: RubricRegistry, actor: Actor, assessment_ids: Sequence[uuid.UUID]
) -> None:
    """Every id is an assessment of the caller's municipality (else 404 naming its index, as the single
    PDF answers 404) that the single PDF route can render: its rubric is installed (else 422 naming its
    index); each id once (else 422). Any status renders, as with the single PDF (a draft says so). The
    assessments are read in one query scoped by municipality; the checks then run id by id in the order
    given, and the first id that fails one is named."""
    found = assessments_of(session, actor.municipality_id, assessment_ids)
    seen: dict[uuid.UUID, int] = {}
    for index, assessment_id in enumerate(assessment_ids):
        field = f"assessment_ids.{index}"
        if assessment_id in seen:
            raise ValidationFailed(
                "an assessment is listed twice",
                errors=[FieldProblem(field, f"the same id as assessment_ids.{seen[assessment_id]}", "duplicate")],
            )
        seen[assessment_id] = index
        assessment = found.get(assessment_id)
        if assessment is None:
            raise NotFound(
                f"assessment_ids.{index}: assessment not found",
                errors=[FieldProblem(field, "no such assessment in your municipality", "not_found")],
            )
        try:
            assessments.rubric_of(registry, assessment)
        except InvalidState as exc:
            raise ValidationFailed(
                "an assessment cannot be rendered", errors=[FieldProblem(field, exc.detail, "not_renderable")]
            ) from exc


def assessments_of(
    session: Session, municipality_id: uuid.UUID, assessment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Assessment]:
    """The assessments among ``assessment_ids`` that belong to ``municipality_id``, by id, in one query
    (another municipality's are absent, as ``repository.get_assessment`` gives None for them)."""
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(Assessment).where(
            col(Assessment.municipality_id) == municipality_id, col(Assessment.id).in_(set(assessment_ids))
        )
    ).all()
    return {a.id: a for a in rows}


def expiry_bound(now: datetime | None = None) -> datetime:
    """Batches created before this are expired (and deleted by the next ``purge``)."""
    return (now or utcnow()) - RETENTION


def expired(batch: ReportBatch, now: datetime | None = None) -> bool:
    """Whether ``batch`` is past its retention: the reads answer for it as if ``purge`` had deleted it
    (which it does within the hour), never as a batch still ``done`` with its ZIP."""
    return batch.created_at < expiry_bound(now)


def purge(session: Session) -> int:
    """Delete the batches created more than ``RETENTION`` ago (their ZIPs with them); the number deleted.
    Run when a batch is created and every hour by the workers (``jobs.purge_report_batches``)."""
    result = session.execute(delete(ReportBatch).where(col(ReportBatch.created_at) < expiry_bound()))
    return int(getattr(result, "rowcount", 0) or 0)


def create_batch(
    session: Session,
    registry: RubricRegistry,
    actor: Actor,
    assessment_ids: Sequence[uuid.UUID],
    lang: str,
    variant: str,
) -> ReportBatch:
    """Check the request and store the batch as queued (the caller commits, then defers its job)."""
    actor.require("write")
    check_supported()
    service.check_lang(lang)
    service.check_variant(variant)
    if not 1 <= len(assessment_ids) <= MAX_ASSESSMENTS:
        raise ValidationFailed(
            "too many or too few assessments",
            errors=[FieldProblem("assessment_ids", f"list 1 to {MAX_ASSESSMENTS} assessments", "length")],
        )
    check_assessments(session, registry, actor, assessment_ids)
    purge(session)
    batch = ReportBatch(
        municipality_id=actor.municipality_id,
        lang=lang,
        variant=variant,
        assessment_ids=[str(a) for a in assessment_ids],
        total=len(assessment_ids),
        created_by=actor.label[:200],
    )
    session.add(batch)
    session.flush()
    return batch


def forget(batch_id: uuid.UUID) -> None:
    """Remove a batch whose job could not be deferred (the client is told to try again)."""
    with unit_of_work() as session:
        session.execute(delete(ReportBatch).where(col(ReportBatch.id) == batch_id))


def batch_not_found() -> NotFound:
    return NotFound("report batch not found")


def get_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> ReportBatch:
    """A batch of the caller's municipality: another municipality's, or one deleted, is 404; one past its
    retention but not deleted yet (the purge runs hourly) is 410 ``report-batch-expired``."""
    batch = session.get(ReportBatch, batch_id)
    if batch is None or batch.municipality_id != actor.municipality_id:
        raise batch_not_found()
    if expired(batch):
        raise BatchExpired(EXPIRED)
    return batch


def page_batches(
    session: Session, actor: Actor, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> tuple[Sequence[ReportBatch], tuple[int, bool]]:
    """Up to ``limit`` batches of the caller's municipality, newest first (``created_at``, then id, both
    descending), after the (``created_at``, id) of the last one seen, and (count, exact) of them all
    (``list_repository.bounded_count``). The same batches ``get_batch`` answers for (none expired, even
    before the purge deletes it), read without their ZIPs (``content`` is not loaded, and touching it
    raises)."""
    mine = and_(
        col(ReportBatch.municipality_id) == actor.municipality_id, col(ReportBatch.created_at) >= expiry_bound()
    )
    total = bounded_count(session, sa_select(literal(1)).select_from(ReportBatch).where(mine))
    content = cast("QueryableAttribute[Any]", ReportBatch.content)
    stmt = select(ReportBatch).where(mine).options(defer(content, raiseload=True))
    if after is not None:
        created_at, last_id = after
        created_col: Any = col(ReportBatch.created_at)
        id_col: Any = col(ReportBatch.id)
        bound = tuple_(literal(created_at, created_col.type), literal(last_id, id_col.type))
        stmt = stmt.where(tuple_(created_col, id_col) < bound)
    order = (col(ReportBatch.created_at).desc(), col(ReportBatch.id).desc())
    return session.exec(stmt.order_by(*order).limit(limit)).all(), total


STALE_ERROR = "the render stopped: its worker ended or lost the database; create the batch again"


def state(batch: ReportBatch, now: datetime | None = None) -> tuple[str, str | None]:
    """(status, error) as the client sees them: a batch ``running`` without progress for ``STALE_AFTER``
    has lost its worker and is failed (read routes write nothing; the job's own end, if it ever comes,
    stores its outcome)."""
    if batch.status == "running" and batch.updated_at < (now or utcnow()) - STALE_AFTER:
        return "failed", STALE_ERROR
    return batch.status, batch.error


def zip_of(session: Session, actor: Actor, batch_id: uuid.UUID) -> tuple[ReportBatch, bytes]:
    batch = get_batch(session, actor, batch_id)
    if batch.status != "done" or batch.content is None:
        status = state(batch)[0]  # as the batch itself reads: a running batch that lost its worker is failed
        raise InvalidState(f"the batch is {status}, not done: poll /api/v1/report-batches/{batch.id}")
    return batch, bytes(batch.content)


# --- the job's work (a worker process) ------------------------------------------------------------

SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(case_number: str, taken: set[str], fallback: str) -> str:
    """``KS 2026/118`` → ``KS-2026-118.pdf``: ASCII letters, digits, ``.``, ``_`` and ``-`` only (accents
    dropped, anything else a dash), never empty, hidden or repeated within the ZIP (``-2``, ``-3``, …)."""
    ascii_name = unicodedata.normalize("NFKD", case_number).encode("ascii", "ignore").decode()
    stem = SAFE.sub("-", ascii_name).strip(".-_")[:100] or fallback
    name, n = f"{stem}.pdf", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name.lower())
    return name


def _finish(session: Session, batch_id: uuid.UUID, status: str, **values: object) -> None:
    now = utcnow()
    session.execute(
        update(ReportBatch)
        .where(col(ReportBatch.id) == batch_id)
        .values(status=status, updated_at=now, finished_at=now, **values)
    )


def _zip(files: list[tuple[str, bytes]], created: datetime) -> bytes:
    """The PDFs, stored as they are (a PDF is compressed already), dated by the batch: reproducible."""
    buffer = io.BytesIO()
    stamp = created.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, pdf in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), pdf)
    return buffer.getvalue()


def _start(batch_id: uuid.UUID) -> ReportBatch | None:
    with unit_of_work() as session:
        batch = session.get(ReportBatch, batch_id, with_for_update=True)
        if batch is None or batch.status in ("done", "failed"):
            return None
        batch.status, batch.done, batch.error, batch.updated_at = "running", 0, None, utcnow()
        session.add(batch)
        session.flush()
        session.expunge(batch)
        return batch


def _render_one(
    registry: RubricRegistry, batch: ReportBatch, index: int, raw_id: str, taken: set[str]
) -> tuple[str, bytes]:
    """One summary, as the single PDF route renders it (and stores it in ``report_cache``), committed
    together with the batch's progress."""
    with unit_of_work() as session:
        assessment = assessment_repo.get_assessment(session, batch.municipality_id, uuid.UUID(raw_id))
        if assessment is None:
            raise BatchFailed(f"assessment {index + 1} of {batch.total} ({raw_id}) no longer exists")
        try:
            pdf = service.assessment_pdf(session, registry, assessment, batch.lang, batch.variant)
        except DomainError as exc:
            raise BatchFailed(f"assessment {index + 1} of {batch.total} ({raw_id}): {exc.detail}") from exc
        decision = session.get(Decision, assessment.decision_id)
        # named by the case number the PDF shows: an approved or superseded version's as approved
        case_number = decision_as_shown(assessment, decision).case_number if decision is not None else ""
        session.execute(
            update(ReportBatch).where(col(ReportBatch.id) == batch.id).values(done=index + 1, updated_at=utcnow())
        )
    return file_name(case_number, taken, f"assessment-{raw_id}"), pdf


def render_batch(batch_id: uuid.UUID, registry: RubricRegistry, *, retry_transient: bool) -> None:
    """Render a batch. A transient database error (``TRANSIENT``) with ``retry_transient`` puts the batch
    back to queued and is raised for the queue to retry the job; any other error, or the last attempt,
    marks the batch failed with a message for the client and is raised (the job then ends failed)."""
    try:
        batch = _start(batch_id)
    except TRANSIENT as exc:
        # not started (nothing rendered): as a failed render, so the last attempt does not leave the batch
        # queued for ever (only a batch running without progress is ended by the stale rule)
        if retry_transient:
            log.warning("report batch %s: database error before the render, the job is retried: %s", batch_id, exc)
        else:
            _mark(batch_id, "failed", "the database could not be reached while rendering; create the batch again")
        raise
    if batch is None:
        log.info("report batch %s is gone or finished; nothing to do", batch_id)
        return
    try:
        files: list[tuple[str, bytes]] = []
        taken: set[str] = set()
        size = 0
        for index, raw_id in enumerate(batch.assessment_ids):
            name, pdf = _render_one(registry, batch, index, str(raw_id), taken)
            size += len(pdf)
            if size > MAX_ZIP_BYTES:
                raise BatchFailed(
                    f"the PDFs exceed {MAX_ZIP_BYTES // 1_000_000} MB together after {index + 1} of {batch.total}; "
                    "split the batch"
                )
            files.append((name, pdf))
        content = _zip(files, batch.created_at)
        with unit_of_work() as session:
            _finish(session, batch.id, "done", done=batch.total, size=len(content), content=content, error=None)
        log.info("report batch %s done: %d PDFs, %d bytes", batch.id, batch.total, len(content))
    except TRANSIENT as exc:
        if retry_transient:
            log.warning("report batch %s: database error, the job is retried: %s", batch.id, exc)
            _mark(batch.id, "queued", None)
        else:
            _mark(batch.id, "failed", "the database could not be reached while rendering; create the batch again")
        raise
    except BatchFailed as exc:
        _mark(batch.id, "failed", str(exc)[:500])
        raise
    except Exception as exc:
        log.exception("report batch %s failed", batch.id)
        _mark(batch.id, "failed", f"the render failed ({type(exc).__name__}); it has been logged")
        raise


def mark_failed(batch_id: uuid.UUID, error: str) -> None:
    """Fail a batch whose job can no longer finish it (its worker died on every attempt); a batch that
    ended meanwhile keeps its outcome."""
    now = utcnow()
    with unit_of_work() as session:
        session.execute(
            update(ReportBatch)
            .where(col(ReportBatch.id) == batch_id, col(ReportBatch.status).in_(("queued", "running")))
            .values(status="failed", error=error[:500], updated_at=now, finished_at=now)
        )


def _mark(batch_id: uuid.UUID, status: str, error: str | None) -> None:
    """Record the outcome; if even that cannot be written, the stale rule of ``get_batch`` ends it."""
    try:
        with unit_of_work() as session:
            if status == "failed":
                _finish(session, batch_id, status, error=error)
            else:
                # queued again: the next attempt renders every PDF again, so none counts as done
                session.execute(
                    update(ReportBatch)
                    .where(col(ReportBatch.id) == batch_id)
                    .values(status=status, error=error, done=0, updated_at=utcnow())
                )
    except Exception:
        log.exception("report batch %s: could not record %s", batch_id, status)


def _transient() -> tuple[type[Exception], ...]:
    import psycopg
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    return (OperationalError, PoolTimeout, psycopg.OperationalError)


TRANSIENT = _transient()
"""Database errors worth another attempt: connection lost, server restarting, pool exhausted."""

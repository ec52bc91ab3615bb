"""The background job queue: procrastinate on the application's PostgreSQL database (no other service).

Procrastinate's tables, functions and triggers live in the PostgreSQL schema ``procrastinate``, created by
Alembic revision 0011 (never by ``procrastinate schema --apply``); its connections put that schema on
their ``search_path``. Three tasks on the queue ``reports``, run by ``livskraft worker``
(``app/cli/worker.py``): :func:`render_report_batch`, the hourly :func:`purge_report_batches` and,
every minute, :func:`retry_stalled_jobs` (a job whose worker died — killed, out of memory, a deploy —
stays ``doing`` for ever otherwise). The API defers a job over one short-lived connection of its own,
after the batch is committed, so a worker never picks up a job whose batch it cannot see.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from functools import lru_cache
from typing import Any

import procrastinate
from procrastinate import JobContext, PsycopgConnector, RetryStrategy, SyncPsycopgConnector
from procrastinate.jobs import Status

from app.db.loop_db import libpq_url
from app.reports import batches
from app.rubrics.registry import RubricRegistry, load_registry
from app.settings import get_settings

log = logging.getLogger("livskraft.reports.jobs")

QUEUE = "reports"
TASK = "livskraft.render_report_batch"
PURGE_TASK = "livskraft.purge_report_batches"
PURGE_CRON = "17 * * * *"
"""Every hour, at 17 past: the expired batches are deleted even when nobody creates a new one."""
QUEUE_SEARCH_PATH = "procrastinate"
"""The PostgreSQL schema of procrastinate's objects (Alembic revision 0011)."""
STALLED_TASK = "livskraft.retry_stalled_jobs"
STALLED_CRON = "* * * * *"
STALLED_AFTER_SECONDS = 60.0
"""A worker that has not sent its heartbeat (procrastinate's: every 10 s) for this long has died; its
running jobs are stalled. A worker starting up also prunes workers silent for 30 s, which frees their jobs."""
MAX_RETRIES = 3
"""Further attempts after a transient database error (waits 2, 4 and 8 s); other errors are final."""
RETRY = RetryStrategy(max_attempts=MAX_RETRIES, exponential_wait=2, retry_exceptions=set(batches.TRANSIENT))


def _connection_kwargs() -> dict[str, Any]:
    return {
        "conninfo": libpq_url(get_settings().effective_database_url),
        "kwargs": {"options": f"-c search_path={QUEUE_SEARCH_PATH}", "application_name": "livskraft-queue"},
    }


@lru_cache(maxsize=4)
def _registry(rubrics_dir: str) -> RubricRegistry:
    from pathlib import Path

    return load_registry(Path(rubrics_dir))


def render_report_batch(context: JobContext, batch_id: str) -> None:
    """Render one report batch (a plain function: procrastinate runs it in a thread, off the worker's
    event loop). Transient database errors are retried ``MAX_RETRIES`` times, then the batch fails."""
    final = context.job.attempts >= MAX_RETRIES
    registry = _registry(str(get_settings().rubrics_dir))
    batches.render_batch(uuid.UUID(batch_id), registry, retry_transient=not final)


def purge_report_batches(timestamp: int) -> int:
    """Delete expired batches (``batches.RETENTION``), deferred every hour by each running worker's
    scheduler (procrastinate's periodic tasks: one job per hour however many workers run)."""
    from app.db.session import unit_of_work

    with unit_of_work() as session:
        return batches.purge(session)


STALLED_ERROR = (
    "the render stopped {n} times: its worker ended each time (killed or out of memory); "
    "create the batch again, or split it"
)


async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Run again the jobs of workers that died while running them: a report batch starts again from its
    first PDF (its PDFs already rendered come from the cache) up to ``MAX_RETRIES`` times, as after a
    lost database; one that stalled on every attempt fails, and its batch says why. Returns the number
    of jobs seen."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
    for job in stalled:
        batch_id = job.task_kwargs.get("batch_id") if job.task_name == TASK else None
        if batch_id is not None and job.attempts >= MAX_RETRIES:
            log.warning("report batch %s: its job %s stalled on its last attempt; the batch fails", batch_id, job.id)
            error = STALLED_ERROR.format(n=job.attempts + 1)
            await asyncio.to_thread(batches.mark_failed, uuid.UUID(str(batch_id)), error)
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        else:
            log.warning("job %s (%s) stalled: its worker died; it runs again", job.id, job.task_name)
            await manager.retry_job(job)
    return len(stalled)


def _with_tasks(app: procrastinate.App) -> procrastinate.App:
    app.task(name=TASK, queue=QUEUE, pass_context=True, retry=RETRY)(render_report_batch)
    purge = app.task(name=PURGE_TASK, queue=QUEUE)(purge_report_batches)
    app.periodic(cron=PURGE_CRON, periodic_id="hourly")(purge)
    stalled = app.task(name=STALLED_TASK, queue=QUEUE, pass_context=True)(retry_stalled_jobs)
    app.periodic(cron=STALLED_CRON, periodic_id="stalled")(stalled)
    return app


def worker_app() -> procrastinate.App:
    """The app a worker runs (``await app.open_async()`` first, or ``app.run_worker()``)."""
    return _with_tasks(procrastinate.App(connector=PsycopgConnector(**_connection_kwargs())))


def defer_batch(batch_id: uuid.UUID) -> int:
    """Queue the render of a committed batch; returns the job's id. Blocking: call it in a thread."""
    connector = SyncPsycopgConnector(**_connection_kwargs(), min_size=1, max_size=1)
    app = _with_tasks(procrastinate.App(connector=connector))
    with app.open():
        job_id: int = app.configure_task(TASK).defer(batch_id=str(batch_id))
    return job_id

"""Report batches whose worker died mid-render (killed, out of memory, a deploy): procrastinate leaves the
job ``doing`` for ever; the workers' job of every minute (``jobs.retry_stalled_jobs``) runs it again, and
fails the batch, with a reason, once it has stalled on its last attempt. A real worker on PostgreSQL; the
dead worker is procrastinate's own row of a worker that took the job and stopped sending heartbeats."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.reports import test_batches
from tests.reports.factories import pdf_text
from tests.reports.test_batches import (
    BATCHES,
    CASES,
    approved,
    on_postgresql,
    queued_jobs,
    run_worker,
    the_job,
    zip_files,
)
from tests.support import Api, session

people = test_batches.people  # the fixtures of the batch tests
empty_queue = test_batches.empty_queue
pytestmark = [on_postgresql, pytest.mark.usefixtures("empty_queue")]


def a_worker_took_the_job_and_died(attempts: int = 0, done: int | None = 1) -> None:
    """As procrastinate's worker takes a job (its own SQL functions), then silence: no heartbeat for an
    hour. The batch says ``running``, ``done`` PDFs in, as the dead worker left it (``None``: the batch
    is left as it is)."""
    with session() as s:
        s.execute(text("SET LOCAL search_path TO procrastinate"))
        s.execute(text("UPDATE procrastinate_jobs SET attempts = :n"), {"n": attempts})
        worker_id = s.execute(text("SELECT worker_id FROM procrastinate_register_worker_v1()")).scalar_one()
        taken = s.execute(
            text("SELECT id FROM procrastinate_fetch_job_v2(ARRAY['reports']::varchar[], :w)"), {"w": worker_id}
        ).scalar_one()
        assert taken is not None
        s.execute(
            text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = :w"),
            {"w": worker_id},
        )
        if done is not None:
            s.execute(text("UPDATE public.report_batch SET status = 'running', done = :d"), {"d": done})
        s.commit()


def the_minutely_check_runs() -> None:
    """As a worker's scheduler defers it every minute: a job on the queue, run by a real worker, which
    then also runs whatever the check put back on the queue."""
    from app.reports import jobs

    app = jobs.worker_app()
    with app.open():
        app.configure_task(jobs.STALLED_TASK).defer(timestamp=0)
    run_worker()


def test_the_check_is_a_periodic_task_of_every_worker() -> None:
    from app.reports import jobs

    [periodic] = [
        p for p in jobs.worker_app().periodic_registry.periodic_tasks.values() if p.task.name == jobs.STALLED_TASK
    ]
    assert periodic.cron == "* * * * *"


def test_a_batch_whose_worker_died_is_rendered_again_and_done(people: dict[str, Api]) -> None:
    official = people["official"]
    first, second = (approved(people, case, title) for case, title in CASES)
    r = official.post(BATCHES, {"assessment_ids": [first["id"], second["id"]]})
    assert r.status_code == 202, r.text
    a_worker_took_the_job_and_died()
    assert the_job()[:2] == ("doing", 0)
    status = official.get(r.headers["Location"]).json()
    assert (status["status"], status["done"]) == ("running", 1), status

    the_minutely_check_runs()

    assert queued_jobs() == 0
    assert the_job()[:2] == ("succeeded", 2), "retried once, then done"
    status = official.get(r.headers["Location"]).json()
    assert (status["status"], status["done"], status["error"]) == ("done", 2, None), status
    files = zip_files(official.get(status["download"]).content)
    assert list(files) == ["KS-2026-118.pdf", "BN-2026-7.pdf"]
    for (case, title), name in zip(CASES, files, strict=True):
        assert case in pdf_text(files[name]) and title in pdf_text(files[name]), name


def test_a_batch_that_stalls_on_its_last_attempt_fails_with_the_reason(people: dict[str, Api]) -> None:
    official = people["official"]
    a = approved(people, *CASES[0])
    r = official.post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 202, r.text
    a_worker_took_the_job_and_died(attempts=3)

    the_minutely_check_runs()

    assert the_job()[:2] == ("failed", 4) and queued_jobs() == 0  # the first and three retries
    status = official.get(r.headers["Location"]).json()
    assert status["status"] == "failed" and status["download"] is None, status
    assert status["error"] == (
        "the render stopped 4 times: its worker ended each time (killed or out of memory); "
        "create the batch again, or split it"
    )
    assert official.get(f"{BATCHES}/{status['id']}/pdfs.zip").status_code == 409


def test_a_batch_that_ended_keeps_its_outcome_when_its_job_stalls_afterwards(people: dict[str, Api]) -> None:
    """The worker died after storing the ZIP, before the queue heard the job succeed: the batch stays
    done (its ZIP kept), and the job is ended without rendering anything again."""
    from app.reports import jobs
    from app.reports.models import ReportBatch

    official = people["official"]
    a = approved(people, *CASES[0])
    r = official.post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 202, r.text
    run_worker()
    zipped = official.get(f"{BATCHES}/{r.json()['id']}/pdfs.zip").content
    with session() as s:  # the job again as the dead worker left it: doing, on its last attempt
        s.execute(text("DELETE FROM procrastinate.procrastinate_jobs"))
        s.commit()
    jobs.defer_batch(uuid.UUID(r.json()["id"]))
    with session() as s:
        batch = s.get(ReportBatch, uuid.UUID(r.json()["id"]))
        assert batch is not None and batch.status == "done"
    a_worker_took_the_job_and_died(attempts=3, done=None)

    the_minutely_check_runs()

    status = official.get(r.headers["Location"]).json()
    assert (status["status"], status["error"]) == ("done", None), status
    assert official.get(status["download"]).content == zipped
    assert queued_jobs() == 0

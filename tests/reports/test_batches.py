"""Report batches: decision summaries rendered by a real procrastinate worker on PostgreSQL, fetched as a
ZIP and read back with pypdf; tenant isolation, rights and validation; the refusal on SQLite."""

from __future__ import annotations

import io
import os
import subprocess
import threading
import time
import uuid
import zipfile
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.test_cursors import forged, unsigned
from tests.api.test_review_flow import act
from tests.reports.factories import pdf_text, rich_assessment
from tests.server import ROOT, VENV_BIN
from tests.support import Api, make_token, official_and_reviewer, run_coroutine, session

POSTGRESQL = os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "").startswith("postgres")
on_postgresql = pytest.mark.skipif(not POSTGRESQL, reason="report batches run on PostgreSQL (procrastinate)")
on_sqlite = pytest.mark.skipif(POSTGRESQL, reason="the refusal of report batches on SQLite")
BATCHES = "/api/v1/report-batches"
CASES = (("KS 2026/118", "Industriområde vid Norra bangården"), ("BN 2026/7", "Ny skola i Åkerby"))


@pytest.fixture
def people(client: Any) -> dict[str, Api]:
    return {
        **official_and_reviewer(client, "091", "official@hel.fi", "reviewer@hel.fi"),
        "reader": Api(client, make_token("091", ("read",))),
        "other": Api(client, make_token("0180", ("read", "write"))),
    }


@pytest.fixture
def empty_queue() -> None:
    """Jobs outlive the tables the suite empties after each test: start from an empty queue."""
    if POSTGRESQL:
        with session() as s:
            s.execute(text("DELETE FROM procrastinate.procrastinate_jobs"))
            s.commit()


def approved(people: dict[str, Api], case: str, title: str) -> dict[str, Any]:
    a = rich_assessment(people["official"], case=case, title=title)
    assert act(people["official"], a, "submit").status_code == 200
    r = act(people["reviewer"], a, "approve")
    assert r.status_code == 200, r.text
    return a


def run_worker() -> None:
    """A real procrastinate worker, in this process, until the queue is empty."""
    from app.reports import jobs

    async def work() -> None:
        app = jobs.worker_app()
        async with app.open_async():
            await app.run_worker_async(
                queues=[jobs.QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
            )

    run_coroutine(work())


def queued_jobs() -> int:
    with session() as s:
        return int(
            s.execute(
                text("SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar_one()
        )


def zip_files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_batch_is_rendered_by_the_worker_and_downloaded_as_a_zip(people: dict[str, Api]) -> None:
    official = people["official"]
    first, second = (approved(people, case, title) for case, title in CASES)
    draft = official.create_assessment("KS 2026/200")  # rendered as the single PDF renders a draft
    r = official.post(BATCHES, {"assessment_ids": [first["id"], second["id"], draft["id"]], "lang": "sv"})
    assert r.status_code == 202, r.text
    body = r.json()
    assert r.headers["Location"] == f"{BATCHES}/{body['id']}"
    assert {k: body[k] for k in ("status", "total", "done", "download")} == {
        "status": "queued",
        "total": 3,
        "done": 0,
        "download": None,
    }
    assert queued_jobs() == 1
    polled = official.get(r.headers["Location"])
    assert polled.status_code == 200 and polled.json()["status"] == "queued" and polled.headers["Retry-After"]
    assert official.get(f"{BATCHES}/{body['id']}/pdfs.zip").status_code == 409  # not done yet

    run_worker()

    assert queued_jobs() == 0
    status = official.get(r.headers["Location"]).json()
    assert status["status"] == "done" and status["done"] == status["total"] == 3, status
    assert status["error"] is None and status["download"] == f"{BATCHES}/{body['id']}/pdfs.zip"
    z = official.get(status["download"])
    assert z.status_code == 200, z.text
    assert z.headers["content-type"] == "application/zip"
    assert f"livskraft-batch-{body['id']}.zip" in z.headers["content-disposition"]
    assert status["size"] == len(z.content)
    files = zip_files(z.content)
    assert list(files) == ["KS-2026-118.pdf", "BN-2026-7.pdf", "KS-2026-200.pdf"]  # the order asked for
    for (case, title), name in zip(CASES, files, strict=False):
        pdf = files[name]
        assert pdf.startswith(b"%PDF-")
        text_ = pdf_text(pdf)
        assert case in text_ and title in text_ and "Godkänd" in text_, name
    assert "KS 2026/200" in pdf_text(files["KS-2026-200.pdf"]) and "Utkast" in pdf_text(files["KS-2026-200.pdf"])
    # the same code path and cache as the single PDF: its bytes are the batch's
    single = official.get(f"/api/v1/assessments/{first['id']}/report", params={"lang": "sv"})
    assert single.status_code == 200 and single.content == files["KS-2026-118.pdf"]


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_language_and_variant_and_the_worker_command(people: dict[str, Api]) -> None:
    a = approved(people, *CASES[0])
    r = people["official"].post(BATCHES, {"assessment_ids": [a["id"]], "lang": "en", "variant": "a3"})
    assert r.status_code == 202, r.text
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(VENV_BIN / "livskraft"), "worker", "--once"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    status = people["official"].get(r.headers["Location"]).json()
    assert status["status"] == "done", status
    assert (status["lang"], status["variant"]) == ("en", "a3")
    pdf = zip_files(people["official"].get(status["download"]).content)["KS-2026-118.pdf"]
    assert "Decision summary" in pdf_text(pdf) or "Approved" in pdf_text(pdf)
    assert b"livskraft-assessment.json" in pdf  # the PDF/A-3 variant carries the assessment


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_render_failure_marks_the_batch_failed(people: dict[str, Api]) -> None:
    first, second = (approved(people, case, title) for case, title in CASES)
    r = people["official"].post(BATCHES, {"assessment_ids": [first["id"], second["id"]]})
    assert r.status_code == 202, r.text
    with session() as s:  # the second one's rubric is gone by the time the worker renders it
        s.execute(
            text("UPDATE assessment SET rubric_version = '9.9.9' WHERE id = :id"), {"id": uuid.UUID(second["id"])}
        )
        s.commit()
    run_worker()
    assert queued_jobs() == 0  # failed, not waiting for a retry: the batch does not hang
    status = people["official"].get(r.headers["Location"]).json()
    assert status["status"] == "failed" and status["done"] == 1 and status["download"] is None, status
    assert "assessment 2 of 2" in status["error"] and "9.9.9 is not installed" in status["error"]
    z = people["official"].get(f"{BATCHES}/{status['id']}/pdfs.zip")
    assert z.status_code == 409 and z.headers["content-type"] == "application/problem+json"


def an_attempt_that_loses_the_database(table: str = "assessment", after_done: int = 0) -> None:
    """One run of the worker whose render loses its database connection, for real: the assessment table
    is locked (ACCESS EXCLUSIVE) by the test, so the render waits on it at the first assessment, and
    PostgreSQL then ends that waiting connection (``pg_terminate_backend``: "terminating connection due to
    administrator command", as when the server shuts down), a transient database error
    (``batches.TRANSIENT``). The lock is released once the connection is gone. ``table="report_batch"``:
    the connection is lost before the render starts (the batch's own row, read first); with ``after_done``
    the lock is taken once that many PDFs are done, so the connection is lost when the next one's progress
    is written (the render in between takes long enough)."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            run_worker()
        except BaseException as exc:  # asserted below, in the test's thread
            errors.append(exc)

    worker = threading.Thread(target=work)
    blocker = session()
    try:
        if after_done:
            worker.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with session() as s:
                    if s.execute(text("SELECT done FROM report_batch")).scalar_one() >= after_done:
                        break
                time.sleep(0.01)
        blocker.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        if not after_done:
            worker.start()
        waiting: list[int] = []
        deadline = time.monotonic() + 60
        while not waiting and time.monotonic() < deadline:
            time.sleep(0.05)
            with session() as s:
                waiting = list(
                    s.execute(
                        text(
                            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock' AND (query LIKE :read OR query LIKE :write) "
                            "AND pid <> pg_backend_pid()"
                        ),
                        {"read": f"%FROM {table}%", "write": f"UPDATE {table} %"},
                    ).scalars()
                )
        assert len(waiting) == 1, (f"the render waits on the locked {table} table", waiting)
        with session() as s:
            assert s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting[0]}).scalar_one() is True
    finally:
        blocker.rollback()
        blocker.close()
        if worker.ident is not None:
            worker.join(timeout=120)
    assert not worker.is_alive() and errors == [], errors


def the_job() -> Any:
    """The batch's one job on the queue (procrastinate's row): its status, attempts and when it runs next."""
    with session() as s:
        return s.execute(
            text(
                "SELECT status, attempts, scheduled_at > now() AS later FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'livskraft.render_report_batch'"
            )
        ).one()


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_render_that_loses_the_database_is_queued_again_and_the_retry_finishes_it(people: dict[str, Api]) -> None:
    """The retry rule (``batches.render_batch``, ``jobs.RETRY``): a transient database error puts the
    batch back to queued, with no error for the client, and the queue runs the job again after its
    back-off (2 s); that attempt renders the whole batch."""
    official = people["official"]
    first, second = (approved(people, case, title) for case, title in CASES)
    r = official.post(BATCHES, {"assessment_ids": [first["id"], second["id"]]})
    assert r.status_code == 202, r.text

    an_attempt_that_loses_the_database()

    polled = official.get(r.headers["Location"])
    status = polled.json()
    assert polled.status_code == 200 and polled.headers["Retry-After"], polled.text
    assert (status["status"], status["error"], status["done"], status["download"]) == ("queued", None, 0, None), status
    assert official.get(BATCHES).json()["items"][0]["status"] == "queued"
    assert official.get(f"{BATCHES}/{status['id']}/pdfs.zip").status_code == 409
    job = the_job()
    assert (job.status, job.attempts, job.later) == ("todo", 1, True), "retried, after a wait"
    assert queued_jobs() == 1
    deadline = time.monotonic() + 30
    while the_job().later and time.monotonic() < deadline:  # the back-off: 2 s
        time.sleep(0.2)

    run_worker()

    assert the_job()[:2] == ("succeeded", 2) and queued_jobs() == 0  # two attempts
    status = official.get(r.headers["Location"]).json()
    assert status["status"] == "done" and status["done"] == status["total"] == 2, status
    assert status["error"] is None and status["download"] == f"{BATCHES}/{status['id']}/pdfs.zip"
    z = official.get(status["download"])
    assert z.status_code == 200 and status["size"] == len(z.content)
    files = zip_files(z.content)
    assert list(files) == ["KS-2026-118.pdf", "BN-2026-7.pdf"]
    for (case, title), name in zip(CASES, files, strict=True):
        assert case in pdf_text(files[name]) and title in pdf_text(files[name]), name


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_batch_that_loses_the_database_on_every_attempt_fails_after_the_last_retry(people: dict[str, Api]) -> None:
    """``jobs.MAX_RETRIES`` (3) further attempts after the first: after each failed one but the last the
    batch is queued again; the last marks it failed, telling the client to create it again, and the job
    ends (nothing left on the queue). The back-off between attempts (2, 4, 8 s) is skipped here: each
    retry's time is moved to now on the queue's row."""
    official = people["official"]
    a = approved(people, *CASES[0])
    r = official.post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 202, r.text
    for attempt in range(1, 4):
        an_attempt_that_loses_the_database()
        status = official.get(r.headers["Location"]).json()
        assert (status["status"], status["error"]) == ("queued", None), (attempt, status)
        assert the_job()[:2] == ("todo", attempt)
        with session() as s:
            s.execute(text("UPDATE procrastinate.procrastinate_jobs SET scheduled_at = now()"))
            s.commit()

    an_attempt_that_loses_the_database()

    assert the_job()[:2] == ("failed", 4) and queued_jobs() == 0  # the first and three retries
    status = official.get(r.headers["Location"]).json()
    assert status["status"] == "failed" and status["download"] is None, status
    assert status["error"] == "the database could not be reached while rendering; create the batch again"
    z = official.get(f"{BATCHES}/{status['id']}/pdfs.zip")
    assert z.status_code == 409 and z.headers["content-type"] == "application/problem+json"


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_batch_queued_again_midway_starts_its_count_again(people: dict[str, Api]) -> None:
    """The connection lost after the first of two PDFs: the batch is queued again and says 0 done, as the
    retry renders every PDF again (it said 1 done while waiting for an attempt that starts from 0)."""
    official = people["official"]
    first, second = (approved(people, case, title) for case, title in CASES)
    r = official.post(BATCHES, {"assessment_ids": [first["id"], second["id"]]})
    assert r.status_code == 202, r.text
    an_attempt_that_loses_the_database("report_batch", after_done=1)
    status = official.get(r.headers["Location"]).json()
    assert (status["status"], status["done"], status["error"]) == ("queued", 0, None), status
    assert the_job()[:2] == ("todo", 1)


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_the_last_attempt_that_loses_the_database_before_the_render_fails_the_batch(people: dict[str, Api]) -> None:
    """The connection lost when the batch's row is read, before anything is rendered: queued again while
    attempts remain; on the last the batch is failed (before, it stayed queued for ever: the stale rule
    ends only a batch that is running)."""
    official = people["official"]
    a = approved(people, *CASES[0])
    r = official.post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 202, r.text
    an_attempt_that_loses_the_database("report_batch")
    assert official.get(r.headers["Location"]).json()["status"] == "queued"
    assert the_job()[:2] == ("todo", 1)
    with session() as s:  # the three retries used up: the next attempt is the last
        s.execute(text("UPDATE procrastinate.procrastinate_jobs SET scheduled_at = now(), attempts = 3"))
        s.commit()

    an_attempt_that_loses_the_database("report_batch")

    assert the_job()[:2] == ("failed", 4) and queued_jobs() == 0
    status = official.get(r.headers["Location"]).json()
    assert (status["status"], status["download"]) == ("failed", None), status
    assert status["error"] == "the database could not be reached while rendering; create the batch again"


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_another_municipalitys_batch_and_assessments_are_not_found(people: dict[str, Api]) -> None:
    a = approved(people, *CASES[0])
    mine = people["official"].post(BATCHES, {"assessment_ids": [a["id"]]})
    assert mine.status_code == 202
    other = people["other"]
    for path in (mine.headers["Location"], mine.headers["Location"] + "/pdfs.zip"):
        r = other.get(path)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", path
    own = other.create_assessment("KS 2026/9")
    r = other.post(BATCHES, {"assessment_ids": [own["id"], a["id"]]})
    assert r.status_code == 404, r.text
    assert r.json()["errors"][0]["field"] == "assessment_ids.1"
    r = other.post(BATCHES, {"assessment_ids": [str(uuid.uuid4())]})
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "assessment_ids.0"
    assert queued_jobs() == 1  # only the first batch was queued


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_rights_and_validation(people: dict[str, Api]) -> None:
    a = approved(people, *CASES[0])
    r = people["reader"].post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    official = people["official"]
    r = official.post(BATCHES, {"assessment_ids": [a["id"], a["id"]]})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "assessment_ids.1", "message": "the same id as assessment_ids.0", "code": "duplicate"}
    ]
    for body, field in (
        ({"assessment_ids": []}, "assessment_ids"),
        ({"assessment_ids": [a["id"]] * 101}, "assessment_ids"),
        ({"assessment_ids": [a["id"], "KS 2026/118"]}, "assessment_ids.1"),
        ({"assessment_ids": [a["id"]], "lang": "de"}, "lang"),
        ({"assessment_ids": [a["id"]], "variant": "x"}, "variant"),
    ):
        r = official.post(BATCHES, body)
        assert r.status_code == 422, body
        assert r.json()["errors"][0]["field"] == field, r.json()
    with session() as s:  # a rubric this server does not have: the single PDF cannot render it either
        s.execute(text("UPDATE assessment SET rubric_version = '9.9.9' WHERE id = :id"), {"id": uuid.UUID(a["id"])})
        s.commit()
    r = official.post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "assessment_ids.0"
    assert "not installed" in r.json()["errors"][0]["message"]
    assert queued_jobs() == 0


def test_file_names_come_from_case_numbers_in_safe_characters() -> None:
    from app.reports.batches import file_name

    taken: set[str] = set()
    names = [
        file_name(case, taken, "fallback") for case in ("KS 2026/118", "Dnr ÅÄÖ 12:3", "../../x", "KS 2026/118", "§§")
    ]
    assert names == ["KS-2026-118.pdf", "Dnr-AAO-12-3.pdf", "x.pdf", "KS-2026-118-2.pdf", "fallback.pdf"]


@on_sqlite
def test_on_sqlite_the_batch_is_refused_and_nothing_is_stored(people: dict[str, Api]) -> None:
    a = people["official"].create_assessment()
    r = people["official"].post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 501
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/report-batches-need-postgresql")
    assert problem["detail"] == (
        "report batches need PostgreSQL; render single PDFs with GET /api/v1/assessments/{id}/report"
    )
    assert people["reader"].post(BATCHES, {"assessment_ids": [a["id"]]}).status_code == 403  # rights first
    with session() as s:
        assert s.execute(text("SELECT count(*) FROM report_batch")).scalar_one() == 0
    assert people["official"].get(f"{BATCHES}/{uuid.uuid4()}").status_code == 404
    from typer.testing import CliRunner

    from app.cli.main import app as cli

    result = CliRunner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 1 and "needs PostgreSQL" in result.output


def test_a_running_batch_without_progress_is_reported_failed(people: dict[str, Api]) -> None:
    """Its worker was killed: the batch does not hang as running (on both databases: stored directly)."""
    from datetime import timedelta

    from app.db.base import utcnow
    from app.reports.batches import STALE_AFTER
    from app.reports.models import ReportBatch
    from tests.support import make_report_batch

    a = people["official"].create_assessment()
    batch_id = make_report_batch("091", [a["id"]], status="running")
    official = people["official"]
    assert official.get(f"{BATCHES}/{batch_id}").json()["status"] == "running"
    with session() as s:
        batch = s.get(ReportBatch, uuid.UUID(batch_id))
        assert batch is not None
        batch.updated_at = utcnow() - STALE_AFTER - timedelta(seconds=1)
        s.add(batch)
        s.commit()
    status = official.get(f"{BATCHES}/{batch_id}").json()
    assert status["status"] == "failed" and "worker" in status["error"], status


@pytest.mark.usefixtures("empty_queue")
def test_expired_batches_are_purged_every_hour_by_the_workers(people: dict[str, Api]) -> None:
    """Batches (and their ZIPs) older than the retention are deleted by an hourly job of the workers,
    not only when someone creates a new batch."""
    from datetime import timedelta

    from app.db.base import utcnow
    from app.reports import jobs
    from app.reports.batches import RETENTION
    from app.reports.models import ReportBatch
    from tests.support import make_report_batch

    a = people["official"].create_assessment()
    old, new = make_report_batch("091", [a["id"]]), make_report_batch("091", [a["id"]])
    with session() as s:
        batch = s.get(ReportBatch, uuid.UUID(old))
        assert batch is not None
        batch.created_at = utcnow() - RETENTION - timedelta(minutes=1)
        s.add(batch)
        s.commit()
    [periodic] = [
        p for p in jobs.worker_app().periodic_registry.periodic_tasks.values() if p.task.name == jobs.PURGE_TASK
    ]
    assert periodic.cron == jobs.PURGE_CRON
    if POSTGRESQL:  # as the worker's scheduler defers it: a job on the queue, run by a real worker
        app = jobs.worker_app()
        with app.open():
            app.configure_task(jobs.PURGE_TASK).defer(timestamp=0)
        run_worker()
        assert queued_jobs() == 0
    else:  # no queue on SQLite: the task's function itself
        assert jobs.purge_report_batches(0) == 1
    assert people["official"].get(f"{BATCHES}/{old}").status_code == 404
    assert people["official"].get(f"{BATCHES}/{new}").status_code == 200


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_queue_that_cannot_take_the_job_stores_nothing(people: dict[str, Api]) -> None:
    """The batch is committed before its job is queued; when queuing fails the batch is removed again and
    the client gets a 503 to retry (here the queue's table is really away for a moment)."""
    a = people["official"].create_assessment()
    with session() as s:
        s.execute(text("ALTER TABLE procrastinate.procrastinate_jobs RENAME TO procrastinate_jobs_away"))
        s.commit()
    try:
        r = people["official"].post(BATCHES, {"assessment_ids": [a["id"]]})
    finally:
        with session() as s:
            s.execute(text("ALTER TABLE procrastinate.procrastinate_jobs_away RENAME TO procrastinate_jobs"))
            s.commit()
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json" and "nothing was stored" in r.json()["detail"]
    with session() as s:
        assert s.execute(text("SELECT count(*) FROM report_batch")).scalar_one() == 0
    r = people["official"].post(BATCHES, {"assessment_ids": [a["id"]]})
    assert r.status_code == 202, "the retry is queued"


# --- the list of a municipality's batches (GET /api/v1/report-batches) ------------------------------


def stored_batch(code: str, assessment_ids: list[str], created_ago: Any, status: str = "done") -> str:
    """A batch stored directly (also on SQLite), created ``created_ago`` (a timedelta) before now and
    last changed then (a ``running`` one older than ``STALE_AFTER`` has lost its worker)."""
    from app.db.base import utcnow
    from app.reports.models import ReportBatch
    from tests.support import make_report_batch

    batch_id = make_report_batch(code, assessment_ids, status=status)
    with session() as s:
        batch = s.get(ReportBatch, uuid.UUID(batch_id))
        assert batch is not None
        batch.created_at = batch.updated_at = utcnow() - created_ago
        s.add(batch)
        s.commit()
    return batch_id


def all_pages(api: Api, limit: int) -> list[dict[str, Any]]:
    """Every page of the list, following ``next_cursor``; each page checked for its shape on the way."""
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        r = api.get(BATCHES, params=params)
        assert r.status_code == 200, r.text
        assert r.headers["Cache-Control"] == "private, no-cache"
        page = r.json()
        assert set(page) == {"items", "next_cursor", "total", "total_exact"}
        assert len(page["items"]) <= limit
        pages.append(page)
        if page["next_cursor"] is None:
            return pages
        assert len(page["items"]) == limit
        params = {"limit": limit, "cursor": page["next_cursor"]}


def refused_cursor(r: Any) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.cursor"], r.json()


def test_the_list_pages_through_the_municipalitys_batches_newest_first(people: dict[str, Api]) -> None:
    """Newest first, ties of the creation time by id; a real cursor from page to page; each item exactly
    what GET of the one batch answers, a running batch whose worker died included (failed)."""
    from datetime import timedelta

    from app.reports.batches import STALE_AFTER
    from app.reports.models import ReportBatch

    official = people["official"]
    a = official.create_assessment()
    minutes = timedelta(minutes=1)
    made = {
        stored_batch("091", [a["id"]], 1 * minutes, "queued"): 1,
        stored_batch("091", [a["id"]], 2 * minutes): 2,
        stored_batch("091", [a["id"]], STALE_AFTER + 3 * minutes, "running"): 3,  # its worker died
        stored_batch("091", [a["id"]], 30 * minutes, "failed"): 4,
    }
    tie, other_tie = (stored_batch("091", [a["id"]], 40 * minutes) for _ in range(2))
    with session() as s:  # created at the very same time as another: the id decides
        first, second = (s.get(ReportBatch, uuid.UUID(b)) for b in (tie, other_tie))
        assert first is not None and second is not None
        second.created_at = first.created_at
        s.add(second)
        s.commit()
    for batch_id in sorted((tie, other_tie), key=uuid.UUID, reverse=True):
        made[batch_id] = len(made) + 1
    stored_batch("0180", [people["other"].create_assessment()["id"]], 1 * minutes)  # another municipality's

    pages = all_pages(official, limit=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 2]
    assert all(p["total"] == 6 and p["total_exact"] is True for p in pages)
    items = [item for p in pages for item in p["items"]]
    assert [i["id"] for i in items] == sorted(made, key=made.__getitem__)
    for item in items:
        one = official.get(f"{BATCHES}/{item['id']}")
        assert one.status_code == 200 and item == one.json()
    by_id = {i["id"]: i for i in items}
    stale = next(b for b, n in made.items() if n == 3)
    assert by_id[stale]["status"] == "failed" and "worker" in by_id[stale]["error"]
    done = next(b for b, n in made.items() if n == 2)
    assert by_id[done]["download"] == f"{BATCHES}/{done}/pdfs.zip" and by_id[done]["size"] == 4
    # one page holds them all; the default limit too
    whole = official.get(BATCHES).json()
    assert [i["id"] for i in whole["items"]] == [i["id"] for i in items] and whole["next_cursor"] is None
    # a page after a cursor does not change when a newer batch arrives meanwhile
    second = official.get(BATCHES, params={"limit": 2, "cursor": pages[0]["next_cursor"]}).json()
    stored_batch("091", [a["id"]], timedelta(0), "queued")
    again = official.get(BATCHES, params={"limit": 2, "cursor": pages[0]["next_cursor"]}).json()
    assert [i["id"] for i in again["items"]] == [i["id"] for i in second["items"]] and again["total"] == 7


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "w" * 5,
        "WyJ4Il0",  # ["x"]
        "WyJyZXBvcnQtYmF0Y2hlczpjcmVhdGVkX2F0OmRlc2MiLCJ4IiwieSJd",  # [its tag, "x", "y"]: values not of their types
        "WyJyZXBvcnQtYmF0Y2hlczpjcmVhdGVkX2F0OmRlc2MiXQ",  # [its tag]: no values
    ],
)
def test_a_cursor_that_is_not_of_this_list_is_422(people: dict[str, Api], cursor: str) -> None:
    refused_cursor(people["official"].get(BATCHES, params={"cursor": cursor}))


def test_a_cursor_of_another_list_or_an_edited_one_is_422(people: dict[str, Api]) -> None:
    import base64
    import json
    from datetime import timedelta

    official = people["official"]
    a = official.create_assessment()
    for n in range(2):
        stored_batch("091", [a["id"]], timedelta(minutes=n))
    official.create_decision("KS 2026/2")
    decisions = official.get("/api/v1/decisions", params={"limit": 1}).json()["next_cursor"]
    assert decisions
    refused_cursor(official.get(BATCHES, params={"cursor": decisions}))
    mine = official.get(BATCHES, params={"limit": 1}).json()["next_cursor"]
    assert mine
    refused_cursor(official.get("/api/v1/decisions", params={"cursor": mine}))
    payload = mine.split(".")[0]
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for edited in ([values[0], values[1], "not-a-uuid"], [values[0], "yesterday", values[2]], values[:2]):
        refused_cursor(official.get(BATCHES, params={"cursor": unsigned(edited)}))
        refused_cursor(official.get(BATCHES, params={"cursor": forged(edited)}))  # signed, checked all the same
    r = official.get(BATCHES, params={"cursor": mine})
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    for limit in (0, 201, "x"):
        r = official.get(BATCHES, params={"limit": limit})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in r.json()["errors"]] == ["query.limit"], r.json()


def test_another_municipalitys_batches_are_not_listed(people: dict[str, Api]) -> None:
    from datetime import timedelta

    mine = stored_batch("091", [people["official"].create_assessment()["id"]], timedelta(minutes=1))
    theirs = stored_batch("0180", [people["other"].create_assessment()["id"]], timedelta(minutes=2))
    for api, own, foreign in ((people["official"], mine, theirs), (people["other"], theirs, mine)):
        r = api.get(BATCHES)
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["items"]] == [own] and r.json()["total"] == 1
        assert foreign not in r.text
        assert api.get(f"{BATCHES}/{foreign}").status_code == 404  # as GET of the one batch


def test_a_token_without_read_is_refused_the_list_as_a_batch(people: dict[str, Api], client: Any) -> None:
    from datetime import timedelta

    from tests.api.test_fast_reads import without_read

    batch_id = stored_batch("091", [people["official"].create_assessment()["id"]], timedelta(minutes=1))
    writer = Api(client, without_read("091"))
    one, listed = writer.get(f"{BATCHES}/{batch_id}"), writer.get(BATCHES)
    assert one.status_code == listed.status_code == 403
    assert listed.headers["content-type"] == "application/problem+json"
    assert listed.json()["detail"] == one.json()["detail"] and batch_id not in listed.text
    assert people["reader"].get(BATCHES).status_code == 200  # read alone is enough, as for one batch
    assert client.get(BATCHES).status_code == 401


def test_the_list_holds_exactly_the_batches_get_answers_for(people: dict[str, Api]) -> None:
    """Past the retention a batch is deleted (hourly, and when a batch is created); the list shows a batch
    exactly as long as GET of the one batch answers 200 for it."""
    from datetime import timedelta

    from app.reports import jobs
    from app.reports.batches import RETENTION

    official = people["official"]
    a = official.create_assessment()
    old = stored_batch("091", [a["id"]], RETENTION + timedelta(minutes=1))
    new = stored_batch("091", [a["id"]], timedelta(minutes=1))

    def agree() -> set[str]:
        listed = {i["id"] for i in official.get(BATCHES).json()["items"]}
        answered = {b for b in (old, new) if official.get(f"{BATCHES}/{b}").status_code == 200}
        assert listed == answered
        return listed

    assert new in agree()
    jobs.purge_report_batches(0)
    assert agree() == {new}


@on_sqlite
def test_on_sqlite_the_list_is_empty(people: dict[str, Api]) -> None:
    """No queue, so no batches: the list answers as anywhere (200, empty), as GET of one answers 404."""
    a = people["official"].create_assessment()
    assert people["official"].post(BATCHES, {"assessment_ids": [a["id"]]}).status_code == 501
    r = people["official"].get(BATCHES)
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "next_cursor": None, "total": 0, "total_exact": True}
    assert people["reader"].get(BATCHES).status_code == 200


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_queued_batches_are_listed_and_then_done(people: dict[str, Api]) -> None:
    a = approved(people, *CASES[0])
    official = people["official"]
    first = official.post(BATCHES, {"assessment_ids": [a["id"]]}).json()
    second = official.post(BATCHES, {"assessment_ids": [a["id"]], "lang": "en"}).json()
    listed = official.get(BATCHES).json()
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(second["id"], "queued"), (first["id"], "queued")]
    run_worker()
    listed = official.get(BATCHES).json()
    assert [(i["status"], i["done"], i["lang"]) for i in listed["items"]] == [("done", 1, "en"), ("done", 1, "sv")]
    assert all(i == official.get(f"{BATCHES}/{i['id']}").json() for i in listed["items"])


# --- the check of a batch's assessments: one query --------------------------------------------------


def test_the_assessments_of_a_batch_are_checked_with_one_query(people: dict[str, Api], registry: Any) -> None:
    """However many ids, one statement reads the assessments (scoped to the municipality); the first id
    that fails a check is named, in the order of the checks: listed twice, not found, not renderable."""
    from sqlalchemy import event

    from app.assessments.models import Assessment
    from app.auth.actor import system_actor
    from app.db.engine import get_engine
    from app.errors import NotFound, ValidationFailed
    from app.reports.batches import check_assessments
    from tests.support import make_municipality

    official = people["official"]
    mine = [uuid.UUID(official.create_assessment(f"KS 2026/{n}")["id"]) for n in range(5)]
    theirs = uuid.UUID(people["other"].create_assessment()["id"])
    m = make_municipality("091")
    actor = system_actor(m.id, m.code)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = get_engine(True)
    event.listen(engine, "before_cursor_execute", count)
    try:

        def check(ids: list[uuid.UUID]) -> None:
            statements.clear()
            with session() as s:
                try:
                    check_assessments(s, registry, actor, ids)
                finally:
                    reads = [st for st in statements if "FROM assessment" in st]
                    assert len(reads) == 1, reads

        check(mine)
        missing = uuid.uuid4()
        for ids, error, field, code in (
            ([*mine[:2], missing, mine[0]], NotFound, "assessment_ids.2", "not_found"),
            ([mine[0], mine[0], missing], ValidationFailed, "assessment_ids.1", "duplicate"),
            ([*mine, theirs], NotFound, "assessment_ids.5", "not_found"),
        ):
            with pytest.raises(error) as info:
                check(ids)
            assert [(p.field, p.code) for p in info.value.errors] == [(field, code)]
        with session() as s:  # a rubric this server does not have
            row = s.get(Assessment, mine[3])
            assert row is not None
            row.rubric_version = "9.9.9"
            s.add(row)
            s.commit()
        with pytest.raises(ValidationFailed) as info:
            check([mine[0], mine[3], missing])
        [problem] = info.value.errors
        assert (problem.field, problem.code) == ("assessment_ids.1", "not_renderable")
        assert "9.9.9 is not installed" in problem.message
    finally:
        event.remove(engine, "before_cursor_execute", count)

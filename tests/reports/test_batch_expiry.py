"""A report batch past its retention (7 days) is expired at read time, before the hourly purge deletes it:
`GET` of the batch and of its ZIP answer 410 `report-batch-expired` (never `done` and the ZIP), the list
leaves it out; once purged, 404. The batches are stored directly with their creation moved into the past
(the reads are the same on SQLite; on PostgreSQL the batch is also a real worker's)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.reports.batches import RETENTION
from tests.reports import test_batches
from tests.reports.test_batches import BATCHES, CASES, approved, on_postgresql, run_worker, stored_batch
from tests.support import Api, session

people = test_batches.people  # the fixtures of the batch tests
empty_queue = test_batches.empty_queue
MINUTE = timedelta(minutes=1)


def expired_answer(r: Any, path: str) -> None:
    assert r.status_code == 410, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/report-batch-expired"), problem
    assert problem["status"] == 410 and problem["title"] == "Report batch expired"
    assert problem["instance"] == path
    assert "expired" in problem["detail"] and "7 days" in problem["detail"]


def test_an_expired_batch_is_gone_before_the_purge(people: dict[str, Api]) -> None:
    official = people["official"]
    a = official.create_assessment()
    old = stored_batch("091", [a["id"]], RETENTION + MINUTE)
    new = stored_batch("091", [a["id"]], RETENTION - MINUTE)  # a minute left: still there
    with session() as s:  # not purged: the ZIP is still stored
        assert s.execute(text("SELECT count(*) FROM report_batch WHERE content IS NOT NULL")).scalar_one() == 2

    expired_answer(official.get(f"{BATCHES}/{old}"), f"{BATCHES}/{old}")
    expired_answer(official.get(f"{BATCHES}/{old}/pdfs.zip"), f"{BATCHES}/{old}/pdfs.zip")
    expired_answer(people["reader"].get(f"{BATCHES}/{old}"), f"{BATCHES}/{old}")
    listed = official.get(BATCHES).json()
    assert [i["id"] for i in listed["items"]] == [new] and listed["total"] == 1, listed

    fresh = official.get(f"{BATCHES}/{new}")
    assert fresh.status_code == 200 and fresh.json()["status"] == "done"
    assert official.get(f"{BATCHES}/{new}/pdfs.zip").status_code == 200


def test_another_municipalitys_expired_batch_is_404_not_410(people: dict[str, Api]) -> None:
    """410 says only what the caller may know: a batch of another municipality stays unknown."""
    a = people["official"].create_assessment()
    old = stored_batch("091", [a["id"]], RETENTION + MINUTE)
    assert people["other"].get(f"{BATCHES}/{old}").status_code == 404
    assert people["other"].get(f"{BATCHES}/{old}/pdfs.zip").status_code == 404


def test_once_purged_an_expired_batch_is_404(people: dict[str, Api]) -> None:
    from app.reports import jobs

    a = people["official"].create_assessment()
    old = stored_batch("091", [a["id"]], RETENTION + MINUTE, status="queued")  # never ran: expires too
    expired_answer(people["official"].get(f"{BATCHES}/{old}"), f"{BATCHES}/{old}")
    assert jobs.purge_report_batches(0) == 1
    assert people["official"].get(f"{BATCHES}/{old}").status_code == 404


def test_the_openapi_document_declares_the_410(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (BATCHES + "/{batch_id}", BATCHES + "/{batch_id}/pdfs.zip"):
        answer = paths[path]["get"]["responses"]["410"]
        assert "report-batch-expired" in answer["description"]
        assert answer["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_batch_rendered_by_the_worker_expires_at_read_time(people: dict[str, Api]) -> None:
    """A real batch (queued by the API, rendered by a procrastinate worker) with its creation moved past
    the retention in the database: no longer `done`, its ZIP no longer served, no longer listed."""
    official = people["official"]
    a = approved(people, *CASES[0])
    r = official.post(BATCHES, {"assessment_ids": [a["id"]], "lang": "sv"})
    assert r.status_code == 202, r.text
    batch_id = r.json()["id"]
    run_worker()
    assert official.get(f"{BATCHES}/{batch_id}").json()["status"] == "done"
    assert official.get(f"{BATCHES}/{batch_id}/pdfs.zip").status_code == 200
    with session() as s:
        s.execute(
            text("UPDATE report_batch SET created_at = created_at - :age WHERE id = :id"),
            {"age": RETENTION, "id": uuid.UUID(batch_id)},
        )
        s.commit()
    expired_answer(official.get(f"{BATCHES}/{batch_id}"), f"{BATCHES}/{batch_id}")
    expired_answer(official.get(f"{BATCHES}/{batch_id}/pdfs.zip"), f"{BATCHES}/{batch_id}/pdfs.zip")
    assert official.get(BATCHES).json()["items"] == []

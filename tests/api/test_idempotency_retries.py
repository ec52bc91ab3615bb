"""Idempotency-Key keeps only successful answers: after a 4xx the key is free, so the corrected retry
runs instead of getting the old error forever. A reservation whose request never finished (the process
was killed) is taken over once its lease has run out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from app.api.middleware import IDEMPOTENCY_LEASE
from app.api.models import IdempotencyRecord
from app.db.base import utcnow
from app.db.session import unit_of_work
from tests.support import Api

OPTION = {"title": "Etapp 1 utan stickspår"}


def _alternatives(api: Api, a: dict[str, Any]) -> str:
    return f"/api/v1/assessments/{a['id']}/alternatives"


def test_a_retry_with_a_fresh_if_match_runs_after_412_and_428(api: Api) -> None:
    a = api.create_assessment()
    url, h = _alternatives(api, a), {"Idempotency-Key": "add-option-1"}
    assert api.post(url, OPTION, headers=h).status_code == 428
    stale = api.post(url, OPTION, '"v0"', headers=h)
    assert stale.status_code == 412 and "idempotent-replayed" not in stale.headers
    fresh = api.post(url, OPTION, api.etag(a["id"]), headers=h)
    assert fresh.status_code == 201, fresh.text
    assert "idempotent-replayed" not in fresh.headers and fresh.json()["key"] == "option-1"
    # the success is kept: a retry (whatever its If-Match: headers are not part of the fingerprint) replays it
    again = api.post(url, OPTION, '"v0"', headers=h)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == fresh.json()
    assert [x["key"] for x in api.get(f"/api/v1/assessments/{a['id']}").json()["alternatives"]] == [
        "proposal",
        "zero",
        "option-1",
    ]


def test_a_corrected_body_may_reuse_the_key_of_a_422_or_409(api: Api) -> None:
    h = {"Idempotency-Key": "new-decision"}
    bad = api.post("/api/v1/decisions", {"case_number": "", "title": "t", "deciding_body": "KS"}, headers=h)
    assert bad.status_code == 422
    good = {"case_number": "KS 1/2027", "title": "t", "deciding_body": "KS"}
    r = api.post("/api/v1/decisions", good, headers=h)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers, r.text
    # a conflict frees the key too: once the case number is free again, the same request runs
    other = {"case_number": "KS 2/2027", "title": "t", "deciding_body": "KS"}
    api.post("/api/v1/decisions", other)
    h2 = {"Idempotency-Key": "second"}
    assert api.post("/api/v1/decisions", other, headers=h2).status_code == 409
    taken = api.get("/api/v1/decisions", params={"case_number": "KS 2/2027"}).json()["items"][0]
    renamed = api.patch(f"/api/v1/decisions/{taken['id']}", {"case_number": "KS 3/2027"}, '"v1"')
    assert renamed.status_code == 200
    r = api.post("/api/v1/decisions", other, headers=h2)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers, r.text
    with unit_of_work(write=False) as s:
        assert {rec.key: rec.status_code for rec in s.exec(select(IdempotencyRecord)).all()} == {
            "new-decision": 201,
            "second": 201,
        }


def _leave_in_progress(key: str, age: timedelta) -> None:
    """What a request killed after reserving its key leaves behind: a reservation without an answer."""
    with unit_of_work() as s:
        record = s.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).one()
        record.status_code, record.response_body, record.response_headers = None, None, {}
        record.created_at = utcnow() - age
        s.add(record)


def test_a_reservation_whose_request_died_is_taken_over_after_its_lease(api: Api) -> None:
    a = api.create_assessment()
    url, h = _alternatives(api, a), {"Idempotency-Key": "killed"}
    assert api.post(url, OPTION, api.etag(a["id"]), headers=h).status_code == 201
    _leave_in_progress("killed", IDEMPOTENCY_LEASE - timedelta(minutes=1))
    busy = api.post(url, OPTION, api.etag(a["id"]), headers=h)
    assert busy.status_code == 409 and "in progress" in busy.json()["detail"]
    _leave_in_progress("killed", IDEMPOTENCY_LEASE + timedelta(seconds=1))
    r = api.post(url, OPTION, api.etag(a["id"]), headers=h)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers, r.text
    assert r.json()["key"] == "option-2"  # it ran again (the first may or may not have taken effect)
    replayed = api.post(url, OPTION, api.etag(a["id"]), headers=h)
    assert replayed.headers["idempotent-replayed"] == "true" and replayed.json() == r.json()


def test_an_expired_reservation_of_another_request_is_still_refused(api: Api) -> None:
    a = api.create_assessment()
    url, h = _alternatives(api, a), {"Idempotency-Key": "killed-2"}
    assert api.post(url, OPTION, api.etag(a["id"]), headers=h).status_code == 201
    _leave_in_progress("killed-2", IDEMPOTENCY_LEASE * 2)
    r = api.post(url, {"title": "Something else"}, api.etag(a["id"]), headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"

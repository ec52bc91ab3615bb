"""Found by walking the API as a case-management system's integrator would, through real HTTP.

* A webhook's `url` and `description` follow the one rule for typed text (app/text.py): bidirectional
  overrides and isolates and the noncharacters were stored (only C0 controls were refused).
* `POST /rubric-extensions` is an admin route: a token without the admin right got a 422 listing the
  body's fields (and only a 403 once the body was right); it is refused before the body is read, as
  every other admin route is.
* `PATCH /municipalities/{code}/settings` with `{}` wrote an audit event (and so moved the chain's head,
  which every kept page hangs on): an empty change writes nothing.
* `If-Match: "v01"` matched version 1: ETags compare strongly, character by character, so it is a 412.
* The OpenAPI document left out the 409 of `POST /webhooks` and `POST /report-batches` (a request with
  the same Idempotency-Key still in progress), which every other POST declares.
* A batch that lost its worker reads `failed`, but its ZIP's 409 said `the batch is running`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from app.api.models import IdempotencyRecord
from app.db.base import utcnow
from app.db.session import unit_of_work
from tests.support import Api, make_report_batch, make_token
from tests.webhooks.conftest import subscribe

WEBHOOKS = "/api/v1/webhooks"
RECEIVER = "http://127.0.0.1:9/hooks/livskraft"  # never called here (tests allow a local http URL)


@pytest.fixture
def admin(client: Any) -> Api:
    return Api(client, make_token("091", ("read", "write", "admin")))


def _audit_count(admin: Api) -> int:
    return len(admin.get("/api/v1/audit-events", params={"limit": 200}).json()["items"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Diarium \u202eexe.pdf"),  # RIGHT-TO-LEFT OVERRIDE
        ("description", "Diarium \u2066isolate\u2069"),
        ("description", "Diarium \ufffe"),
        ("description", "Diarium\tkommun"),  # one line: refused before, still refused
        ("url", "https://diarium.example.fi/hooks/\u202efdp.exe"),
    ],
)
def test_webhook_text_follows_the_text_rule(admin: Api, field: str, value: str) -> None:
    body = {"url": RECEIVER, "events": ["assessment.approved"], field: value}
    r = admin.post(WEBHOOKS, body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert admin.get(WEBHOOKS).json() == []  # nothing stored

    hook = subscribe(admin, RECEIVER, description="Diarium")
    url = f"{WEBHOOKS}/{hook['id']}"
    etag = admin.get(url).headers["ETag"]
    r = admin.patch(url, {field: value}, etag)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    after = admin.get(url)
    assert after.headers["ETag"] == etag and after.json()["description"] == "Diarium"


def test_webhook_text_keeps_what_scripts_need(admin: Api) -> None:
    """The zero-width joiner and the directional marks stay, as everywhere else."""
    hook = subscribe(admin, RECEIVER, description="Diarium \u200d\u200f\u05d0")
    assert hook["description"] == "Diarium \u200d\u200f\u05d0"


@pytest.mark.parametrize("scopes", [("read", "write"), ("read",), ("read", "admin")])
def test_publishing_a_rubric_extension_checks_the_admin_right_before_the_body(client: Any, scopes: Any) -> None:
    caller = Api(client, make_token("091", scopes))
    r = caller.post("/api/v1/rubric-extensions", {"not": "an extension"})
    assert r.status_code == 403, r.text
    assert r.json()["errors"] == []
    assert caller.get("/api/v1/rubric-extensions").json() == []


def test_an_admin_still_gets_the_body_checked(admin: Api) -> None:
    r = admin.post("/api/v1/rubric-extensions", {"not": "an extension"})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} >= {"id", "version", "not"}


def test_an_empty_settings_change_writes_nothing(admin: Api) -> None:
    etag = admin.municipality_etag("091")
    events = _audit_count(admin)
    r = admin.patch("/api/v1/municipalities/091/settings", {}, etag)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == etag and r.json()["settings"] == {}
    assert _audit_count(admin) == events
    stale = admin.patch("/api/v1/municipalities/091/settings", {}, '"s0000"')
    assert stale.status_code == 412  # a stale If-Match is still refused
    changed = admin.patch("/api/v1/municipalities/091/settings", {"brand_colour": "#00509e"}, etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _audit_count(admin) == events + 1


@pytest.mark.parametrize("tag", ['"v01"', '"v001"', '"v0000000001"'])
def test_an_etag_with_leading_zeros_is_not_the_one_sent(api: Api, tag: str) -> None:
    decision = api.create_decision()
    url = f"/api/v1/decisions/{decision['id']}"
    assert api.get(url).headers["ETag"] == '"v1"'
    r = api.patch(url, {"title": "Ändrad titel"}, tag)
    assert r.status_code == 412, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert api.get(url).json()["title"] == decision["title"]  # nothing written
    assessment = api.create_assessment("KS 2026/2")
    r = api.post(f"/api/v1/assessments/{assessment['id']}/submit", {}, tag)
    assert r.status_code == 412 and api.get(f"/api/v1/assessments/{assessment['id']}").json()["status"] == "draft"
    assert api.patch(url, {"title": "Ändrad titel"}, '"v1"').status_code == 200


def test_every_post_declares_the_answers_of_an_idempotency_key(client: Any) -> None:
    """Any POST may carry an Idempotency-Key: 409 while a request with it runs, 422 for another request."""
    spec = client.get("/openapi.json").json()
    missing = [
        f"POST {path} {status}"
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/") and "post" in operations
        for status in ("409", "422")
        if status not in operations["post"]["responses"]
    ]
    assert not missing, missing


def test_a_webhook_creation_still_in_progress_is_409_as_declared(admin: Api) -> None:
    body, key = {"url": RECEIVER, "events": ["assessment.approved"]}, {"Idempotency-Key": "diarium-1"}
    first = admin.post(WEBHOOKS, body, headers=key)
    assert first.status_code == 201
    with unit_of_work() as s:  # what a request still running (or killed a moment ago) leaves behind
        record = s.exec(select(IdempotencyRecord).where(col(IdempotencyRecord.key) == "diarium-1")).one()
        record.status_code, record.response_body, record.response_headers = None, None, {}
        record.created_at = utcnow()
        s.add(record)
    r = admin.post(WEBHOOKS, body, headers=key)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    declared = admin.client.get("/openapi.json").json()["paths"][WEBHOOKS]["post"]["responses"]
    assert "409" in declared
    assert len(admin.get(WEBHOOKS).json()) == 1


def test_the_zip_of_a_batch_that_lost_its_worker_says_failed(api: Api) -> None:
    assessment = api.create_assessment()
    batch_id = make_report_batch("091", [assessment["id"]], status="running")
    from app.reports.models import ReportBatch

    with unit_of_work() as s:
        s.execute(
            update(ReportBatch)
            .where(col(ReportBatch.id) == uuid.UUID(batch_id))
            .values(updated_at=utcnow() - timedelta(minutes=16))
        )
    batch = api.get(f"/api/v1/report-batches/{batch_id}")
    assert batch.status_code == 200 and batch.json()["status"] == "failed"
    r = api.get(f"/api/v1/report-batches/{batch_id}/pdfs.zip")
    assert r.status_code == 409, r.text
    assert "failed" in r.json()["detail"] and "running" not in r.json()["detail"]


def test_every_post_declares_the_idempotency_key_header(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops and path.startswith("/api/")}
    assert "/api/v1/decisions" in posts
    for path, post in posts.items():
        [header] = [p for p in post.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert header["required"] is False and header["schema"]["maxLength"] == 200, path
    gets = [ops["get"] for ops in spec["paths"].values() if "get" in ops]
    assert not any(p["name"] == "Idempotency-Key" for g in gets for p in g.get("parameters", []))

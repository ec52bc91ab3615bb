"""A change whose path names no resource at all — a malformed id — is a 422 naming the path parameter,
as on every other route, also when ``If-Match`` is missing (was 428) or not one of our ETags (was 412):
the path is checked before the precondition. Walks every operation that takes ``If-Match``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support import Api, make_token, make_user

MALFORMED = ["%00", "not-a-uuid", "1"]


def _if_match_operations(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            names = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            if "if-match" in names:
                found.append((method.upper(), path, op))
    return found


def _uuid_params(op: dict[str, Any]) -> list[str]:
    return [
        p["name"] for p in op.get("parameters", []) if p["in"] == "path" and p.get("schema", {}).get("format") == "uuid"
    ]


@pytest.fixture
def callers(client: Any) -> dict[str, Api]:
    """Who may call each change: approving and returning take a reviewer's personal token."""
    reviewer = make_user("091", "riikka@hel.fi", "reviewer")
    return {
        "admin": Api(client, make_token("091", ("read", "write", "admin"))),
        "reviewer": Api(client, make_token("091", ("read", "write"), reviewer.id)),
    }


def test_every_if_match_route_checks_its_path_first(client: Any, callers: dict[str, Api]) -> None:
    operations = _if_match_operations(client)
    covered = {f"{m} {p}" for m, p, _ in operations}
    assert "POST /api/v1/assessments/{assessment_id}/submit" in covered
    assert "DELETE /api/v1/assessments/{assessment_id}/ratings/{rating_id}" in covered
    assert "PATCH /api/v1/webhooks/{webhook_id}" in covered
    assert "PATCH /api/v1/decisions/{decision_id}" in covered
    a = callers["admin"].create_assessment()
    real = {"assessment_id": a["id"], "decision_id": a["decision_id"]}  # the others' ids exist: only one is wrong
    wrong = []
    for method, template, op in operations:
        api = callers["reviewer" if template.endswith(("/approve", "/return")) else "admin"]
        params = _uuid_params(op)
        assert params or template.endswith("/settings"), template
        for bad_param in params:
            for bad in MALFORMED:
                path = template
                for name in params:
                    path = path.replace(
                        "{" + name + "}", bad if name == bad_param else real.get(name, str(uuid.uuid4()))
                    )
                path = path.replace("{key}", "proposal")
                for if_match in (None, "x", '"v1"'):
                    headers = {"If-Match": if_match} if if_match else {}
                    kw: dict[str, Any] = {"headers": headers}
                    if method != "DELETE":
                        kw["json"] = {}
                    r = getattr(api, method.lower())(path, **kw)
                    fields = [e["field"] for e in r.json().get("errors", [])] if r.status_code == 422 else []
                    if r.status_code != 422 or f"path.{bad_param}" not in fields:
                        wrong.append(f"{method} {path} If-Match={if_match}: {r.status_code} {r.text[:200]}")
                    else:
                        assert r.headers["content-type"] == "application/problem+json"
    assert not wrong, "\n".join(wrong)


def test_a_well_formed_path_still_gets_428_and_412(api: Api) -> None:
    a = api.create_assessment()
    url = f"/api/v1/assessments/{a['id']}/submit"
    assert api.post(url, {}).status_code == 428
    assert api.post(url, {}, headers={"If-Match": "x"}).status_code == 412
    unknown = f"/api/v1/assessments/{uuid.uuid4()}/submit"
    assert api.post(unknown, {}).status_code == 404  # the assessment is looked up before If-Match


def test_submit_with_a_nul_id_is_422_as_reading_it_is(api: Api) -> None:
    read = api.get("/api/v1/assessments/%00")
    assert read.status_code == 422, read.text
    r = api.post("/api/v1/assessments/%00/submit", {})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == read.json()["errors"]
    assert [e["field"] for e in r.json()["errors"]] == ["path.assessment_id"]

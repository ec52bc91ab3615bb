"""Walk every API route with every kind of principal and check the authorisation matrix cell by cell.

A denied call must be 403 (401 without a token) with a problem body that names no resource data; an
allowed call must not be 401/403 (it may still be 404/409/412/422 for the data used).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_review_flow import act, screened_and_rated
from tests.security import matrix
from tests.support import Api, make_report_batch, make_token, make_user

ROOT = Path(__file__).resolve().parents[2]
QUERIES = {"/api/v1/reports/portfolio": {"from": "2000-01-01", "to": "2100-12-31"}}
BODY_EXAMPLES = {"create_rubric_extension": "vaasa"}
"""Operations whose right is checked by the service, after the body is validated: they are called with
their OpenAPI example (a valid body), so a denial shows as 403 rather than hiding behind a 422."""


def _body(method: str, path: str, op: str) -> Any:
    if op not in BODY_EXAMPLES:
        return {} if method in ("POST", "PUT", "PATCH") else None
    spec = _spec()
    content = spec["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]
    return content["examples"][BODY_EXAMPLES[op]]["value"]


def _spec() -> dict[str, Any]:
    from app.main import create_app

    return dict(create_app().openapi())


def test_the_matrix_names_only_real_operation_ids() -> None:
    """A name in ADMIN_OPS / REVIEW_OPS / PUBLIC_OPS (or here) that is no operation id would make the
    matrix fall back to the read/write rule for the real operation without anyone noticing."""
    operations = matrix.api_operations()
    assert not matrix.unknown_operations(operations), matrix.unknown_operations(operations)
    real = {op for _, _, op in operations}
    assert set(BODY_EXAMPLES) <= real, sorted(set(BODY_EXAMPLES) - real)
    assert len(real) == len(operations), "operation ids must be unique"


@pytest.fixture
def world(client) -> dict[str, Any]:
    users = {role: make_user("905", f"{role}@vasa.fi", role) for role in ("official", "reviewer", "admin", "council")}
    apis = {role: Api(client, make_token("905", ("read", "write", "admin"), u.id)) for role, u in users.items()}
    apis["token:read"] = Api(client, make_token("905", ("read",)))
    apis["token:write"] = Api(client, make_token("905", ("read", "write")))
    apis["token:admin"] = Api(client, make_token("905", ("read", "write", "admin")))
    author = apis["official"]
    approved = screened_and_rated(author)
    act(author, approved, "submit")
    act(apis["reviewer"], approved, "approve")
    hook = apis["token:admin"].post(
        "/api/v1/webhooks", {"url": "https://hooks.vasa.fi/x", "events": ["assessment.approved"]}
    )
    rating = author.get(f"/api/v1/assessments/{approved['id']}/ratings").json()[0]
    ids = {
        "decision_id": approved["decision_id"],
        "assessment_id": approved["id"],
        "rating_id": rating["id"],
        "key": "option-1",
        "code": "905",
        "rubric_id": "kuntaliitto-vitality",
        "version": "1.0.0",
        "batch_id": make_report_batch("905", [approved["id"]]),
    }
    if hook.status_code == 201:
        ids["webhook_id"] = ids["subscription_id"] = hook.json()["id"]
    return {"apis": apis, "ids": ids}


def test_every_api_route_matches_the_matrix(client, world: dict[str, Any]) -> None:
    mismatches = []
    ids = world["ids"]
    for method, path, op in matrix.api_operations():
        url = path
        for p in re.findall(r"{(\w+)}", path):
            if p not in ids:
                pytest.fail(f"no value for {{{p}}} in {method} {path}: extend the fixture")
            url = url.replace("{" + p + "}", str(ids[p]))
        for principal in matrix.API_PRINCIPALS:
            api = world["apis"][principal]
            r = client.request(
                method,
                url,
                params=QUERIES.get(path),
                json=_body(method, path, op),
                headers={"Authorization": f"Bearer {api.token}", "If-Match": '"v1"'},
            )
            expect = matrix.allowed(principal, op, method)
            if expect and r.status_code in (401, 403):
                mismatches.append(f"{principal} denied {method} {path}: {r.status_code} {r.text[:120]}")
            if not expect:
                if r.status_code != 403:
                    mismatches.append(f"{principal} NOT denied {method} {path}: {r.status_code}")
                elif str(ids["assessment_id"]) in r.json().get("detail", ""):
                    mismatches.append(f"{method} {path}: the 403 detail names the resource")
        if matrix.required(op, method) is not None:
            r = client.request(method, url, params=QUERIES.get(path))
            if r.status_code != 401:
                mismatches.append(f"anonymous {method} {path}: {r.status_code}")
    assert not mismatches, "\n".join(mismatches)


def test_matrix_document_is_current() -> None:
    doc = (ROOT / "docs" / "authorisation-matrix.md").read_text(encoding="utf-8")
    assert matrix.table(matrix.api_operations()) in doc, "run: .venv/bin/python -m tests.security.matrix"

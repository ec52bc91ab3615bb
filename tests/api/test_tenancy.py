"""Tenant isolation on every route: enumerate the OpenAPI document and try each across municipalities.

Municipality B's resources are addressed with an admin token of municipality A: every route with a
resource in its path must answer 404, and no list may contain B's data.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_report_batch, make_token, make_user

PUBLIC_PREFIXES = ("/api/v1/rubrics",)  # the rubric catalogue is shared by all municipalities
QUERIES = {"/api/v1/reports/portfolio": {"from": "2000-01-01", "to": "2100-12-31"}}
B_CASE_NUMBER = "KS 2026/1"


@pytest.fixture
def tenants(client) -> dict[str, Any]:
    official = Api(client, make_token("0180", ("read", "write"), make_user("0180", "o@stockholm.se", "official").id))
    reviewer = Api(client, make_token("0180", ("read", "write"), make_user("0180", "r@stockholm.se", "reviewer").id))
    a = screened_and_rated(official)
    act(official, a, "submit")
    act(reviewer, a, "approve")
    draft = official.create_assessment("KS 2026/99")
    official.post(f"/api/v1/assessments/{draft['id']}/alternatives", {"title": "Etapp 1"}, official.etag(draft["id"]))
    rating = official.get(f"/api/v1/assessments/{a['id']}/ratings").json()[0]
    b_admin = Api(client, make_token("0180", ("read", "write", "admin")))
    ids = {
        "decision_id": a["decision_id"],
        "assessment_id": a["id"],
        "rating_id": rating["id"],
        "key": "option-1",
        "code": "0180",
        "batch_id": make_report_batch("0180", [a["id"]]),
    }
    hook = b_admin.post(
        "/api/v1/webhooks", {"url": "https://hooks.stockholm.se/livskraft", "events": ["assessment.approved"]}
    )
    if hook.status_code == 201:
        ids["webhook_id"] = hook.json()["id"]
        ids["subscription_id"] = hook.json()["id"]
    attacker = Api(client, make_token("091", ("read", "write", "admin")))
    return {"ids": ids, "attacker": attacker, "draft": draft}


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _operations(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if path.startswith("/api/") and not path.startswith(PUBLIC_PREFIXES)
    ]


def test_every_route_is_confined_to_its_municipality(client, tenants: dict[str, Any]) -> None:
    ids, attacker = tenants["ids"], tenants["attacker"]
    secret_values = {str(v) for k, v in ids.items() if k.endswith("_id")}
    checked = 0
    for method, path in _operations(client):
        params = re.findall(r"{(\w+)}", path)
        if params:
            if any(p not in ids for p in params):
                pytest.fail(f"no cross-tenant value for {params} in {method} {path}: extend the fixture")
            url = path
            for p in params:
                url = url.replace("{" + p + "}", str(ids[p]))
            r = attacker.client.request(
                method,
                url,
                json={} if method in ("POST", "PUT", "PATCH") else None,
                headers={"Authorization": f"Bearer {attacker.token}", "If-Match": '"v1"'},
            )
            assert r.status_code == 404, f"{method} {path} -> {r.status_code}: {r.text[:200]}"
            checked += 1
        elif method == "GET":
            r = attacker.get(path, params=QUERIES.get(path))
            assert r.status_code == 200, f"GET {path} -> {r.status_code}"
            text = _pdf_text(r.content) if r.headers["content-type"] == "application/pdf" else r.text
            assert B_CASE_NUMBER not in text, f"GET {path} shows another municipality's decision"
            leaked = [v for v in secret_values if v in text]
            assert not leaked, f"GET {path} leaks another municipality's ids {leaked}"
            checked += 1
    assert checked >= 20

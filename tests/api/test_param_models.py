"""Routes whose parameters are validated as one model (app/api/param_models.py) refuse bad ones as
FastAPI does: 422 problem+json naming each parameter, unknown ones ignored, the last of a repeated one
counting, and a refusal of the caller (401, 404) before any parameter is looked at."""

from __future__ import annotations

from typing import Any

from tests.support import Api


def _fields(r: Any) -> dict[str, str]:
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    return {e["field"]: e["code"] for e in r.json()["errors"]}


def test_portfolio_parameters(api: Api) -> None:
    path = "/api/v1/portfolio/impacts"
    assert _fields(api.get(path, params={"year": 1999, "scope": "world"})) == {
        "query.year": "greater_than_equal",
        "query.scope": "literal_error",
    }
    assert _fields(api.get(path, params={"year": "x"})) == {"query.year": "int_parsing"}
    body = api.get(path, params={"year": 2025, "unknown": "1"})
    assert body.status_code == 200 and body.json()["year"] == 2025
    assert api.get(f"{path}?year=1999&year=2024").json()["year"] == 2024
    assert Api(api.client, "lk_" + "x" * 43).get(path, params={"year": 1999}).status_code == 401


def test_decision_summary_parameters(api: Api) -> None:
    aid = api.create_assessment()["id"]
    path = f"/api/v1/assessments/{aid}/report"
    assert _fields(api.get(path, params={"lang": "de", "variant": "pdf"})) == {
        "query.lang": "literal_error",
        "query.variant": "literal_error",
    }
    other = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/api/v1/assessments/{other}/report", params={"lang": "de"}).status_code == 404
    assert _fields(api.get("/api/v1/assessments/not-an-id/report")) == {"path.assessment_id": "uuid_parsing"}

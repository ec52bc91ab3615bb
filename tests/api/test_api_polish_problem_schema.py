"""The OpenAPI `Problem` schema declares every extension member the API sends in a problem
(`assessment_id`, `assessment_status`, `current_version`, `decisions`, `limit`, `database`), each
optional and described, so a generated client sees them; more members may still come
(`additionalProperties: true`). Each is checked against problems the API really sends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_health_instance import unreachable
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, make_user

__all__ = ["unreachable"]  # a fixture
STANDARD = {"type", "title", "status", "detail", "instance", "errors"}
EXTENSIONS = {"assessment_id", "assessment_status", "current_version", "decisions", "limit", "database"}
JSON_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "array": list, "object": dict}


def _schema(client: Any) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json()["components"]["schemas"]["Problem"])


def _conforms(body: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """What in ``body`` the schema does not declare, or declares otherwise (type, enum, const)."""
    wrong = []
    for key, value in body.items():
        declared = schema["properties"].get(key)
        if declared is None:
            wrong.append(f"{key}: not declared")
            continue
        kinds = [b["type"] for b in declared.get("anyOf", [declared]) if "type" in b]
        if not any(value is None if k == "null" else isinstance(value, JSON_TYPES[k]) for k in kinds):
            wrong.append(f"{key}: {value!r} is not {kinds}")
        if "enum" in declared and value not in declared["enum"]:
            wrong.append(f"{key}: {value!r} not in {declared['enum']}")
        if "const" in declared and value != declared["const"]:
            wrong.append(f"{key}: {value!r} is not {declared['const']!r}")
    return wrong


def test_the_extension_members_are_declared_optional_and_described(client: Any) -> None:
    schema = _schema(client)
    assert set(schema["properties"]) == STANDARD | EXTENSIONS
    assert not EXTENSIONS & set(schema.get("required", []))
    for name in EXTENSIONS:
        member = schema["properties"][name]
        assert member.get("description"), name
        assert "anyOf" not in member and member.get("type") != "null", f"{name}: sent with a value or not at all"
    assert schema["properties"]["assessment_id"]["format"] == "uuid"
    assert schema["additionalProperties"] is True


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return dict(r.json())


def _sent_by_the_api(client: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Problems with each extension member but `database`, as the API sends them."""
    from app.settings import get_settings

    official = Api(client, make_token("091", ("read", "write"), make_user("091", "olli@hel.fi", "official").id))
    a = screened_and_rated(official)
    stale = official.put_ratings(a["id"], [])  # the version moves on: the next If-Match is stale
    assert stale.status_code == 200, stale.text
    outdated = official.put(f"/api/v1/assessments/{a['id']}/ratings", {"ratings": []}, '"v1"')
    second = official.post(f"/api/v1/decisions/{a['decision_id']}/assessments", {})
    assert act(official, a, "submit").status_code == 200
    url = f"/api/v1/decisions/{a['decision_id']}"
    fixed = official.patch(url, {"title": "Ny rubrik"}, official.get(url).headers["ETag"])
    monkeypatch.setenv("LIVSKRAFT_PDF_MAX_DECISIONS", "0")
    get_settings.cache_clear()
    try:
        too_many = official.get("/api/v1/reports/portfolio", params={"from": "2000-01-01", "to": "2099-12-31"})
    finally:
        monkeypatch.delenv("LIVSKRAFT_PDF_MAX_DECISIONS")
        get_settings.cache_clear()
    problems = [_problem(outdated, 412), _problem(second, 409), _problem(fixed, 409), _problem(too_many, 422)]
    assert problems[0]["current_version"] >= 2
    assert problems[1]["assessment_id"] == a["id"]
    assert (problems[2]["assessment_id"], problems[2]["assessment_status"]) == (a["id"], "submitted")
    assert (problems[3]["decisions"], problems[3]["limit"]) == (1, 0)
    return problems


def test_every_member_sent_is_declared_with_its_type(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = _schema(client)
    problems = _sent_by_the_api(client, monkeypatch)
    wrong = [f"{p['status']} {m}" for p in problems for m in _conforms(p, schema)]
    assert not wrong, wrong
    assert EXTENSIONS - {"database"} <= {key for p in problems for key in p}


def test_the_health_checks_member_is_declared(unreachable: TestClient) -> None:
    """`/healthz` with the database away (another app, whose database URL names a closed port)."""
    body = _problem(unreachable.get("/healthz"), 503)
    assert body["database"] == "unreachable"
    assert not _conforms(body, _schema(unreachable))

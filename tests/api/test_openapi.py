"""The OpenAPI document is complete enough for a generated client and for fuzzing."""

from __future__ import annotations

from typing import Any


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_openapi_31_with_unique_operation_ids(client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    ids = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(ids) == len(set(ids))


def test_every_operation_has_summary_and_declared_errors(client) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, op in _operations(spec):
        assert op.get("summary"), f"{method} {path} has no summary"
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/rubrics/schema"):
            declared = {int(s) for s in op["responses"] if s.isdigit() and int(s) >= 400}
            assert 401 in declared, f"{method} {path} does not declare 401"
            problem = op["responses"]["401"]["content"]
            assert "application/problem+json" in problem, f"{method} {path}: 401 is not problem+json"
        if method in ("put", "patch") or (method == "post" and "{" in path and "/versions" not in path):
            params = {p["name"].lower() for p in op.get("parameters", [])}
            if "if-match" in params:
                assert "412" in op["responses"] and "428" in op["responses"], f"{method} {path}"


def test_links_for_stateful_clients(client) -> None:
    spec = client.get("/openapi.json").json()
    create = spec["paths"]["/api/v1/decisions/{decision_id}/assessments"]["post"]
    ops = {op["operationId"] for _, _, op in _operations(spec)}
    for link in create["responses"]["201"]["links"].values():
        assert link["operationId"] in ops


def test_every_operation_is_described_and_every_body_has_an_example(client) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    missing = []
    for method, path, op in _operations(spec):
        if not op.get("description"):
            missing.append(f"{method} {path}: description")
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            schema = body.get("schema", {})
            refs = [schema.get("$ref", "")] + [s.get("$ref", "") for s in schema.get("anyOf", [])]
            names = [r.rsplit("/", 1)[-1] for r in refs if r]
            if not ("examples" in body or any("examples" in schemas.get(n, {}) for n in names)):
                missing.append(f"{method} {path}: request example")
    assert not missing, missing


def test_schema_examples_are_valid_requests(client) -> None:
    """The examples must themselves pass validation, or they mislead integrators."""
    from app.assessments import schemas as s

    for model in (
        s.DecisionCreate,
        s.DecisionUpdate,
        s.AssessmentCreate,
        s.ScreeningUpdate,
        s.AlternativeCreate,
        s.AlternativeUpdate,
        s.RatingsUpdate,
        s.ReviewAction,
        s.ReviewDateUpdate,
        s.FollowUpCreate,
    ):
        for example in (model.model_config.get("json_schema_extra") or {}).get("examples", []):  # type: ignore[union-attr]
            model.model_validate(example)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref" and isinstance(v, str)] + [
            r for v in node.values() for r in _refs(v)
        ]
    return [r for v in node for r in _refs(v)] if isinstance(node, list) else []


def test_every_reference_resolves(client) -> None:
    """Parameters documented from a model (app/api/param_models.py) refer to shared schemas such as
    Target; each reference must name a schema the document holds."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    refs = _refs(spec)
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert not {r.rsplit("/", 1)[-1] for r in refs} - set(schemas)
    listed = spec["paths"]["/api/v1/assessments"]["get"]["parameters"]
    assert {p["name"] for p in listed} == {
        "status",
        "deciding_body",
        "from",
        "to",
        "perspective",
        "target",
        "significant_negative",
        "decision_id",
        "sort",
        "order",
        "limit",
        "cursor",
    }
    assert all(p["in"] == "query" and p["required"] is False for p in listed)
    target = next(p for p in listed if p["name"] == "target")
    assert target["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/Target"}

"""Every error answer is documented as it is sent: `application/problem+json` with the Problem schema,
and no other media type (a generated client picks the documented one to parse errors)."""

from __future__ import annotations

from typing import Any


def test_every_error_is_problem_json_with_the_problem_schema(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    wrong = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.isdigit() and int(status) >= 400:
                    expected = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    if answer.get("content") != expected:
                        wrong.append(f"{method} {path} {status}: {answer.get('content')}")
    assert not wrong, wrong
    schemas = spec["components"]["schemas"]
    assert "errors" in schemas["Problem"]["properties"]
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 format is never sent

"""A body that is not valid JSON — bytes that are not UTF-8 text included — is a 422 naming the field
`body` (code `json_invalid`), never a 400 "error parsing the body", and never a character offset as
the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api


def send(api: Api, method: str, path: str, raw: bytes, etag: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    return api.client.request(method, path, content=raw, headers=headers)


def body_refused(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"] == "the request body is not valid JSON"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("body", "json_invalid")], problem
    return dict(problem["errors"][0])


@pytest.mark.parametrize(
    "raw",
    [
        b'{"case_number":"\xff"}',
        '{"case_number":"KS 1/2026","title":"Gata i Ä","deciding_body":"KS"}'.encode("latin-1"),
        b'{"title":"\xc3"}',  # a UTF-8 sequence cut short
    ],
)
def test_a_body_that_is_not_utf8_is_422_naming_the_body(api: Api, raw: bytes) -> None:
    error = body_refused(send(api, "POST", "/api/v1/decisions", raw))
    assert "UTF-8" in error["message"]
    assert api.get("/api/v1/decisions").json()["total"] == 0


def test_the_same_on_a_change(api: Api) -> None:
    d = api.create_decision("KS 2026/1")
    body_refused(send(api, "PATCH", f"/api/v1/decisions/{d['id']}", b'{"title":"\xff"}', '"v1"'))


def test_invalid_json_names_the_body_and_gives_the_position_in_the_message(api: Api) -> None:
    raw = b'{"case_number": }'
    error = body_refused(send(api, "POST", "/api/v1/decisions", raw))
    assert "at character 16" in error["message"] and "Expecting value" in error["message"]

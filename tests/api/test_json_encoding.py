"""JSON bodies are UTF-8 (RFC 8259 §8.1): a body in UTF-16 or UTF-32, with or without a byte order mark,
which Python's `json.loads` would decode, is a 422 naming `body` (code `json_invalid`) like any other body
that is not UTF-8 text, and nothing is stored. A UTF-8 byte order mark is ignored (RFC 8259 allows it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import Api

DECISION = {"case_number": "KS 2026/1", "title": "Gata i Åkerby", "deciding_body": "KS"}


def send(api: Api, method: str, path: str, raw: bytes, **headers: str) -> Any:
    sent = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json", **headers}
    return api.client.request(method, path, content=raw, headers=sent)


def refused(r: Any, encoding: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"] == "the request body is not valid JSON"
    assert problem["type"].endswith("/validation-error") and problem["instance"]
    [error] = problem["errors"]
    assert (error["field"], error["code"]) == ("body", "json_invalid")
    assert "not UTF-8" in error["message"] and encoding in error["message"], error


ENCODED = [
    pytest.param(b"\xff\xfe" + json.dumps(DECISION).encode("utf-16-le"), "UTF-16", id="utf-16-le-bom"),
    pytest.param(b"\xfe\xff" + json.dumps(DECISION).encode("utf-16-be"), "UTF-16", id="utf-16-be-bom"),
    pytest.param(json.dumps(DECISION).encode("utf-16"), "UTF-16", id="utf-16-native-bom"),
    pytest.param(json.dumps(DECISION).encode("utf-16-le"), "UTF-16-LE", id="utf-16-le"),
    pytest.param(json.dumps(DECISION).encode("utf-16-be"), "UTF-16-BE", id="utf-16-be"),
    pytest.param(json.dumps(DECISION).encode("utf-32"), "UTF-32", id="utf-32-bom"),
    pytest.param(json.dumps(DECISION).encode("utf-32-le"), "UTF-32-LE", id="utf-32-le"),
    pytest.param(json.dumps(DECISION).encode("utf-32-be"), "UTF-32-BE", id="utf-32-be"),
]


@pytest.mark.parametrize(("raw", "encoding"), ENCODED)
def test_a_body_in_utf16_or_utf32_is_refused_and_nothing_stored(api: Api, raw: bytes, encoding: str) -> None:
    assert json.loads(raw) == DECISION, "Python itself would read it"
    refused(send(api, "POST", "/api/v1/decisions", raw), encoding)
    assert api.get("/api/v1/decisions").json()["total"] == 0


def test_the_same_on_a_change_and_with_an_idempotency_key(api: Api) -> None:
    d = api.create_decision("KS 2026/2")
    raw = b"\xff\xfe" + b'{"title": "Ny titel"}'.decode().encode("utf-16-le")
    refused(send(api, "PATCH", f"/api/v1/decisions/{d['id']}", raw, **{"If-Match": '"v1"'}), "UTF-16")
    assert api.get(f"/api/v1/decisions/{d['id']}").json()["title"] != "Ny titel"
    key = {"Idempotency-Key": "utf16-once"}
    refused(send(api, "POST", "/api/v1/decisions", json.dumps(DECISION).encode("utf-16"), **key), "UTF-16")
    r = send(api, "POST", "/api/v1/decisions", json.dumps(DECISION).encode(), **key)  # the key was not spent
    assert r.status_code == 201, r.text


def test_a_body_sent_in_small_chunks_is_judged_by_its_first_bytes(api: Api) -> None:
    raw = b"\xff\xfe" + json.dumps(DECISION).encode("utf-16-le")

    def chunks() -> Any:
        for i in range(0, len(raw), 1):
            yield raw[i : i + 1]

    headers = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"}
    refused(api.client.post("/api/v1/decisions", content=chunks(), headers=headers), "UTF-16")

    good = json.dumps(DECISION).encode()

    def good_chunks() -> Any:
        for i in range(0, len(good), 3):
            yield good[i : i + 3]

    r = api.client.post("/api/v1/decisions", content=good_chunks(), headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["title"] == DECISION["title"]


def test_utf8_with_or_without_a_byte_order_mark_is_accepted(api: Api) -> None:
    plain = send(api, "POST", "/api/v1/decisions", json.dumps(DECISION, ensure_ascii=False).encode())
    assert plain.status_code == 201, plain.text
    other = {**DECISION, "case_number": "KS 2026/3"}
    bom = send(api, "POST", "/api/v1/decisions", b"\xef\xbb\xbf" + json.dumps(other, ensure_ascii=False).encode())
    assert bom.status_code == 201, bom.text
    assert bom.json()["title"] == "Gata i Åkerby"


@pytest.mark.parametrize("raw", [b"{", b"1", b"[]", b"{}"])
def test_short_utf8_bodies_answer_as_before(api: Api, raw: bytes) -> None:
    r = send(api, "POST", "/api/v1/decisions", raw)
    assert r.status_code == 422, r.text
    assert "UTF-8" not in json.dumps(r.json()), "judged as JSON, not as an encoding"

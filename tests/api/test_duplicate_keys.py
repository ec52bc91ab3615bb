"""A JSON body with an object that repeats a key, at any depth, is refused: `json.loads` would keep the
last value and another parser perhaps the first, so two systems could read one request differently. The
answer is a 422 problem naming each repeated key by its path as a field (code `duplicate_key`), on the
ordinary routes and on the fast write path alike, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

from tests.api.test_fast_writes import screened
from tests.support import Api

BUSINESS = "policy.firms.business-climate"
DECISION = b'{"case_number": "KS 2026/9", "title": "Gata i \xc3\x85kerby", "deciding_body": "KS"'


def send(api: Api, method: str, path: str, raw: bytes, etag: str | None = None, **headers: str) -> Any:
    sent = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json", **headers}
    if etag:
        sent["If-Match"] = etag
    return api.client.request(method, path, content=raw, headers=sent)


def refused(r: Any, *fields: str) -> list[dict[str, Any]]:
    """The answer is the 422 problem of repeated keys, naming ``fields`` in this order."""
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/validation-error") and problem["title"] == "The request is not valid"
    assert problem["status"] == 422 and problem["instance"] == r.request.url.path
    assert "repeats a key" in problem["detail"], problem
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(f, "duplicate_key") for f in fields], problem
    for error, field in zip(problem["errors"], fields, strict=True):
        key = field.rsplit(".", 1)[-1]
        assert error["message"] == f'the key "{key}" appears more than once in this object', error
    return list(problem["errors"])


def saves_fast() -> int:
    from app.api import fast_path

    return fast_path.saved


def rating(score: str, extra: str = "") -> str:
    """One rating as JSON text (``score`` as sent, so a member can be repeated)."""
    return f'{{"criterion_id": "{BUSINESS}", "target": "firms", "score": {score}, "rationale": "Grounds"{extra}}}'


def ratings(*texts: str, more: str = "") -> bytes:
    """A ratings body of ``texts`` (each from :func:`rating`), ``more`` after the list."""
    return ('{"ratings": [' + ", ".join(texts) + "]" + more + "}").encode()


def test_a_repeated_key_of_the_body_is_refused_and_nothing_created(api: Api) -> None:
    raw = DECISION + b', "title": "Annan titel"}'
    refused(send(api, "POST", "/api/v1/decisions", raw), "title")
    assert api.get("/api/v1/decisions").json()["total"] == 0
    # the same value twice is refused as well, and a key written with an escape is the same key
    refused(send(api, "POST", "/api/v1/decisions", DECISION + b', "deciding_body": "KS"}'), "deciding_body")
    refused(send(api, "POST", "/api/v1/decisions", DECISION + b', "\\u0074itle": "x"}'), "title")
    assert api.get("/api/v1/decisions").json()["total"] == 0
    # without the repetition the same body is created
    r = send(api, "POST", "/api/v1/decisions", DECISION + b"}")
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Gata i Åkerby"


def test_with_an_idempotency_key_the_key_is_not_spent(api: Api) -> None:
    key = {"Idempotency-Key": "repeated-once"}
    refused(send(api, "POST", "/api/v1/decisions", DECISION + b', "case_number": "KS 2026/10"}', **key), "case_number")
    r = send(api, "POST", "/api/v1/decisions", DECISION + b"}", **key)
    assert r.status_code == 201, r.text


def test_a_change_with_a_repeated_key_changes_nothing(api: Api) -> None:
    d = api.create_decision("KS 2026/2")
    path = f"/api/v1/decisions/{d['id']}"
    before = api.get(path)
    refused(send(api, "PATCH", path, b'{"title": "Ny titel", "title": "Annan"}', before.headers["etag"]), "title")
    after = api.get(path)
    assert after.json() == before.json() and after.headers["etag"] == before.headers["etag"]


def test_ratings_with_a_repeated_score_are_refused_on_the_fast_path_and_nothing_written(api: Api) -> None:
    a = screened(api)
    path = f"/api/v1/assessments/{a['id']}/ratings"
    assert api.put_ratings(a["id"], [json.loads(rating("1"))]).status_code == 200
    etag, saved, fast = api.etag(a["id"]), api.get(path).json(), saves_fast()
    # the score of the second rating twice: the last (-3) would be saved without a mitigation
    raw = ratings(rating("2"), rating("1", ', "effect": 2, "score": -3'))
    refused(send(api, "PUT", path, raw, etag), "ratings.1.score")
    # several repeated keys, each named, in the order of the body: the body's own, and those of ratings
    repeated = rating("1") + ", " + rating("3", ', "effect": 2, "rationale": "x", "rationale": "y"')
    raw = ratings(rating("2", ', "target": "firms"'), more=', "ratings": [' + repeated + "]")
    refused(send(api, "PUT", path, raw, etag), "ratings", "ratings.0.target", "ratings.1.rationale")
    assert saves_fast() == fast, "nothing saved on the fast path"
    assert api.get(path).json() == saved and api.etag(a["id"]) == etag, "nothing was written"
    # the same ratings without the repetition are saved (on PostgreSQL by the fast path)
    r = send(api, "PUT", path, ratings(rating("2"), rating("-3", ', "effect": 2, "mitigation": "M"')), etag)
    assert r.status_code == 200, r.text
    assert [x["score"] for x in r.json()] == [2, -3] and r.headers["etag"] != etag
    if api.client.app.state.loop_db is not None:
        assert saves_fast() == fast + 1


def test_the_same_key_in_different_objects_is_no_repetition(api: Api) -> None:
    a = screened(api)
    raw = ratings(rating("1"), rating("2", ', "effect": 2'))
    r = send(api, "PUT", f"/api/v1/assessments/{a['id']}/ratings", raw, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    assert [x["score"] for x in r.json()] == [1, 2]


def test_a_repeated_key_deep_in_the_body_is_named_by_its_path(api: Api) -> None:
    """Where the body's schema has no such object (an unknown member), the repetition is still named."""
    raw = DECISION + b', "extra": [{"a": {"b": 1, "b": 2}}]}'
    refused(send(api, "POST", "/api/v1/decisions", raw), "extra.0.a.b")
    assert api.get("/api/v1/decisions").json()["total"] == 0


def test_bodies_that_are_not_json_answer_as_before(api: Api) -> None:
    """Invalid JSON and bytes that are not UTF-8 are still the 422 on `body` (`json_invalid`), also when
    they repeat a key: the body must be readable before its keys are compared."""
    for raw in (b'{"title": "a", "title": }', b'{"title": "\xff", "title": "b"}'):
        r = send(api, "POST", "/api/v1/decisions", raw)
        assert r.status_code == 422, r.text
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body", "json_invalid")]

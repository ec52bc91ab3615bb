"""The HTTP protocol rules every route of the API shares: empty changes, strong If-Match, signed cursors,
one problem scheme, bearer challenges, HEAD/OPTIONS/Allow, cache headers, no Host-built redirects,
field names of union fields and the small consistency rules of the lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, make_token

TYPE_BASE = "https://livskraft.example/problems/"
SOME_ID = "6f1c1a3e-2b7e-4d8e-9a55-0d4b8f1e2a11"


@pytest.fixture
def admin(client: Any) -> Api:
    return Api(client, make_token("091", ("read", "write", "admin")))


def webhook(admin: Api) -> tuple[str, str]:
    r = admin.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hooks/livskraft", "events": ["assessment.approved"]})
    assert r.status_code == 201, r.text
    return r.json()["id"], r.headers["ETag"]


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json", r.headers
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["type"].startswith(TYPE_BASE) and not body["type"].removeprefix(TYPE_BASE).isdigit(), body
    assert body["instance"], body
    return body


# --- 1. an empty change is a no-op -----------------------------------------------------------------


def test_an_empty_webhook_change_keeps_the_subscription_and_its_etag(admin: Api) -> None:
    webhook_id, tag = webhook(admin)
    path = f"/api/v1/webhooks/{webhook_id}"
    r = admin.patch(path, {}, tag)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == tag
    assert r.json() == admin.get(path).json()
    # If-Match still counts: a stale tag is 412, no tag 428
    assert problem(admin.patch(path, {}, '"w0000"'), 412)["type"] == TYPE_BASE + "precondition-failed"
    assert admin.patch(path, {}).status_code == 428
    events = admin.get("/api/v1/audit-events").json()["items"]
    assert [e["action"] for e in events].count("webhook.updated") == 0


def test_an_empty_decision_change_keeps_the_version(api: Api) -> None:
    decision = api.create_decision()
    path = f"/api/v1/decisions/{decision['id']}"
    r = api.patch(path, {}, '"v1"')
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"v1"'
    assert api.get(path).headers["ETag"] == '"v1"'
    problem(api.patch(path, {}, '"v2"'), 412)
    # a real change still moves it on
    assert api.patch(path, {"title": "Ny titel"}, '"v1"').headers["ETag"] == '"v2"'


def test_an_empty_alternative_change_keeps_the_assessment_version(api: Api) -> None:
    a = api.create_assessment()
    tag = api.etag(a["id"])
    path = f"/api/v1/assessments/{a['id']}/alternatives/zero"
    r = api.patch(path, {}, tag)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == tag
    assert r.json()["key"] == "zero"
    assert api.etag(a["id"]) == tag
    problem(api.patch(path, {}, '"v99"'), 412)
    problem(api.patch(f"/api/v1/assessments/{a['id']}/alternatives/nope", {}, tag), 404)


def test_a_faulty_statement_is_a_500_not_a_database_outage() -> None:
    """SQLite reports a syntax error as an OperationalError: that is the server's fault (500), not an
    unreachable database (503 with Retry-After, which a client would retry for ever)."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.api import problems
    from app.db.session import unit_of_work

    app = FastAPI()
    problems.install(app)

    @app.get("/api/v1/broken")
    def broken() -> None:
        with unit_of_work() as session:
            session.execute(text("UPDATE decision SET  WHERE id = 1"))

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/broken")
    body = problem(r, 500)
    assert body["type"] == TYPE_BASE + "internal-error"
    assert "Retry-After" not in r.headers


def test_real_unavailability_is_still_a_503() -> None:
    from sqlalchemy.exc import OperationalError

    from app.api.problems import database_problem, is_programming_error

    class Orig(Exception):
        def __init__(self, name: str = "", sqlstate: str = "") -> None:
            self.sqlite_errorname = name
            self.sqlstate = sqlstate

    for orig in (Orig("SQLITE_BUSY"), Orig("SQLITE_CANTOPEN"), Orig(sqlstate="08006"), Orig(sqlstate="57P01")):
        exc = OperationalError("stmt", {}, orig)
        assert not is_programming_error(exc)
        assert database_problem(exc)[0] == 503
    for orig in (Orig("SQLITE_ERROR"), Orig("SQLITE_MISUSE"), Orig(sqlstate="54001")):
        assert is_programming_error(OperationalError("stmt", {}, orig))


# --- 6. If-Match compares strongly ------------------------------------------------------------------


def test_a_weak_etag_never_matches(api: Api, admin: Api) -> None:
    decision = api.create_decision()
    body = problem(api.patch(f"/api/v1/decisions/{decision['id']}", {"title": "X"}, 'W/"v1"'), 412)
    assert "weak" in body["detail"]
    assert api.get(f"/api/v1/decisions/{decision['id']}").json()["title"] != "X"
    a = api.create_assessment("KS 2026/2")
    tag = api.etag(a["id"])
    rating = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 0}
    # the ratings' write (on PostgreSQL the fast path on the event loop) refuses it too
    problem(api.put(f"/api/v1/assessments/{a['id']}/ratings", {"ratings": [rating]}, "W/" + tag), 412)
    assert api.etag(a["id"]) == tag
    webhook_id, wtag = webhook(admin)
    body = problem(admin.patch(f"/api/v1/webhooks/{webhook_id}", {"active": False}, "W/" + wtag), 412)
    assert "weak" in body["detail"]
    problem(admin.delete(f"/api/v1/webhooks/{webhook_id}", "W/" + wtag), 412)
    mtag = admin.municipality_etag("091")
    problem(admin.patch("/api/v1/municipalities/091/settings", {}, "W/" + mtag), 412)
    assert admin.patch(f"/api/v1/webhooks/{webhook_id}", {"active": False}, wtag).status_code == 200


# --- 9. signed cursors --------------------------------------------------------------------------------


def test_every_list_hands_out_signed_cursors_that_page_on(api: Api, admin: Api) -> None:
    for i in range(3):
        api.create_assessment(f"KS 2026/{i}")
    for path, params in (
        ("/api/v1/decisions", {}),
        ("/api/v1/assessments", {}),
        ("/api/v1/assessments", {"sort": "created_at", "order": "asc"}),
        ("/api/v1/audit-events", {}),
    ):
        first = api.get(path, params={**params, "limit": 1})
        assert first.status_code == 200, first.text
        cursor = first.json()["next_cursor"]
        assert "." in cursor
        second = api.get(path, params={**params, "limit": 1, "cursor": cursor})
        assert second.status_code == 200, second.text
        assert second.json()["items"] != first.json()["items"]
        payload, signature = cursor.split(".")
        edited = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
        body = problem(api.get(path, params={**params, "limit": 1, "cursor": edited}), 422)
        assert [e["field"] for e in body["errors"]] == ["query.cursor"]


# --- 4. one problem scheme --------------------------------------------------------------------------


def test_framework_errors_use_the_apis_problem_types(api: Api, client: Any) -> None:
    body = problem(api.get("/api/v1/no-such-thing"), 404)
    assert body["type"] == TYPE_BASE + "not-found" and body["title"] == "Not found"
    assert body["detail"] != "Not Found"
    assert body["instance"] == "/api/v1/no-such-thing"
    # the same type as the API's own 404
    own = problem(api.get(f"/api/v1/decisions/{SOME_ID}"), 404)
    assert own["type"] == body["type"]
    body = problem(api.delete("/api/v1/decisions"), 405)
    assert body["type"] == TYPE_BASE + "method-not-allowed" and body["title"] == "Method not allowed"


def test_middleware_problems_carry_instance_and_the_same_scheme(api: Api) -> None:
    r = api.client.post(
        "/api/v1/decisions", content=b"x=1", headers={**api._h(), "Content-Type": "application/x-www-form-urlencoded"}
    )
    body = problem(r, 415)
    assert body["instance"] == "/api/v1/decisions" and body["type"] == TYPE_BASE + "unsupported-media-type"
    r = api.client.post(
        "/api/v1/decisions",
        content=b"[" + b" " * (2 * 1024 * 1024) + b"]",
        headers={**api._h(), "Content-Type": "application/json"},
    )
    assert problem(r, 413)["instance"] == "/api/v1/decisions"
    r = api.post("/api/v1/decisions", {}, headers={"Idempotency-Key": " "})
    body = problem(r, 422)
    assert body["instance"] == "/api/v1/decisions" and body["errors"][0]["field"] == "Idempotency-Key"


def test_an_unexpected_error_has_a_title_and_a_type_of_the_scheme() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from app.api import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        body = problem(c.get("/api/v1/boom"), 500)
    assert body["type"] == TYPE_BASE + "internal-error" and body["title"] == "Internal server error"


# --- 2. bearer challenges ---------------------------------------------------------------------------


def test_every_401_challenges_for_a_bearer_token(client: Any, api: Api) -> None:
    r = client.get("/api/v1/decisions")
    problem(r, 401)
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="livskraft"'
    for token in ("lk_nonsense", "not-even-ours"):
        r = client.get("/api/v1/decisions", headers={"Authorization": f"Bearer {token}"})
        problem(r, 401)
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="livskraft", error="invalid_token"'
    a = api.create_assessment()
    r = client.get(f"/api/v1/assessments/{a['id']}", headers={"Authorization": "Bearer lk_nonsense"})
    problem(r, 401)
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    r = client.post("/api/v1/decisions", json={}, headers={"Authorization": "Bearer lk_x", "Idempotency-Key": "k"})
    problem(r, 401)
    assert "invalid_token" in r.headers["WWW-Authenticate"]
    r = client.get("/api/v1/decisions", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="livskraft"'
    # other refusals do not challenge
    assert "WWW-Authenticate" not in api.get(f"/api/v1/decisions/{SOME_ID}").headers


# --- 3. HEAD, OPTIONS and Allow ---------------------------------------------------------------------


def test_head_answers_wherever_get_does(api: Api) -> None:
    a = api.create_assessment()
    for path in (
        "/api/v1/decisions",
        f"/api/v1/assessments/{a['id']}",
        f"/api/v1/assessments/{a['id']}/ratings.csv",
        "/api/v1/audit-events",
        "/openapi.json",
    ):
        got = api.get(path)
        head = api.client.head(path, headers=api._h())
        assert head.status_code == got.status_code == 200, (path, head.status_code, head.text)
        assert head.content == b""
        for name in ("content-type", "etag", "cache-control", "content-length"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
    r = api.client.head("/api/v1/decisions")
    assert r.status_code == 401 and r.content == b"" and "WWW-Authenticate" in r.headers


def test_405_names_the_routes_real_methods(api: Api) -> None:
    r = api.delete("/api/v1/decisions")
    problem(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    r = api.client.put(f"/api/v1/decisions/{SOME_ID}", json={}, headers=api._h())
    problem(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, PATCH, OPTIONS"
    r = api.client.head("/api/v1/assessments/" + SOME_ID + "/submit")  # POST only: no HEAD either
    assert r.status_code == 405 and r.headers["Allow"] == "POST, OPTIONS"


def test_options_answers_204_with_allow(client: Any) -> None:
    r = client.options("/api/v1/decisions")
    assert r.status_code == 204 and r.content == b""
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    r = client.options(f"/api/v1/webhooks/{SOME_ID}")
    assert r.headers["Allow"] == "GET, HEAD, PATCH, DELETE, OPTIONS"
    problem(client.options("/api/v1/no-such-thing"), 404)


# --- 7. cache headers -------------------------------------------------------------------------------


def test_api_answers_are_not_stored(api: Api, admin: Api) -> None:
    a = api.create_assessment()
    for r in (
        admin.get("/api/v1/export"),
        api.get("/api/v1/decisions"),
        api.get(f"/api/v1/assessments/{a['id']}"),
        api.get(f"/api/v1/assessments/{a['id']}/ratings.csv"),
        api.get("/api/v1/ratings.csv"),
        api.get(f"/api/v1/decisions/{SOME_ID}"),  # errors too
        api.client.get("/api/v1/decisions"),
    ):
        assert r.headers["Cache-Control"] == "no-store", (r.request.url, r.status_code)


def test_the_fast_paths_send_the_ordinary_cache_header(api: Api) -> None:
    """On PostgreSQL a repeated read is answered on the event loop; it carries the same headers."""
    from app.api import fast_path

    if api.client.app.state.loop_db is None:
        pytest.skip("the fast paths serve PostgreSQL only")
    a = api.create_assessment()
    for path in (f"/api/v1/assessments/{a['id']}", f"/api/v1/assessments/{a['id']}/summary", "/api/v1/assessments"):
        ordinary = api.get(path)
        before = fast_path.served
        fast = api.get(path)
        assert fast_path.served == before + 1, path
        assert fast.content == ordinary.content
        for name in ("cache-control", "content-type", "etag"):
            assert fast.headers.get(name) == ordinary.headers.get(name), (path, name)


# --- 8. no redirects built from the Host header ------------------------------------------------------


def test_a_trailing_slash_is_a_404_not_a_redirect(api: Api) -> None:
    for path in ("/api/v1/decisions/", "/api/v1/assessments/", f"/api/v1/decisions/{SOME_ID}/"):
        r = api.client.get(path, headers={**api._h(), "Host": "evil.example"}, follow_redirects=False)
        body = problem(r, 404)
        assert "location" not in r.headers
        assert body["instance"] == path


# --- 5. union fields are named as fields --------------------------------------------------------------


@pytest.mark.parametrize("score", [99, "x", 1.5, None, "9", [1]])
def test_a_bad_score_is_one_error_naming_the_field(api: Api, score: Any) -> None:
    a = api.create_assessment()
    rating = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": score, "rationale": "R"}
    body = problem(api.put_ratings(a["id"], [rating]), 422)
    assert [e["field"] for e in body["errors"]] == ["ratings.0.score"], body
    assert "3" in body["errors"][0]["message"] and "unknown" in body["errors"][0]["message"]


def test_union_tags_are_taken_out_of_field_names_generally() -> None:
    """Any union: the members' tags leave the location, and the members' messages become one."""
    from app.api.problems import _field_problem, _merged, _without_union_tags

    errors = [
        {"loc": ("body", "x", 0, "list[str]"), "type": "list_type", "msg": "Input should be a valid list"},
        {"loc": ("body", "x", 0, "int"), "type": "int_type", "msg": "Input should be a valid integer"},
        {"loc": ("body", "url"), "type": "string_type", "msg": "Input should be a valid string"},
        {"loc": ("query", "int"), "type": "missing", "msg": "Field required"},  # a field named like a tag
    ]
    problems = _merged([_field_problem(e) for e in _without_union_tags(errors)])
    assert [(p.field, p.message, p.code) for p in problems] == [
        ("x.0", "Input should be a valid list, or a valid integer", "invalid"),
        ("url", "Input should be a valid string", "string_type"),
        ("query.int", "Field required", "missing"),
    ]


# --- 10. small consistency rules ----------------------------------------------------------------------


def test_a_list_without_a_total_does_not_claim_an_exact_one(api: Api) -> None:
    api.create_decision()
    page = api.get("/api/v1/audit-events").json()
    assert page["total"] is None and page["total_exact"] is False
    page = api.get("/api/v1/decisions").json()
    assert page["total"] == 1 and page["total_exact"] is True


def test_range_errors_name_the_query_parameter(api: Api) -> None:
    r = api.get("/api/v1/reports/portfolio", params={"from": "2026-12-31", "to": "2026-01-01"})
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["query.from"]
    rubric = api.get("/api/v1/rubrics").json()
    versions: dict[str, list[str]] = {}
    for r_ in rubric:
        versions.setdefault(r_["id"], []).append(r_["version"])
    rid, vs = next(((k, v) for k, v in versions.items() if len(v) > 1), (None, []))
    if rid is None:
        pytest.skip("no rubric with two versions installed")
    r = api.get(f"/api/v1/rubrics/{rid}/diff", params={"from": vs[-1], "to": vs[0]})
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["query.from"]


def test_an_unknown_perspective_is_refused_like_an_unknown_target(api: Api) -> None:
    body = problem(api.get("/api/v1/assessments", params={"perspective": "nope"}), 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("query.perspective", "enum")]
    assert "policy" in body["errors"][0]["message"]
    assert api.get("/api/v1/assessments", params={"perspective": "policy"}).status_code == 200


def test_a_null_review_date_is_null_not_allowed(api: Api) -> None:
    a = api.create_assessment()
    r = api.put(f"/api/v1/assessments/{a['id']}/review-date", {"review_date": None}, api.etag(a["id"]))
    assert [(e["field"], e["code"]) for e in problem(r, 422)["errors"]] == [("review_date", "null_not_allowed")]

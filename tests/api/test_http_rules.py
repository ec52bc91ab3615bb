"""HTTP-level rules of the API: 413, 415, Idempotency-Key."""

from __future__ import annotations

import threading

from app.auth.repository import user_by_email
from app.db.session import unit_of_work
from tests.support import Api, make_token, make_user


def test_body_over_limit_is_413(api: Api) -> None:
    big = {"case_number": "X/1", "title": "t", "deciding_body": "KS", "summary": "å" * 1_100_000}
    r = api.post("/api/v1/decisions", big)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_non_json_body_is_415(api: Api) -> None:
    r = api.client.post(
        "/api/v1/decisions",
        content="case_number=1",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415
    assert "application/json" in r.json()["detail"]


def test_idempotent_post_runs_once_and_replays(api: Api) -> None:
    body = {"case_number": "KS 7/2026", "title": "Fjärrvärme", "deciding_body": "KS"}
    h = {"Idempotency-Key": "abc-123"}
    first = api.post("/api/v1/decisions", body, headers=h)
    second = api.post("/api/v1/decisions", body, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert api.get("/api/v1/decisions").json()["total"] == 1


def test_a_stored_answer_is_not_replayed_to_a_token_no_longer_usable(api: Api) -> None:
    """A replay answers before the app's own check of the token: it must refuse alike (401), or a
    deactivated user's token could still fetch what it was sent (a webhook's secret, say)."""
    body = {"case_number": "KS 8/2026", "title": "Gatubelysning", "deciding_body": "KS"}
    make_user("091", "leaving@hel.fi", "official")
    with unit_of_work() as s:
        user = user_by_email(s, "leaving@hel.fi")
        assert user is not None
    personal = Api(api.client, make_token("091", ("read", "write"), user.id))
    h = {"Idempotency-Key": "before-leaving"}
    first = personal.post("/api/v1/decisions", body, headers=h)
    assert first.status_code == 201
    assert personal.post("/api/v1/decisions", body, headers=h).headers.get("idempotent-replayed") == "true"
    with unit_of_work() as s:
        user = user_by_email(s, "leaving@hel.fi")
        assert user is not None
        user.active = False
        s.add(user)
    r = personal.post("/api/v1/decisions", body, headers=h)
    assert r.status_code == 401 and "idempotent-replayed" not in r.headers
    assert r.headers["content-type"] == "application/problem+json" and first.json()["id"] not in r.text


def test_same_key_different_body_is_refused(api: Api) -> None:
    h = {"Idempotency-Key": "k1"}
    assert (
        api.post("/api/v1/decisions", {"case_number": "A", "title": "t", "deciding_body": "KS"}, headers=h).status_code
        == 201
    )
    r = api.post("/api/v1/decisions", {"case_number": "B", "title": "t", "deciding_body": "KS"}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_failed_request_is_not_kept_so_its_retry_runs(api: Api) -> None:
    h = {"Idempotency-Key": "bad-1"}
    r1 = api.post("/api/v1/decisions", {"case_number": "", "title": "t", "deciding_body": "KS"}, headers=h)
    r2 = api.post("/api/v1/decisions", {"case_number": "", "title": "t", "deciding_body": "KS"}, headers=h)
    assert r1.status_code == r2.status_code == 422
    assert "idempotent-replayed" not in r2.headers


def test_concurrent_retries_create_one_decision(api: Api) -> None:
    body = {"case_number": "KS 9/2026", "title": "Skolnät", "deciding_body": "KS"}
    results: list[int] = []

    def post() -> None:
        results.append(api.post("/api/v1/decisions", body, headers={"Idempotency-Key": "same"}).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {201, 409}
    assert api.get("/api/v1/decisions").json()["total"] == 1


def test_an_idempotency_key_on_a_path_no_route_has_is_answered_by_the_router(api: Api) -> None:
    """Such a path was stored to reserve the key: a 500 on PostgreSQL past its column or with a NUL."""
    for path in ["/api/v1/assessments/" + "x" * 600 + "/submit", "/api/v1/assessments/%00/submit"]:
        r = api.post(path, {}, headers={"Idempotency-Key": "odd-path", "If-Match": '"v1"'})
        assert r.status_code in (404, 422) and r.headers["content-type"] == "application/problem+json", r.text

"""An integrator's headers honoured: ``Accept`` that excludes what a route sends is a 406 (reads and
changes alike, a change before anything is written), and ``If-None-Match`` on a change is evaluated
(RFC 9110 §13.1.2: ``*`` or the current ETag makes it a 412, nothing written)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, make_token


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["instance"]
    return dict(body)


@pytest.mark.parametrize(
    "accept", ["application/xml", "text/html", "text/csv", "application/json;q=0", "*/*;q=0.5, application/json;q=0"]
)
def test_a_read_whose_accept_excludes_json_is_406(api: Api, accept: str) -> None:
    decision = api.create_decision()
    r = api.get(f"/api/v1/decisions/{decision['id']}", headers={"Accept": accept})
    body = problem(r, 406)
    assert body["type"].endswith("/not-acceptable")
    assert body["instance"] == f"/api/v1/decisions/{decision['id']}"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("Accept", "not_acceptable")]
    assert "application/json" in body["detail"]
    assert r.headers["cache-control"] == "no-store"
    assert "etag" not in r.headers


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "*/*",
        "application/*",
        "text/html, application/json;q=0.1",
        "application/json; charset=utf-8",
        "",  # empty: as if not sent
        "nonsense",  # no media range that can be read: disregarded
    ],
)
def test_a_read_whose_accept_allows_json_is_answered(api: Api, accept: str) -> None:
    decision = api.create_decision()
    r = api.get(f"/api/v1/decisions/{decision['id']}", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == decision["id"]


def test_accept_is_matched_against_the_type_the_route_sends(api: Api) -> None:
    """The CSV file is text/csv: ``Accept: application/json`` (a client's default for every call)
    excludes it, ``text/csv`` and ``text/*`` allow it."""
    assert problem(api.get("/api/v1/ratings.csv", headers={"Accept": "application/json"}), 406)["detail"].startswith(
        "this resource is sent as text/csv only"
    )
    for accept in ("text/csv", "text/*", "text/csv, application/problem+json"):
        r = api.get("/api/v1/ratings.csv", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), (accept, r.text)


def test_errors_come_before_406(api: Api, client: Any) -> None:
    """Another municipality's decision is still a 404, no token still a 401: a refusal is problem+json
    whatever Accept says."""
    other = Api.for_new_municipality(client, "097").create_decision()
    assert problem(api.get(f"/api/v1/decisions/{other['id']}", headers={"Accept": "text/html"}), 404)
    assert problem(client.get("/api/v1/decisions", headers={"Accept": "text/html"}), 401)


def test_a_change_whose_accept_excludes_json_is_406_and_writes_nothing(api: Api) -> None:
    decision = api.create_decision()
    r = api.patch(f"/api/v1/decisions/{decision['id']}", {"title": "Ny"}, '"v1"', headers={"Accept": "text/html"})
    problem(r, 406)
    after = api.get(f"/api/v1/decisions/{decision['id']}")
    assert after.json()["title"] == decision["title"] and after.headers["ETag"] == '"v1"'
    r = api.post(
        "/api/v1/decisions",
        {"case_number": "KS 2", "title": "T", "deciding_body": "B"},
        headers={"Accept": "application/xml"},
    )
    problem(r, 406)
    assert api.get("/api/v1/decisions", params={"case_number": "KS 2"}).json()["total"] == 0


def test_a_path_no_route_has_is_404_whatever_accept_says(api: Api) -> None:
    assert problem(api.post("/api/v1/nowhere", {}, headers={"Accept": "text/html"}), 404)


def test_openapi_declares_406(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/decisions/{decision_id}"]["get"]
    assert list(operation["responses"]["406"]["content"]) == ["application/problem+json"]


# --- If-None-Match on changes -------------------------------------------------------------------


@pytest.mark.parametrize("if_none_match", ["*", '"v1"', 'W/"v1"', '"v9", "v1"'])
def test_if_none_match_that_is_false_makes_a_change_412(api: Api, if_none_match: str) -> None:
    decision = api.create_decision()
    r = api.patch(
        f"/api/v1/decisions/{decision['id']}", {"title": "Ny"}, '"v1"', headers={"If-None-Match": if_none_match}
    )
    assert "If-None-Match" in problem(r, 412)["detail"]
    after = api.get(f"/api/v1/decisions/{decision['id']}")
    assert after.json()["title"] == decision["title"] and after.headers["ETag"] == '"v1"'


def test_if_none_match_naming_another_tag_lets_the_change_go_on(api: Api) -> None:
    decision = api.create_decision()
    r = api.patch(f"/api/v1/decisions/{decision['id']}", {"title": "Ny"}, '"v1"', headers={"If-None-Match": '"v7"'})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Ny" and r.headers["ETag"] == '"v2"'


def test_if_none_match_star_on_ratings_writes_nothing(api: Api) -> None:
    """The ratings save (which has a fast path on PostgreSQL) honours it too."""
    assessment = api.create_assessment()
    aid = assessment["id"]
    api.screen(aid)
    etag = api.etag(aid)
    rating = {"alternative": "proposal", "criterion_id": "policy.firms.business-climate", "target": "firms"}
    rating |= {"score": 1, "rationale": "Stöder strategin."}
    r = api.put(f"/api/v1/assessments/{aid}/ratings", {"ratings": [rating]}, etag, headers={"If-None-Match": "*"})
    problem(r, 412)
    assert api.get(f"/api/v1/assessments/{aid}/ratings").json() == []
    assert api.etag(aid) == etag


def test_if_none_match_on_a_hash_tagged_resource(api: Api, client: Any) -> None:
    """A webhook's ETag is a hash of its content: If-None-Match naming it is a 412 as well."""
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    r = admin.post("/api/v1/webhooks", {"url": "https://example.org/hook", "events": ["assessment.approved"]})
    assert r.status_code == 201, r.text
    path = f"/api/v1/webhooks/{r.json()['id']}"
    etag = admin.get(path).headers["ETag"]
    r = admin.patch(path, {"active": False}, etag, headers={"If-None-Match": etag})
    problem(r, 412)
    assert admin.get(path).json()["active"] is True
    r = admin.delete(path, etag, headers={"If-None-Match": "*"})
    problem(r, 412)
    assert admin.get(path).status_code == 200


# --- NaN and Infinity are not JSON ----------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_number_that_is_not_json_is_a_json_error(api: Api, client: Any, constant: str) -> None:
    """Python's ``json.dumps(float("nan"))`` writes ``NaN``; RFC 8259 has no such number. A weight sent
    so was refused as "less than or equal to 10", and one in a field the import ignores was stored."""
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    etag = admin.municipality_etag("091")
    body = '{"weights": {"perspectives": {"policy": ' + constant + "}}}"
    r = admin.client.patch(
        "/api/v1/municipalities/091/settings",
        content=body,
        headers={**admin._h(etag), "Content-Type": "application/json"},
    )
    found = problem(r, 422)
    assert [(e["field"], e["code"]) for e in found["errors"]] == [("body", "json_invalid")]
    assert constant in found["errors"][0]["message"]
    assert admin.municipality_etag("091") == etag
    record = '{"Title": "T", "CaseIDLabel": "HEL 1", "Organization": {"Name": "KH"}, "Extra": ' + constant + "}"
    r = api.client.post(
        "/api/v1/decisions/import",
        content='{"format": "ahjo", "record": ' + record + "}",
        headers={**api._h(), "Content-Type": "application/json"},
    )
    problem(r, 422)
    assert api.get("/api/v1/decisions").json()["total"] == 0

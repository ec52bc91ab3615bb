"""The thinnest complete path through the API: decision → assessment → ratings → summary."""

from __future__ import annotations

from tests.support import Api


def test_health_checks_database(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


def test_decision_assessment_rating_summary(api: Api) -> None:
    a = api.create_assessment()
    assert [alt["key"] for alt in a["alternatives"]] == ["proposal", "zero"]
    assert a["rubric_id"] == "kuntaliitto-vitality"
    r = api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 2,
                "likelihood": "likely",
                "rationale": "Genomför åtgärd 3 i näringslivsprogrammet.",
            },
            {
                "alternative": "zero",
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 0,
            },
        ],
    )
    assert r.status_code == 200, r.text
    summary = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    proposal = summary["alternatives"][0]
    assert proposal["key"] == "proposal"
    cell = next(c for c in proposal["cells"] if c["perspective_id"] == "policy")
    assert cell["mean"] == 2.0 and cell["symbol"] == "++"
    assert summary["delta"]["profile"]["organisation"] == 2.0


def test_invalid_body_is_problem_json_with_fields(api: Api) -> None:
    r = api.post("/api/v1/decisions", {"case_number": "", "title": "x", "deciding_body": "KS", "extra": 1})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"case_number", "extra"} <= fields


def test_malformed_json_is_422_not_500(api: Api) -> None:
    r = api.client.post(
        "/api/v1/decisions",
        content=b'{"case_number": ',
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["detail"] == "the request body is not valid JSON"


def test_negative_score_without_mitigation_is_refused(api: Api) -> None:
    a = api.create_assessment()
    r = api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "policy.firms.business-climate",
                "target": "firms",
                "score": -2,
                "rationale": "Färre kontakter",
            }
        ],
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "ratings.0.mitigation"
    assert api.get(f"/api/v1/assessments/{a['id']}/ratings").json() == []


def test_stale_if_match_is_412_and_missing_is_428(api: Api) -> None:
    a = api.create_assessment()
    rating = {"criterion_id": "policy.organisation.strategy-fit", "target": "organisation", "score": 0}
    path = f"/api/v1/assessments/{a['id']}/ratings"
    assert api.put(path, {"ratings": [rating]}).status_code == 428
    assert api.put(path, {"ratings": [rating]}, '"v1"').status_code == 200
    assert api.put(path, {"ratings": [rating]}, '"v1"').status_code == 412


def test_other_municipality_gets_404(api: Api, client) -> None:
    a = api.create_assessment()
    other = Api.for_new_municipality(client, "0180")
    assert other.get(f"/api/v1/assessments/{a['id']}").status_code == 404
    assert other.get(f"/api/v1/decisions/{a['decision_id']}").status_code == 404


def test_missing_token_is_401(client) -> None:
    r = client.get("/api/v1/decisions")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_an_assessment_takes_the_rubric_version_asked_for(api: Api) -> None:
    """A version without an id is one of the default rubric's; it was ignored (the newest taken)."""
    one, two, three = (api.create_decision(f"KS 2026/{n}") for n in (11, 12, 13))
    r = api.post(f"/api/v1/decisions/{one['id']}/assessments", {"rubric_version": "1.0.0"})
    assert r.status_code == 201 and (r.json()["rubric_id"], r.json()["rubric_version"]) == (
        "kuntaliitto-vitality",
        "1.0.0",
    )
    r = api.post(f"/api/v1/decisions/{two['id']}/assessments", {"rubric_version": "1.0.9"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["rubric_version"]
    r = api.post(f"/api/v1/decisions/{three['id']}/assessments", {"rubric_id": "nope", "rubric_version": "1.0.0"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["rubric_id"]

"""The review workflow through the API, with personal tokens of an official and a reviewer."""

from __future__ import annotations

from typing import Any

import pytest

from app.rubrics.models import PERSPECTIVE_IDS
from tests.support import Api, make_token, make_user

PERSPECTIVES = list(PERSPECTIVE_IDS)


@pytest.fixture
def people(client) -> dict[str, Api]:
    official = make_user("091", "olli@hel.fi", "official")
    reviewer = make_user("091", "riikka@hel.fi", "reviewer")
    reviewer2 = make_user("091", "rasmus@hel.fi", "reviewer")
    return {
        "official": Api(client, make_token("091", ("read", "write"), official.id)),
        "reviewer": Api(client, make_token("091", ("read", "write"), reviewer.id)),
        "reviewer2": Api(client, make_token("091", ("read", "write"), reviewer2.id)),
        "system": Api(client, make_token("091", ("read", "write"))),
    }


def screened_and_rated(api: Api) -> dict[str, Any]:
    a = api.create_assessment()
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Berör inte beslutet"}
        for p in PERSPECTIVES
    ]
    body = {"items": items, "sources": ["Företagsregistret 2026"]}
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", body, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    r = api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "policy.firms.business-climate",
                "target": "firms",
                "score": -2,
                "likelihood": "likely",
                "rationale": "Företagslotsen flyttas",
                "mitigation": "Digital lots",
            },
            {
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 3,
                "likelihood": "certain",
                "rationale": "Åtgärd i programmet",
            },
        ],
    )
    assert r.status_code == 200, r.text
    return a


def act(api: Api, a: dict[str, Any], action: str, comment: str = "") -> Any:
    return api.post(f"/api/v1/assessments/{a['id']}/{action}", {"comment": comment}, api.etag(a["id"]))


def test_submit_approve_and_immutability(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    r = act(official, a, "submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = act(reviewer, a, "approve", "Bra underlag")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "approved" and body["reviewer"].startswith("Riikka")
    # an approved assessment cannot be edited
    r = official.put_ratings(a["id"], [{"criterion_id": "policy.firms.competition", "target": "firms", "score": 0}])
    assert r.status_code == 409
    assert "new version" in r.json()["detail"]


def test_reviewer_cannot_approve_own_assessment(people: dict[str, Api]) -> None:
    reviewer = people["reviewer"]
    a = screened_and_rated(reviewer)
    assert act(reviewer, a, "submit").status_code == 200
    r = act(reviewer, a, "approve")
    assert r.status_code == 403
    assert "own assessment" in r.json()["detail"]


def test_official_and_system_tokens_cannot_approve(people: dict[str, Api]) -> None:
    a = screened_and_rated(people["official"])
    act(people["official"], a, "submit")
    assert act(people["official"], a, "approve").status_code == 403
    assert act(people["system"], a, "approve").status_code == 403


def test_return_needs_comment_and_goes_back_to_draft(people: dict[str, Api]) -> None:
    a = screened_and_rated(people["official"])
    act(people["official"], a, "submit")
    r = act(people["reviewer"], a, "return")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comment"
    r = act(people["reviewer"], a, "return", "Komplettera nollalternativet")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert r.json()["review"][-1]["comment"] == "Komplettera nollalternativet"


def test_submit_requires_complete_screening(people: dict[str, Api]) -> None:
    a = people["official"].create_assessment()
    r = act(people["official"], a, "submit")
    assert r.status_code == 422
    assert any(e["field"].startswith("screening.") for e in r.json()["errors"])


def test_new_version_supersedes_on_approval(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    act(official, a, "submit")
    act(reviewer, a, "approve")
    r = official.post(f"/api/v1/assessments/{a['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert v2["version_no"] == 2 and v2["previous_id"] == a["id"] and v2["status"] == "draft"
    assert v2["sources"] == ["Företagsregistret 2026"], "the citations carry over to the new version"
    assert len(official.get(f"/api/v1/assessments/{v2['id']}/ratings").json()) == 2
    act(official, v2, "submit")
    assert act(reviewer, v2, "approve").status_code == 200
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["status"] == "superseded"
    history = official.get(f"/api/v1/assessments/{a['id']}/history").json()
    assert [e["action"] for e in history][-1] == "assessment.superseded"


def test_follow_up_on_significant_rating(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    act(official, a, "submit")
    act(reviewer, a, "approve")
    ratings = official.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    significant = next(r for r in ratings if r["score"] == -2)
    r = official.post(
        f"/api/v1/assessments/{a['id']}/follow-ups",
        {"rating_id": significant["id"], "outcome": "worse", "note": "Fler klagomål"},
    )
    assert r.status_code == 201, r.text
    path, stale = f"/api/v1/assessments/{a['id']}/review-date", official.etag(a["id"])
    r = official.put(path, {"review_date": "2027-06-30"})
    assert r.status_code == 428, "a change without If-Match"
    r = official.put(path, {"review_date": "2027-06-30"}, stale)
    assert r.status_code == 200 and r.json()["review_date"] == "2027-06-30"
    assert r.headers["etag"] != stale and r.json()["etag"] == r.headers["etag"], "a new version"
    r = reviewer.put(path, {"review_date": "2029-01-01"}, stale)
    assert r.status_code == 412, "a second writer with the old ETag loses nothing"
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["review_date"] == "2027-06-30"


def test_zero_alternative_cannot_be_removed(people: dict[str, Api]) -> None:
    api = people["official"]
    a = api.create_assessment()
    r = api.delete(f"/api/v1/assessments/{a['id']}/alternatives/zero", api.etag(a["id"]))
    assert r.status_code == 409
    r = api.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": "Etapp 1 endast"}, api.etag(a["id"]))
    assert r.status_code == 201 and r.json()["key"] == "option-1"
    r = api.delete(f"/api/v1/assessments/{a['id']}/alternatives/option-1", api.etag(a["id"]))
    assert r.status_code == 204

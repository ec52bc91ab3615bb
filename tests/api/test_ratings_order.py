"""`PUT /api/v1/assessments/{id}/ratings` answers in one order: authorisation (401/403) → the assessment
(404) → If-Match (428/412) → the state (409) → the ratings' content (422). Content that is wrong for the
rubric or the screening (a screened-out perspective, an unknown criterion) never hides that the
assessment is approved (create a new version) or that the caller's version is stale. On PostgreSQL the
fast write path hands every refusal to the ordinary path: both are checked, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, official_and_reviewer

SCREENED_OUT = {  # "logistics" was screened out by screened_and_rated
    "criterion_id": "logistics.residents.traffic-nuisance",
    "target": "residents",
    "score": 1,
    "rationale": "Mindre trafik",
}
UNKNOWN_CRITERION = {"criterion_id": "policy.firms.no-such-question", "target": "firms", "score": 1, "rationale": "x"}
VALID = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 1, "rationale": "Bättre"}
BAD_CONTENT = {"screened-out perspective": SCREENED_OUT, "unknown criterion": UNKNOWN_CRITERION}


@pytest.fixture(params=["fast", "ordinary"])
def path(request: pytest.FixtureRequest, client: Any) -> Iterator[str]:
    """On PostgreSQL both write paths; on SQLite there is only the ordinary one."""
    loop_db = client.app.state.loop_db
    if request.param == "fast" and loop_db is None:
        pytest.skip("the fast write path serves PostgreSQL only")
    if loop_db is not None:
        loop_db.writes = request.param == "fast"
    yield str(request.param)
    if loop_db is not None:
        loop_db.writes = True


@pytest.fixture
def people(client: Any) -> dict[str, Api]:
    return {
        **official_and_reviewer(client, "905", "olli@vasa.fi", "riikka@vasa.fi"),
        "reader": Api(client, make_token("905", ("read",))),
        "other": Api(client, make_token("091", ("read", "write"))),
    }


def _approved(people: dict[str, Api]) -> dict[str, Any]:
    a = screened_and_rated(people["official"])
    assert act(people["official"], a, "submit").status_code == 200
    assert act(people["reviewer"], a, "approve").status_code == 200
    return a


def _put(api: Api, a: dict[str, Any], rating: dict[str, Any], etag: str | None) -> Any:
    return api.put(f"/api/v1/assessments/{a['id']}/ratings", {"ratings": [rating]}, etag)


def _ratings(api: Api, a: dict[str, Any]) -> Any:
    return api.get(f"/api/v1/assessments/{a['id']}/ratings").json()


@pytest.mark.parametrize("content", list(BAD_CONTENT))
def test_an_approved_assessment_is_409_whatever_the_ratings_hold(
    path: str, people: dict[str, Api], content: str
) -> None:
    official = people["official"]
    a = _approved(people)
    before = _ratings(official, a)
    r = _put(official, a, BAD_CONTENT[content], official.etag(a["id"]))
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "create a new version" in r.json()["detail"]
    assert _ratings(official, a) == before


@pytest.mark.parametrize("content", list(BAD_CONTENT))
def test_a_stale_if_match_is_412_before_the_state_and_the_content(
    path: str, people: dict[str, Api], content: str
) -> None:
    official = people["official"]
    approved = _approved(people)
    assert _put(official, approved, BAD_CONTENT[content], '"v999"').status_code == 412
    assert _put(official, approved, VALID, '"v999"').status_code == 412
    draft = screened_and_rated_draft(official)
    r = _put(official, draft, BAD_CONTENT[content], '"v999"')
    assert r.status_code == 412, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def screened_and_rated_draft(api: Api) -> dict[str, Any]:
    decision = api.create_decision("KS 2026/9")
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assert r.status_code == 201, r.text
    a = dict(r.json())
    items = [{"perspective_id": "policy", "relevant": True}, {"perspective_id": "logistics", "relevant": False}]
    items[1]["reason"] = "Berör inte beslutet"
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    return a


def test_a_submitted_assessment_is_409_before_the_content(path: str, people: dict[str, Api]) -> None:
    official = people["official"]
    a = screened_and_rated(official)
    assert act(official, a, "submit").status_code == 200
    r = _put(official, a, UNKNOWN_CRITERION, official.etag(a["id"]))
    assert r.status_code == 409, r.text


@pytest.mark.parametrize("content", list(BAD_CONTENT))
def test_a_current_draft_gets_the_content_422(path: str, people: dict[str, Api], content: str) -> None:
    official = people["official"]
    a = screened_and_rated_draft(official)
    etag = official.etag(a["id"])
    r = _put(official, a, BAD_CONTENT[content], etag)
    assert r.status_code == 422, r.text
    assert official.etag(a["id"]) == etag  # nothing written, the version unchanged
    r = _put(official, a, VALID, etag)
    assert r.status_code == 200, r.text


def test_authorisation_then_404_then_if_match_come_first(path: str, people: dict[str, Api]) -> None:
    a = _approved(people)
    assert _put(people["reader"], a, UNKNOWN_CRITERION, '"v999"').status_code == 403
    assert _put(people["other"], a, UNKNOWN_CRITERION, '"v999"').status_code == 404
    r = _put(people["official"], a, UNKNOWN_CRITERION, None)
    assert r.status_code == 428, r.text

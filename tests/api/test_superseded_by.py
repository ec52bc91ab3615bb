"""An assessment says which version replaced it: ``superseded_by`` names the approved newer version once
it supersedes this one (the reverse of the newer one's ``previous_id``), and is null before — also while
the newer version is only a draft — and on every other version."""

from __future__ import annotations

from typing import Any

from tests.support import approved, official_and_reviewer

RATING = {
    "alternative": "proposal",
    "criterion_id": "policy.firms.business-climate",
    "target": "firms",
    "score": 1,
    "likelihood": "likely",
    "horizon": "medium",
    "certainty": "medium",
    "rationale": "Fler företag får mark.",
}


def test_the_superseded_version_names_the_version_that_replaced_it(client: Any) -> None:
    people = official_and_reviewer(client)
    official, reviewer = people["official"], people["reviewer"]
    first = approved(official, reviewer, [RATING])
    assert official.get(f"/api/v1/assessments/{first}").json()["superseded_by"] is None
    r = official.post(f"/api/v1/assessments/{first}/versions")
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    before = official.get(f"/api/v1/assessments/{first}")
    assert before.json()["superseded_by"] is None, "a draft of a newer version replaces nothing yet"
    assert official.act(second, "submit").status_code == 200
    assert reviewer.act(second, "approve").status_code == 200
    after = official.get(f"/api/v1/assessments/{first}")
    assert after.json()["status"] == "superseded" and after.json()["superseded_by"] == second
    assert after.headers["ETag"] != before.headers["ETag"], "a new representation: no cached copy is served"
    newer = official.get(f"/api/v1/assessments/{second}").json()
    assert newer["previous_id"] == first and newer["superseded_by"] is None
    again = official.get(f"/api/v1/assessments/{first}")  # the fast path's copy, on PostgreSQL
    assert again.json()["superseded_by"] == second

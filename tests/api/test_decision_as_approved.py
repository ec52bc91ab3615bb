"""`GET /api/v1/assessments/{id}` shows the decision's details as approved with that version
(`decision_as_approved`, from ``assessment.decision_snapshot``): the decision changed for a new draft
version does not change what an approved (later superseded) version says it approved — also when the
representation is served again from the cache (the fast read path on PostgreSQL). Drafts and submitted
versions carry null; the field is in the OpenAPI schema with a description."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.api.test_review_flow import act
from tests.reports.test_decision_snapshot import NEW, OLD, approved_assessment, people
from tests.support import Api, make_token

__all__ = ["people"]  # a fixture
OLD_AS_APPROVED = {**OLD, "version": 1}


def read(api: Api, assessment_id: str) -> dict[str, Any]:
    r = api.get(f"/api/v1/assessments/{assessment_id}")
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == r.json()["etag"]
    return dict(r.json())


def test_an_approved_version_shows_the_decision_as_approved(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    v1 = approved_assessment(official, reviewer)
    first = read(official, v1["id"])
    assert first["status"] == "approved"
    assert first["decision_as_approved"] == OLD_AS_APPROVED
    assert read(official, v1["id"]) == first  # again (on PostgreSQL from the cached representation)

    r = official.post(f"/api/v1/assessments/{v1['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert v2["decision_as_approved"] is None  # a new draft has approved nothing yet
    decision = official.get(f"/api/v1/decisions/{v1['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{v1['decision_id']}", NEW, decision.headers["ETag"])
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in NEW} == NEW  # the decision as it is now

    # the approved version: unchanged, the details it was approved with (and the same ETag)
    assert read(official, v1["id"]) == first
    assert read(official, v2["id"])["decision_as_approved"] is None

    submitted = act(official, v2, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["decision_as_approved"] is None
    approved = act(reviewer, v2, "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["decision_as_approved"] == {**NEW, "version": 2}

    old = read(official, v1["id"])
    assert old["status"] == "superseded" and old["etag"] != first["etag"]
    assert old["decision_as_approved"] == OLD_AS_APPROVED
    assert read(official, v2["id"])["decision_as_approved"] == {**NEW, "version": 2}


def test_a_draft_has_none(api: Api) -> None:
    a = api.create_assessment()
    assert a["decision_as_approved"] is None
    assert read(api, a["id"])["decision_as_approved"] is None


def test_the_field_is_documented(client: Any) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    field = schemas["AssessmentPublic"]["properties"]["decision_as_approved"]
    assert "decision_as_approved" in schemas["AssessmentPublic"]["required"]
    assert "as approved" in field["description"] and "Null for a draft" in field["description"]
    snapshot = schemas["DecisionAsApprovedPublic"]
    assert set(snapshot["properties"]) == {
        "case_number",
        "title",
        "summary",
        "deciding_body",
        "planned_date",
        "version",
    }
    assert "decision_as_approved" not in schemas["AssessmentListItem"]["properties"]


def csv_rows(api: Api, path: str) -> list[dict[str, str]]:
    r = api.get(path)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_the_ratings_csv_shows_each_version_with_its_decision(people: dict[str, Api]) -> None:
    """The CSV's decision columns of an approved or superseded version are its details as approved."""
    official, reviewer = people["official"], people["reviewer"]
    v1 = approved_assessment(official, reviewer)
    v2 = official.post(f"/api/v1/assessments/{v1['id']}/versions").json()
    decision = official.get(f"/api/v1/decisions/{v1['decision_id']}")
    assert official.patch(f"/api/v1/decisions/{v1['decision_id']}", NEW, decision.headers["ETag"]).status_code == 200
    admin = Api(official.client, make_token("091", ("read", "write", "admin")))

    def decisions(rows: list[dict[str, str]]) -> set[tuple[str, str, str, str]]:
        return {(r["version_no"], r["case_number"], r["decision_title"], r["deciding_body"]) for r in rows}

    old = ("1", OLD["case_number"], OLD["title"], OLD["deciding_body"])
    new = ("2", NEW["case_number"], NEW["title"], NEW["deciding_body"])
    assert decisions(csv_rows(admin, f"/api/v1/assessments/{v1['id']}/ratings.csv")) == {old}
    assert decisions(csv_rows(admin, f"/api/v1/assessments/{v2['id']}/ratings.csv")) == {new}
    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200  # v1 superseded
    assert decisions(csv_rows(admin, "/api/v1/ratings.csv")) == {old, new}

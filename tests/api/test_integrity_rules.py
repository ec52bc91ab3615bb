"""Integrity rules through the API: a decision's details are fixed while its assessment is under review
or approved; a reviewer never approves a version they changed (four eyes); comments are never cut short."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.api.test_review_flow import PERSPECTIVES, act, screened_and_rated
from tests.support import Api, make_token, make_user, session


@pytest.fixture
def people(client: Any) -> dict[str, Api]:
    official = make_user("091", "olli@hel.fi", "official")
    reviewer = make_user("091", "riikka@hel.fi", "reviewer")
    reviewer2 = make_user("091", "rasmus@hel.fi", "reviewer")
    return {
        "official": Api(client, make_token("091", ("read", "write"), official.id)),
        "reviewer": Api(client, make_token("091", ("read", "write"), reviewer.id)),
        "reviewer2": Api(client, make_token("091", ("read", "write"), reviewer2.id)),
    }


def rename(api: Api, decision_id: str, **fields: Any) -> Any:
    url = f"/api/v1/decisions/{decision_id}"
    return api.patch(url, fields or {"title": "Ny rubrik", "planned_date": "2027-01-31"}, api.get(url).headers["ETag"])


# --- 1. a decision's details while its assessment is reviewed or approved ------------------------------


def test_a_decision_is_fixed_while_its_assessment_is_submitted_or_approved(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    did = a["decision_id"]
    assert rename(official, did, summary="Ändrat i utkastet.").status_code == 200, "a draft: free to change"
    assert act(official, a, "submit").status_code == 200
    before = official.get(f"/api/v1/decisions/{did}").json()
    r = rename(official, did)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/invalid-state") and problem["assessment_id"] == a["id"]
    assert "submitted for review" in problem["detail"] and "returned to draft" in problem["detail"]
    assert official.get(f"/api/v1/decisions/{did}").json() == before, "nothing written"
    assert rename(official, did, title="X").status_code == 409, "the same with any field"
    url = f"/api/v1/decisions/{did}"
    assert official.patch(url, {"title": "X"}, '"v1"').status_code == 412, "If-Match is checked first"
    # returned: a draft again, so the details can change; submitted and approved: fixed again
    assert act(reviewer, a, "return", "Komplettera").status_code == 200
    assert rename(official, did, summary="Kompletterat.").status_code == 200
    assert act(official, a, "submit").status_code == 200
    assert act(reviewer, a, "approve").status_code == 200
    for who in (official, reviewer):
        r = rename(who, did)
        assert r.status_code == 409
        assert "approved" in r.json()["detail"] and f"/assessments/{a['id']}/versions" in r.json()["detail"]
    approved = official.get(f"/api/v1/decisions/{did}").json()
    assert approved["title"] == before["title"] and approved["summary"] == "Kompletterat."


def test_a_new_draft_version_opens_the_decision_again(people: dict[str, Api]) -> None:
    """The strict rule looks at the latest version: a draft of a new version lets the decision change
    (the approved version keeps no copy of the decision's details: see the report in the final message)."""
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    act(official, a, "submit")
    act(reviewer, a, "approve")
    assert rename(official, a["decision_id"]).status_code == 409
    v2 = official.post(f"/api/v1/assessments/{a['id']}/versions").json()
    r = rename(official, a["decision_id"])
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Ny rubrik" and r.json()["planned_date"] == "2027-01-31"
    assert act(official, v2, "submit").status_code == 200
    assert rename(official, a["decision_id"], title="Tredje").status_code == 409, "the new version is reviewed"


def test_a_decision_without_assessment_changes_freely(people: dict[str, Api]) -> None:
    official = people["official"]
    d = official.create_decision("KS 2026/77")
    assert rename(official, d["id"]).status_code == 200


# --- 2. four eyes: a reviewer who changed the version cannot approve it ---------------------------------

RATING = {
    "criterion_id": "policy.firms.competition",
    "target": "firms",
    "score": 1,
    "likelihood": "likely",
    "rationale": "Granskarens tillägg",
}


def test_a_reviewer_who_changed_the_ratings_cannot_approve_them(people: dict[str, Api]) -> None:
    official, reviewer, reviewer2 = people["official"], people["reviewer"], people["reviewer2"]
    a = screened_and_rated(official)
    assert reviewer.put_ratings(a["id"], [RATING]).status_code == 200
    assert act(official, a, "submit").status_code == 200
    r = act(reviewer, a, "approve", "Ser bra ut")
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/approving-own-changes")
    assert "you changed this version" in r.json()["detail"] and "another reviewer" in r.json()["detail"]
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["status"] == "submitted", "nothing written"
    assert act(reviewer2, a, "approve").status_code == 200, "another reviewer approves"


def test_returning_is_allowed_and_any_content_change_counts(people: dict[str, Api]) -> None:
    official, reviewer, reviewer2 = people["official"], people["reviewer"], people["reviewer2"]
    a = screened_and_rated(official)
    r = reviewer.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": "Etapp 1"}, reviewer.etag(a["id"]))
    assert r.status_code == 201, r.text
    assert reviewer.delete(f"/api/v1/assessments/{a['id']}/alternatives/option-1", reviewer.etag(a["id"])).status_code
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 403, "an alternative added (and removed) is a change"
    assert act(reviewer, a, "return", "Komplettera").status_code == 200, "returning stays open to them"
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 403, "still this version, across the return"
    assert act(reviewer2, a, "approve").status_code == 200


def test_review_steps_are_no_changes_and_earlier_versions_do_not_count(people: dict[str, Api]) -> None:
    official, reviewer, reviewer2 = people["official"], people["reviewer"], people["reviewer2"]
    a = screened_and_rated(official)
    assert reviewer2.put_ratings(a["id"], [RATING]).status_code == 200  # reviewer2 changed version 1
    act(official, a, "submit")
    assert act(reviewer, a, "return", "Mer underlag").status_code == 200  # a review step, no change
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 200
    v2 = official.post(f"/api/v1/assessments/{a['id']}/versions").json()
    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer2, v2, "approve").status_code == 200, "their change was of version 1"


def test_a_screening_change_counts(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Ej aktuellt"}
        for p in PERSPECTIVES
    ]
    r = reviewer.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, reviewer.etag(a["id"]))
    assert r.status_code == 200, r.text
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 403


def test_the_check_is_one_statement_on_the_resource_index(people: dict[str, Api]) -> None:
    """One statement, answered through the index of the events' resource id (SQLite and PostgreSQL)."""
    from app.assessments import review
    from app.assessments.models import Assessment
    from app.auth.models import User
    from app.auth.web_sessions import actor_for_user
    from app.db.engine import get_engine
    from app.municipalities.models import Municipality

    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    reviewer.put_ratings(a["id"], [RATING])
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    engine = get_engine()
    with session() as s:
        assessment = s.get(Assessment, uuid.UUID(a["id"]))
        assert assessment is not None
        municipality = s.get(Municipality, assessment.municipality_id)
        assert municipality is not None
        users = {u.email: u for u in s.exec(select(User)).all()}
        riikka = actor_for_user(users["riikka@hel.fi"], municipality)
        olli = actor_for_user(users["olli@hel.fi"], municipality)
        rasmus = actor_for_user(users["rasmus@hel.fi"], municipality)
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert review.changed_by(s, riikka, assessment)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert len(statements) == 1 and "audit_event" in statements[0][0]
        assert review.changed_by(s, olli, assessment), "the author changed it too"
        assert not review.changed_by(s, rasmus, assessment)
        sql, params = statements[0]
        conn = s.connection()
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the test's tables are tiny
            plan = " ".join(str(row) for row in conn.exec_driver_sql("EXPLAIN " + sql, params))
        assert "ix_audit_event_resource_id" in plan, plan
        s.rollback()


# --- 3. comments are refused over their limit, never cut short -----------------------------------------

LONG = "x" * 30_000


@pytest.mark.parametrize("action", ["submit", "return", "approve"])
def test_a_comment_over_20000_characters_is_refused(people: dict[str, Api], action: str) -> None:
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    if action != "submit":
        assert act(official, a, "submit").status_code == 200
    caller = official if action == "submit" else reviewer
    r = act(caller, a, action, LONG)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("comment", "string_too_long")]
    body = official.get(f"/api/v1/assessments/{a['id']}").json()
    assert body["status"] == ("draft" if action == "submit" else "submitted"), "nothing written"
    assert act(caller, a, action, "y" * 20_000).status_code == 200, "20,000 characters fit"
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["review"][-1]["comment"] == "y" * 20_000

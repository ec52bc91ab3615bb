"""Requests that check what exists and then insert, sent many at once (a double click, a client's retry
after a timeout): the decision gets one live assessment, an approved one one new version, a rating one
follow-up, and nobody a 500. On PostgreSQL they take turns on a row lock; SQLite writers are serial."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.api.test_review_flow import act, people, screened_and_rated  # noqa: F401 - people is a fixture
from tests.support import Api

AT_ONCE = 12


def at_once(call: Callable[[], Any]) -> list[int]:
    """``call`` from ``AT_ONCE`` threads released together; their status codes."""
    start, codes = threading.Barrier(AT_ONCE), []

    def run() -> None:
        start.wait()
        codes.append(call().status_code)

    threads = [threading.Thread(target=run) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_a_decision_gets_one_assessment_however_many_ask_at_once(api: Api) -> None:
    decision = api.create_decision("KS 2026/40")
    codes = at_once(lambda: api.post(f"/api/v1/decisions/{decision['id']}/assessments", {}))
    assert sorted(codes) == [201] + [409] * (AT_ONCE - 1), codes
    listed = api.get(f"/api/v1/assessments?decision_id={decision['id']}").json()
    assert listed["total"] == 1


def test_an_approved_assessment_gets_one_new_version(people: dict[str, Api]) -> None:  # noqa: F811
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 200
    codes = at_once(lambda: official.post(f"/api/v1/assessments/{a['id']}/versions"))
    assert sorted(codes) == [201] + [409] * (AT_ONCE - 1), codes
    listed = official.get(f"/api/v1/assessments?decision_id={a['decision_id']}").json()
    assert sorted(x["version_no"] for x in listed["items"]) == [1, 2]


def test_a_rating_gets_one_follow_up(people: dict[str, Api]) -> None:  # noqa: F811
    official, reviewer = people["official"], people["reviewer"]
    a = screened_and_rated(official)
    act(official, a, "submit")
    assert act(reviewer, a, "approve").status_code == 200
    ratings = official.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    significant = next(r for r in ratings if r["score"] == -2)
    body = {"rating_id": significant["id"], "outcome": "worse", "note": "Fler klagomål"}
    codes = at_once(lambda: official.post(f"/api/v1/assessments/{a['id']}/follow-ups", body))
    assert set(codes) <= {200, 201}, codes
    history = official.get(f"/api/v1/assessments/{a['id']}/history").json()
    # one row; the first recorded it, the others (the same outcome and note) change nothing
    assert sum(e["action"] == "follow_up.recorded" for e in history) == 1
    assert len(official.get(f"/api/v1/assessments/{a['id']}/follow-ups").json()) == 1
    notes = [{**body, "note": f"Anteckning {i}"} for i in range(AT_ONCE)]
    codes = at_once(lambda: official.post(f"/api/v1/assessments/{a['id']}/follow-ups", notes.pop()))
    assert set(codes) <= {200, 201}, codes
    history = official.get(f"/api/v1/assessments/{a['id']}/history").json()
    assert sum(e["action"] == "follow_up.recorded" for e in history) == 1 + AT_ONCE, "each change recorded, none lost"
    assert len(official.get(f"/api/v1/assessments/{a['id']}/follow-ups").json()) == 1

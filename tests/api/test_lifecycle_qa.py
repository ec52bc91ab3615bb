"""Exploratory QA of the assessment life cycle through the API: screening changes after rating, new
versions of an approved assessment, follow-up dates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, approved, official_and_reviewer


@pytest.fixture
def people(client: Any) -> dict[str, Api]:
    return official_and_reviewer(client)


POLICY_RATING = {
    "criterion_id": "policy.firms.business-climate",
    "target": "firms",
    "score": -3,
    "likelihood": "likely",
    "rationale": "Företagslotsen flyttas",
    "mitigation": "Digital lots",
}


def test_ratings_of_a_perspective_screened_out_do_not_make_it_submittable(people: dict[str, Api]) -> None:
    """The proposal rated only in a perspective later screened out has no rating that counts (its summary
    is empty): submitting it is refused, naming the ratings, until a relevant perspective is rated."""
    official = people["official"]
    aid = official.create_assessment()["id"]
    official.screen(aid, ("policy",))
    assert official.put_ratings(aid, [POLICY_RATING]).status_code == 200
    official.screen(aid, ("infrastructure",))  # policy screened out: its rating is kept, but counts nowhere
    summary = official.get(f"/api/v1/assessments/{aid}/summary").json()
    assert summary["alternatives"][0]["effects"] == 0
    # the list of ratings says so: the rating is there, marked as not counted
    listed = official.get(f"/api/v1/assessments/{aid}/ratings").json()
    assert [(r["criterion_id"], r["counted"]) for r in listed] == [(POLICY_RATING["criterion_id"], False)]
    r = official.act(aid, "submit")
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["ratings"]
    assert official.get(f"/api/v1/assessments/{aid}").json()["status"] == "draft"
    infra = official.get(f"/api/v1/assessments/{aid}/rubric").json()["perspectives"]
    other = next(c for p in infra if p["id"] == "infrastructure" for c in p["criteria"])
    saved = official.put_ratings(aid, [{**POLICY_RATING, "criterion_id": other["id"], "target": other["target"]}])
    assert saved.status_code == 200, saved.text
    assert {r["criterion_id"]: r["counted"] for r in saved.json()} == {
        POLICY_RATING["criterion_id"]: False,
        other["id"]: True,
    }, "a save answers with every rating, each saying whether it counts (the fast path too)"
    # marked relevant again, the kept rating counts again and the assessment can be submitted
    official.screen(aid, ("policy", "infrastructure"))
    assert all(r["counted"] for r in official.get(f"/api/v1/assessments/{aid}/ratings").json())
    assert official.act(aid, "submit").status_code == 200


def test_a_new_version_keeps_the_planned_follow_up_date(people: dict[str, Api]) -> None:
    """Updating an approved assessment does not drop its follow-up review date: the new version carries
    it (and shows it while a draft), and keeps it once approved; the superseded version keeps its own."""
    official, reviewer = people["official"], people["reviewer"]
    aid = approved(official, reviewer, [POLICY_RATING])
    r = official.put(f"/api/v1/assessments/{aid}/review-date", {"review_date": "2028-06-30"}, official.etag(aid))
    assert r.status_code == 200, r.text
    r = official.post(f"/api/v1/assessments/{aid}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert v2["review_date"] == "2028-06-30" and v2["previous_id"] == aid
    assert official.act(v2["id"], "submit").status_code == 200
    assert reviewer.act(v2["id"], "approve").status_code == 200
    assert official.get(f"/api/v1/assessments/{v2['id']}").json()["review_date"] == "2028-06-30"
    old = official.get(f"/api/v1/assessments/{aid}").json()
    assert old["status"] == "superseded" and old["review_date"] == "2028-06-30"


def _merged_draft(api: Api, first: int, second: int) -> dict[str, Any]:
    from tests.rubrics.flows import assessment, rate, rating

    a = assessment(api, f"KS 2026/{first}{second}", rubric_id="kuntaliitto-vitality", rubric_version="1.0.0")
    rate(
        api,
        a["id"],
        [
            rating("cross-sector.residents.attractiveness", "residents", 1, effect=e, affected_groups=f"A{e}")
            for e in range(1, first + 1)
        ]
        + [
            rating("cross-sector.residents.culture-community", "residents", 1, effect=e, affected_groups=f"C{e}")
            for e in range(1, second + 1)
        ],
    )
    return a


def test_a_rubric_upgrade_never_numbers_a_merged_effect_beyond_five(api: Api) -> None:
    """Two criteria merged into one (1.0.0 → 1.1.0): their effects fill the free numbers 1..5, the bound of
    the API and of the transfer format. More than five is refused, naming the criterion, and nothing
    changes; before, they were numbered 6, 7, … and could be neither changed nor exported and imported."""
    fits = _merged_draft(api, 2, 3)
    r = api.post(f"/api/v1/assessments/{fits['id']}/rubric-upgrade", {"to_version": "1.1.0"}, api.etag(fits["id"]))
    assert r.status_code == 200, r.text
    rows = api.get(f"/api/v1/assessments/{fits['id']}/ratings").json()
    assert sorted(x["effect"] for x in rows) == [1, 2, 3, 4, 5]
    assert {x["affected_groups"] for x in rows} == {"A1", "A2", "C1", "C2", "C3"}, "every effect carried over"

    over = _merged_draft(api, 3, 3)
    before = api.etag(over["id"])
    r = api.post(f"/api/v1/assessments/{over['id']}/rubric-upgrade", {"to_version": "1.1.0"}, before)
    assert r.status_code == 422, r.text
    [problem] = r.json()["errors"]
    assert problem["field"] == "to_version" and problem["code"] == "too_many_effects"
    assert "cross-sector.residents.place-attachment" in problem["message"]
    body = api.get(f"/api/v1/assessments/{over['id']}")
    assert body.json()["rubric_version"] == "1.0.0" and body.headers["ETag"] == before, "nothing changed"
    rows = api.get(f"/api/v1/assessments/{over['id']}/ratings").json()
    assert sorted((x["criterion_id"], x["effect"]) for x in rows)[0] == ("cross-sector.residents.attractiveness", 1)
    assert len(rows) == 6


def test_follow_ups_carry_over_to_the_new_approved_version(people: dict[str, Api]) -> None:
    """What was learnt about the decision's impacts is not left behind on the superseded version: once the
    new version is approved, each outcome is on its rating there (as recorded, by whom and when), where
    that rating is still followed up; the old version keeps its own."""
    official, reviewer = people["official"], people["reviewer"]
    second = {**POLICY_RATING, "criterion_id": "policy.firms.competition", "score": 2, "mitigation": ""}
    aid = approved(official, reviewer, [POLICY_RATING, second])
    ids = {r["criterion_id"]: r["id"] for r in official.get(f"/api/v1/assessments/{aid}/ratings").json()}
    for criterion, outcome in (("policy.firms.business-climate", "worse"), ("policy.firms.competition", "better")):
        body = {"rating_id": ids[criterion], "outcome": outcome, "note": f"Uppföljning {outcome}"}
        assert official.post(f"/api/v1/assessments/{aid}/follow-ups", body).status_code == 201
    recorded = {f["rating_id"]: f for f in official.get(f"/api/v1/assessments/{aid}/follow-ups").json()}

    v2 = official.post(f"/api/v1/assessments/{aid}/versions").json()["id"]
    assert official.get(f"/api/v1/assessments/{v2}/follow-ups").json() == [], "a draft is not followed up"
    # the second rating is no longer significant in the new version: its outcome stays behind
    assert official.put_ratings(v2, [{**second, "score": 1, "likelihood": "unlikely"}]).status_code == 200
    assert official.act(v2, "submit").status_code == 200
    assert reviewer.act(v2, "approve").status_code == 200

    new_ids = {r["id"]: r["criterion_id"] for r in official.get(f"/api/v1/assessments/{v2}/ratings").json()}
    carried = official.get(f"/api/v1/assessments/{v2}/follow-ups").json()
    assert [(new_ids[f["rating_id"]], f["outcome"], f["note"]) for f in carried] == [
        ("policy.firms.business-climate", "worse", "Uppföljning worse")
    ]
    old = recorded[ids["policy.firms.business-climate"]]
    assert (carried[0]["recorded_by"], carried[0]["recorded_at"]) == (old["recorded_by"], old["recorded_at"])
    assert len(official.get(f"/api/v1/assessments/{aid}/follow-ups").json()) == 2, "the old version keeps its own"
    history = official.get(f"/api/v1/assessments/{v2}/history").json()
    assert [e["after"].get("carried_from") for e in history if e["action"] == "follow_up.recorded"] == [aid]


def test_a_follow_up_posted_again_as_stored_changes_nothing(people: dict[str, Api]) -> None:
    """A retry (or a colleague's same answer) keeps who recorded the outcome and when, and adds no event;
    a changed note is recorded anew."""
    official, reviewer = people["official"], people["reviewer"]
    aid = approved(official, reviewer, [POLICY_RATING])
    [rating] = official.get(f"/api/v1/assessments/{aid}/ratings").json()
    body = {"rating_id": rating["id"], "outcome": "worse", "note": "Fler klagomål"}
    first = official.post(f"/api/v1/assessments/{aid}/follow-ups", body)
    assert first.status_code == 201, first.text
    again = reviewer.post(f"/api/v1/assessments/{aid}/follow-ups", body)
    assert again.status_code == 201 and again.json() == first.json(), "as recorded the first time"
    changed = reviewer.post(f"/api/v1/assessments/{aid}/follow-ups", {**body, "note": "Färre klagomål än väntat"})
    assert changed.status_code == 201 and changed.json()["recorded_by"] != first.json()["recorded_by"]
    trail = [e["action"] for e in official.get(f"/api/v1/assessments/{aid}/history").json()]
    assert trail.count("follow_up.recorded") == 2

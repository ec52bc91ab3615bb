"""Ratings kept from before their perspective was screened out do not count anywhere: not in the
summary (as before), nor the list's significant-negative flag, the portfolio report's counts or the
decision summary's knowledge gaps (they counted there; found by a method review)."""

from __future__ import annotations

from typing import Any

from tests.api.test_review_flow import PERSPECTIVES
from tests.reports.factories import page_texts, pdf_text
from tests.support import Api

GAP = "Ingen vet ännu hur pendlingen ändras"


def screen(api: Api, a: dict[str, Any], relevant: set[str]) -> None:
    items = [
        {"perspective_id": p, "relevant": p in relevant, "reason": "" if p in relevant else "Berörs inte"}
        for p in PERSPECTIVES
    ]
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 200, r.text


def flagged(api: Api) -> list[str]:
    return [x["id"] for x in api.get("/api/v1/assessments?significant_negative=true").json()["items"]]


def test_a_perspective_screened_out_later_takes_its_ratings_out_of_every_count(api: Api) -> None:
    a = api.create_assessment()
    screen(api, a, {"policy", "infrastructure"})
    ratings = [
        {
            "criterion_id": "infrastructure.firms.establishment",
            "target": "firms",
            "score": -3,
            "likelihood": "certain",
            "rationale": "Tomterna försvinner",
            "mitigation": "Nya tomter",
        },
        {
            "criterion_id": "infrastructure.residents.accessibility",
            "target": "residents",
            "score": "unknown",
            "rationale": GAP,
        },
        {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 1, "rationale": "Bättre"},
    ]
    assert api.put_ratings(a["id"], ratings).status_code == 200
    assert a["id"] in flagged(api)
    by_perspective = "/api/v1/assessments?perspective=infrastructure&target=residents"
    assert [x["id"] for x in api.get(by_perspective).json()["items"]] == [a["id"]]
    screen(api, a, {"policy"})
    assert a["id"] not in flagged(api), "the flag follows the screening"
    assert api.get(by_perspective).json()["items"] == [], "nor does the list filter by perspective match"
    summary = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    assert summary["alternatives"][0]["most_negative"] == []
    pdf = api.get(f"/api/v1/assessments/{a['id']}/report")
    assert pdf.status_code == 200
    pages = page_texts(pdf.content)
    assert GAP not in " ".join(pages[:2]), "no knowledge gap of a perspective screened out"
    appendix = " ".join(pages[2:])
    assert GAP in appendix, "the appendix still lists every stored rating"
    note = "Perspektivet har screenats bort som inte relevant: bedömningarna gjordes innan dess och räknas inte."
    assert appendix.count(note) == 1, "once: under the one perspective screened out that has ratings"
    assert appendix.index(note) < appendix.index(GAP) and appendix.index("Bättre") < appendix.index(note)
    report = api.get("/api/v1/reports/portfolio", params={"from": "2020-01-01", "to": "2030-12-31"})
    assert report.status_code == 200, report.text
    text = pdf_text(report.content)
    assert "Med betydande negativa effekter 0" in text or "Med betydande negativa effekter: 0" in text, text[:2000]
    screen(api, a, {"policy", "infrastructure"})
    assert a["id"] in flagged(api), "and back"


def test_the_migration_corrects_flags_set_before_the_fix(api: Api) -> None:
    """Migration 0009 recomputes the flag of assessments with ratings in a perspective screened out."""
    import uuid

    from sqlalchemy import update

    from app.assessments import representation_cache
    from app.assessments.models import Assessment
    from app.db.migrate import downgrade, upgrade
    from tests.support import session

    a = api.create_assessment()
    screen(api, a, {"policy", "infrastructure"})
    rating = {
        "criterion_id": "infrastructure.firms.establishment",
        "target": "firms",
        "score": -2,
        "likelihood": "likely",
        "rationale": "Tomterna försvinner",
        "mitigation": "Nya tomter",
    }
    assert api.put_ratings(a["id"], [rating]).status_code == 200
    screen(api, a, {"policy"})
    kept = api.create_assessment("KS 2026/2")  # a flag that is right stays
    screen(api, kept, {"infrastructure"})
    assert api.put_ratings(kept["id"], [rating]).status_code == 200
    with session() as s:  # as the code before the fix left it
        stmt = update(Assessment).where(Assessment.id == uuid.UUID(a["id"]))  # type: ignore[arg-type]
        s.execute(stmt.values(significant_negative=True))
        s.commit()
    representation_cache.clear()  # kept pages follow the audit chain, which a hand edit does not move
    assert a["id"] in flagged(api)
    downgrade("0008")
    upgrade("head")
    representation_cache.clear()
    assert flagged(api) == [kept["id"]]


def test_a_rating_of_a_perspective_screened_out_gets_no_follow_up(api: Api, client: Any) -> None:
    from tests.api.test_review_flow import act
    from tests.support import make_token, make_user

    official = Api(client, make_token("091", ("read", "write"), make_user("091", "o@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "r@hel.fi", "reviewer").id))
    a = official.create_assessment()
    screen(official, a, {"policy", "infrastructure"})
    rating = {"target": "firms", "score": -3, "likelihood": "certain", "rationale": "R", "mitigation": "M"}
    ratings = [rating | {"criterion_id": "infrastructure.firms.establishment"}]
    ratings.append(rating | {"criterion_id": "policy.firms.business-climate"})
    assert official.put_ratings(a["id"], ratings).status_code == 200
    screen(official, a, {"policy"})
    assert act(official, a, "submit").status_code == 200
    assert act(reviewer, a, "approve").status_code == 200
    stored = official.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    out = next(r for r in stored if r["criterion_id"].startswith("infrastructure."))
    kept = next(r for r in stored if r["criterion_id"].startswith("policy."))
    path = f"/api/v1/assessments/{a['id']}/follow-ups"
    r = official.post(path, {"rating_id": out["id"], "outcome": "worse", "note": ""})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["rating_id"]
    assert official.post(path, {"rating_id": kept["id"], "outcome": "worse", "note": ""}).status_code == 201

"""The ratings CSV as a spreadsheet reads it: text that would run as a formula, lines within a cell."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.factories import rating
from tests.support import Api

TRIGGERS = ["=1+1", "+46 8 123", "-x", "@SUM(A1)"]  # a leading tab or CR does not reach a title: stripped


@pytest.mark.parametrize("typed", TRIGGERS)
def test_every_text_a_spreadsheet_would_run_starts_with_an_apostrophe(api: Api, typed: str) -> None:
    decision = api.create_decision("KS 2026/5", title=f"{typed} titel", planned_date="2026-05-01")
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assessment = r.json()
    r = api.put_ratings(
        assessment["id"],
        [rating("policy.firms.business-climate", -2, rationale=f"{typed} motivering", mitigation=f"{typed} åtgärd")],
    )
    assert r.status_code == 200, r.text
    text = api.get(f"/api/v1/assessments/{assessment['id']}/ratings.csv").content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    for column in ("decision_title", "rationale", "mitigation"):
        assert row[column].startswith("'" + typed[0]), column
    assert row["score"] == "-2"  # a number stays a number


def test_lines_within_a_cell_stay_in_the_cell(api: Api) -> None:
    assessment = api.create_assessment("KS 2026/6")
    typed = 'Rad ett, med komma\nrad två; semikolon och "citat"\n\nstycke två'
    r = api.put_ratings(assessment["id"], [rating("policy.firms.business-climate", 1, rationale=typed)])
    assert r.status_code == 200, r.text
    body = api.get(f"/api/v1/assessments/{assessment['id']}/ratings.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    assert dict(zip(rows[0], rows[1], strict=True))["rationale"] == typed
    assert body.count("\r\n") == 2  # records end in CRLF, as Excel writes them; a cell's lines keep LF


def test_a_rating_of_a_perspective_screened_out_is_marked_as_not_counted(api: Api) -> None:
    """An analyst summing the scores must leave out ratings kept from a perspective later screened out, as
    the summary and the reports do: the CSV says which (`counted`), for one assessment and for all."""
    from app.rubrics.models import PERSPECTIVE_IDS

    assessment = api.create_assessment("KS 2026/7")
    aid = assessment["id"]
    both = [
        rating("policy.firms.business-climate", 2),
        rating("policy.firms.competition", -1, mitigation="Upphandling i mindre delar"),
    ]
    assert api.put_ratings(aid, both).status_code == 200
    items = [
        {"perspective_id": p, "relevant": p != "policy", "reason": "Berör inte beslutet" if p == "policy" else ""}
        for p in PERSPECTIVE_IDS
    ]
    assert api.put(f"/api/v1/assessments/{aid}/screening", {"items": items}, api.etag(aid)).status_code == 200
    for path in (f"/api/v1/assessments/{aid}/ratings.csv", "/api/v1/ratings.csv"):
        rows = list(csv.DictReader(io.StringIO(api.get(path).content.decode("utf-8-sig"), newline="")))
        assert list(rows[0])[-1] == "counted", "a new column goes last: positions of the others stay"
        assert [(r["criterion_id"], r["counted"]) for r in rows] == [
            ("policy.firms.business-climate", "false"),
            ("policy.firms.competition", "false"),
        ]
    items = [{**i, "relevant": True, "reason": ""} for i in items]
    assert api.put(f"/api/v1/assessments/{aid}/screening", {"items": items}, api.etag(aid)).status_code == 200
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/ratings.csv").content.decode("utf-8-sig"), newline="")))
    assert [r["counted"] for r in rows] == ["true", "true"]

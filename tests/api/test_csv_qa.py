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

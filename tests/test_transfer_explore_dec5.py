"""The ratings CSV opened in Excel: a text cell whose whole text Excel would turn into a date, time or
number (a case number ``3-4`` into the 4th of March) starts with an apostrophe, as a formula does."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.factories import rating
from tests.support import Api

CONVERTED = ["3-4", "12/2026", "1.2.2026", "10:30", "007", "1E5", "2026-12-14", "1,5"]


@pytest.mark.parametrize("typed", CONVERTED)
def test_text_that_excel_would_read_as_a_date_or_number_is_kept_as_text(api: Api, typed: str) -> None:
    decision = api.create_decision(typed)
    assessment = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {}).json()
    r = api.put_ratings(
        assessment["id"], [rating("policy.firms.business-climate", -2, affected_area=typed, affected_groups=typed)]
    )
    assert r.status_code == 200, r.text
    for separator in ("comma", "semicolon"):
        r = api.get(f"/api/v1/assessments/{assessment['id']}/ratings.csv", params={"separator": separator})
        text = r.content.decode("utf-8-sig")
        [row] = list(csv.DictReader(io.StringIO(text, newline=""), delimiter="," if separator == "comma" else ";"))
        for column in ("case_number", "affected_area", "affected_groups"):
            assert row[column] == "'" + typed, (column, row[column])
        assert row["score"] == "-2" and row["version_no"] == "1"  # numbers stay numbers


@pytest.mark.parametrize("typed", ["KS 2026/118", "HEL 2021-012226", "2026", "Norra Böle 3-4"])
def test_text_that_excel_keeps_is_unchanged(api: Api, typed: str) -> None:
    decision = api.create_decision(typed)
    assessment = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {}).json()
    r = api.put_ratings(assessment["id"], [rating("policy.firms.business-climate", 1, affected_area=typed)])
    assert r.status_code == 200, r.text
    text = api.get("/api/v1/ratings.csv").content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["case_number"] == typed and row["affected_area"] == typed

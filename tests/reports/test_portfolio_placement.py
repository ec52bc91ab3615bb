"""Where the portfolio report places a decision, as the portfolio summary tables count it: an approved
version by its decision's date as approved, so a new draft version that changes the date leaves it where
it was approved; and the cumulative table says why its cells may be empty."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_review_flow import act
from tests.portfolio.test_portfolio import NEGATIVE, POSITIVE, approved, impacts, people
from tests.reports.factories import pdf_text
from tests.support import Api


def portfolio(api: Api, date_from: str, date_to: str, lang: str = "sv") -> str:
    r = api.get("/api/v1/reports/portfolio", params={"from": date_from, "to": date_to, "lang": lang})
    assert r.status_code == 200, r.text
    return pdf_text(r.content)


def test_an_approved_version_stays_in_the_period_it_was_approved_for(client: Any) -> None:
    official, reviewer = people(client, "091")
    a = approved(official, reviewer, "KH 11/2026", "2026-02-10", [NEGATIVE, POSITIVE])
    r = official.post(f"/api/v1/assessments/{a['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    moved = {"planned_date": "2026-11-30", "title": "Ny tidplan för servicepunkterna"}
    assert official.patch(f"/api/v1/decisions/{a['decision_id']}", moved, d.headers["ETag"]).status_code == 200

    first = portfolio(official, "2026-01-01", "2026-03-31")
    assert "KH 11/2026" in first, "the approved, still current version stays in its quarter"
    assert "Godkänd" in first and "Ny tidplan" not in first, "shown as approved, with its details as approved"
    assert [q["approved"] for q in impacts(official, 2026)["quarters"]] == [1, 0, 0, 0], "as the tables count it"
    last = portfolio(official, "2026-10-01", "2026-12-31")
    assert "KH 11/2026" in last and "Ny tidplan" in last and "Utkast" in last, "the draft by the new date"

    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200
    assert "KH 11/2026" not in portfolio(official, "2026-01-01", "2026-03-31"), "superseded: gone"
    assert "KH 11/2026" in portfolio(official, "2026-10-01", "2026-12-31")


def test_an_approved_version_stays_under_the_body_it_was_approved_for(client: Any) -> None:
    official, reviewer = people(client, "091")
    a = approved(official, reviewer, "KH 12/2026", "2026-02-10", [NEGATIVE, POSITIVE])
    assert official.post(f"/api/v1/assessments/{a['id']}/versions").status_code == 201
    d = official.get(f"/api/v1/decisions/{a['decision_id']}")
    moved = {"deciding_body": "Stadsfullmäktige"}
    assert official.patch(f"/api/v1/decisions/{a['decision_id']}", moved, d.headers["ETag"]).status_code == 200

    def by_body(body: str) -> str:
        params = {"from": "2026-01-01", "to": "2026-03-31", "lang": "sv", "body": body}
        r = official.get("/api/v1/reports/portfolio", params=params)
        assert r.status_code == 200, r.text
        return pdf_text(r.content)

    assert "Kommunstyrelsen · Godkänd" in by_body("Kommunstyrelsen"), "the approved version, under its body"
    assert "Stadsfullmäktige · Utkast" in by_body("Stadsfullmäktige"), "the new draft, under the new body"


EXPLAINED = {
    "sv": "Ett beslut räknas för en målgrupp bara när både förslaget och nollalternativet har bedömda effekter",
    "fi": "Päätös lasketaan mukaan kohderyhmälle vain, jos sekä sen ehdotuksen että sen nollavaihtoehdon",
    "en": "A decision counts for a target only when both its proposal and its zero alternative have rated",
}


TREND_HEADERS = {
    "sv": "Kvartal Beslut Godkända",  # a count of them, not the status "Godkänd"
    "fi": "Vuosineljännes Päätökset Hyväksyttyjä",
    "en": "Quarter Decisions Approved",
}


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_cumulative_table_says_why_its_cells_are_empty(client: Any, lang: str) -> None:
    official, reviewer = people(client, "091")
    approved(official, reviewer, "KH 12/2026", "2026-04-10", [NEGATIVE])  # no zero alternative rated
    text = portfolio(official, "2026-01-01", "2026-12-31", lang)
    assert EXPLAINED[lang] in text
    assert TREND_HEADERS[lang] in text

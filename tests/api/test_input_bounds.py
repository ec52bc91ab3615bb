"""Input within bounds through the API and the web alike: dates of decisions and follow-ups in a sensible
range, and no bidirectional override or isolate characters in people's text."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import Api
from tests.web.support import Web, error_summary

RLO, PDF_, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
ZWJ, ZWNJ, SHY = "\u200d", "\u200c", "\u00ad"


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api.for_new_municipality(client, "905")


def _field_codes(r: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in r.json()["errors"]]


# --- dates ----------------------------------------------------------------------------------------


def test_api_refuses_a_planned_date_out_of_bounds(api: Api) -> None:
    base = {"case_number": "KS 2026/1", "title": "T", "deciding_body": "Kommunstyrelsen"}
    r = api.post("/api/v1/decisions", base | {"planned_date": "1900-01-01"})
    assert r.status_code == 422 and _field_codes(r) == [("planned_date", "date_too_early")], r.text
    far = date.today().replace(year=date.today().year + 11, day=1).isoformat()
    r = api.post("/api/v1/decisions", base | {"planned_date": far})
    assert r.status_code == 422 and _field_codes(r) == [("planned_date", "date_too_late")], r.text
    decision = api.create_decision(planned_date="2000-01-01")
    url = f"/api/v1/decisions/{decision['id']}"
    r = api.patch(url, {"planned_date": "1999-12-31"}, api.get(url).headers["ETag"])
    assert r.status_code == 422 and _field_codes(r) == [("planned_date", "date_too_early")], r.text
    r = api.patch(url, {"planned_date": None}, api.get(url).headers["ETag"])
    assert r.status_code == 200, "null still removes the date"


def test_api_refuses_a_review_date_out_of_bounds(api: Api) -> None:
    assessment = api.create_assessment()
    etag = api.etag(assessment["id"])
    r = api.put(f"/api/v1/assessments/{assessment['id']}/review-date", {"review_date": "1999-01-01"}, etag)
    assert r.status_code == 422 and _field_codes(r) == [("review_date", "date_too_early")], r.text


def test_web_shows_the_date_bound_next_to_the_field(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official")
    fields = {
        "case_number": "KS 2026/2",
        "title": "Skolans tak",
        "deciding_body": "Kommunstyrelsen",
        "planned_date": "1900-01-01",
        "summary": "",
        "zero_description": "Inget görs.",
    }
    r = official.post("/decisions/new", fields)
    assert r.status_code == 422
    assert error_summary(r.text) == [("planned_date", "Ange ett datum år 2000 eller senare")]
    assert 'id="planned_date-error"' in r.text and 'value="1900-01-01"' in r.text
    official.get("/language?lang=fi")
    r = official.post("/decisions/new", fields | {"planned_date": "2999-01-01"})
    assert error_summary(r.text) == [("planned_date", "Anna päivämäärä enintään 10 vuoden päähän tästä päivästä")]


# --- bidirectional formatting characters ---------------------------------------------------------


def test_api_refuses_bidi_overrides_and_isolates_in_text(api: Api) -> None:
    for bad in (f"Detaljplan {RLO}fdp.exe", f"Plan {LRI}x{PDI}", f"a{PDF_}b"):
        r = api.post("/api/v1/decisions", {"case_number": "KS 1", "title": bad, "deciding_body": "KS"})
        assert r.status_code == 422 and [f for f, _ in _field_codes(r)] == ["title"], r.text
    r = api.post(
        "/api/v1/decisions",
        {"case_number": "KS 1", "title": "T", "deciding_body": "KS", "summary": f"Sammanfattning {RLO}xe.fdp"},
    )
    assert r.status_code == 422 and [f for f, _ in _field_codes(r)] == ["summary"]


def test_api_keeps_joiners_and_soft_hyphens(api: Api) -> None:
    title = f"Kommun{SHY}fullmäktige می{ZWNJ}خواهم क्{ZWJ}ष"
    decision = api.create_decision(title=title)
    assert decision["title"] == title


def test_web_removes_bidi_overrides_from_a_title(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official")
    aid = official.new_assessment(title=f"Detaljplan {RLO}fdp.exe{PDF_} {LRI}x{PDI} för{SHY}skola")
    page = official.get(f"/assessments/{aid}").text
    assert "Detaljplan fdp.exe x för\u00adskola" in page
    assert not any(ch in page for ch in (RLO, PDF_, LRI, PDI))


def test_api_pdf_file_name_names_language_and_variant(api: Api) -> None:
    assessment = api.create_assessment()
    r = api.get(f"/api/v1/assessments/{assessment['id']}/report?lang=fi")
    assert r.status_code == 200, r.text
    assert f'filename="livskraft-{assessment["id"]}-fi-ua.pdf"' in r.headers["content-disposition"]

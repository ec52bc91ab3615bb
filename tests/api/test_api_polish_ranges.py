"""A list's date range that ends before it starts (`from` after `to`) is refused as every range of the
API is — 422 problem+json naming `query.from` — instead of an empty page, on the ordinary path and the
fast one (kept pages, PostgreSQL) alike. Either end alone, or both on one day, is still a range."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api

LISTS = ("/api/v1/decisions", "/api/v1/assessments")


def _refused(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["type"] == "https://livskraft.example/problems/validation-error"
    assert body["instance"] == r.request.url.path
    return body


@pytest.mark.parametrize("path", LISTS)
def test_from_after_to_is_refused_naming_the_parameter(api: Api, path: str) -> None:
    api.create_decision(planned_date="2026-12-14")
    r = api.get(path, params={"from": "2026-12-31", "to": "2026-01-01"})
    assert _refused(r)["errors"] == [{"field": "query.from", "message": "must not be after 'to'", "code": "range"}]


@pytest.mark.parametrize("path", LISTS)
def test_the_same_as_the_portfolio_reports_refusal(api: Api, path: str) -> None:
    """One rule, one answer: the list and the portfolio report refuse a reversed period alike."""
    reversed_ = {"from": "2026-12-31", "to": "2026-01-01"}
    listed = _refused(api.get(path, params=reversed_))
    report = _refused(api.get("/api/v1/reports/portfolio", params=reversed_))
    assert (listed["detail"], listed["errors"]) == (report["detail"], report["errors"])


def test_ranges_that_do_not_end_before_they_start_still_answer(api: Api) -> None:
    api.create_assessment()
    for params in ({"from": "2026-01-01"}, {"to": "2026-01-01"}, {"from": "2026-05-05", "to": "2026-05-05"}):
        for path in LISTS:
            assert api.get(path, params=params).status_code == 200, (path, params)


def test_a_malformed_date_is_named_before_the_order_is_checked(api: Api) -> None:
    r = api.get("/api/v1/assessments", params={"from": "2026-13-01", "to": "2026-01-01"})
    assert [e["field"] for e in _refused(r)["errors"]] == ["query.from"]
    assert _refused(r)["errors"][0]["code"].startswith("date_")


def test_the_fast_path_does_not_skip_the_check(api: Api) -> None:
    """Kept list pages (PostgreSQL) are looked up after the check: a reversed range asked again is
    refused again, and never served from a kept page (on SQLite nothing is kept: the same answers)."""
    from app.api import fast_path

    api.create_assessment()
    valid = {"from": "2026-01-01", "to": "2026-12-31"}
    assert api.get("/api/v1/assessments", params=valid).status_code == 200
    assert api.get("/api/v1/assessments", params=valid).status_code == 200  # kept, where pages are kept
    before = fast_path.served
    for _ in range(3):
        _refused(api.get("/api/v1/assessments", params={"from": "2026-12-31", "to": "2026-01-01"}))
    assert fast_path.served == before

"""List endpoints: stable cursor pagination, filters, totals."""

from __future__ import annotations

import pytest

from app.assessments import list_repository, representation_cache
from tests.support import Api


def _all_pages(api: Api, path: str, **params: object) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        q = {**params, **({"cursor": cursor} if cursor else {})}
        r = api.get(path, params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items
        assert pages < 50


def test_decision_pages_cover_everything_once(api: Api) -> None:
    for i in range(7):
        api.create_decision(
            f"KS 2026/{i:02d}", planned_date=f"2026-0{1 + i % 3}-15", deciding_body="KS" if i % 2 else "BN"
        )
    items = _all_pages(api, "/api/v1/decisions", limit=3)
    assert len(items) == 7 and len({d["id"] for d in items}) == 7
    first = api.get("/api/v1/decisions", params={"limit": 3}).json()
    assert first["total"] == 7 and len(first["items"]) == 3
    by_date = _all_pages(api, "/api/v1/decisions", limit=2, sort="planned_date", order="asc")
    dates = [d["planned_date"] for d in by_date]
    assert dates == sorted(dates)
    ks = api.get("/api/v1/decisions", params={"deciding_body": "KS"}).json()
    assert ks["total"] == 3
    ranged = api.get("/api/v1/decisions", params={"from": "2026-02-01", "to": "2026-02-28"}).json()
    assert {d["planned_date"] for d in ranged["items"]} == {"2026-02-15"}
    found = api.get("/api/v1/decisions", params={"case_number": "KS 2026/03"}).json()
    assert [d["case_number"] for d in found["items"]] == ["KS 2026/03"]


def test_assessment_filters(api: Api) -> None:
    a = api.create_assessment("A/1")
    b = api.create_assessment("B/1")
    r = api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "logistics.firms.transport-costs",
                "target": "firms",
                "score": -3,
                "likelihood": "likely",
                "rationale": "Omväg",
                "mitigation": "Ny anslutning",
            }
        ],
    )
    assert r.status_code == 200, r.text
    api.put_ratings(
        b["id"],
        [
            {
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 1,
                "rationale": "Stöder målet",
            }
        ],
    )
    neg = api.get("/api/v1/assessments", params={"significant_negative": "true"}).json()
    assert [x["id"] for x in neg["items"]] == [a["id"]]
    assert neg["items"][0]["case_number"] == "A/1"
    logistics = api.get("/api/v1/assessments", params={"perspective": "logistics"}).json()
    assert [x["id"] for x in logistics["items"]] == [a["id"]]
    org = api.get("/api/v1/assessments", params={"target": "organisation"}).json()
    assert [x["id"] for x in org["items"]] == [b["id"]]
    assert api.get("/api/v1/assessments", params={"status": "approved"}).json()["total"] == 0
    assert len(_all_pages(api, "/api/v1/assessments", limit=1)) == 2


def test_bad_list_parameters_are_422(api: Api) -> None:
    assert api.get("/api/v1/decisions", params={"limit": 0}).status_code == 422
    assert api.get("/api/v1/decisions", params={"cursor": "not-a-cursor"}).status_code == 422
    assert api.get("/api/v1/assessments", params={"status": "lost"}).status_code == 422
    assert api.get("/api/v1/assessments", params={"from": "yesterday"}).status_code == 422


def test_assessment_list_parameters_are_checked_together_field_by_field(api: Api) -> None:
    """The list's parameters are validated as one model (app/api/param_models.py): every bad one is
    named by its parameter (`query.<name>`), as FastAPI names them; unknown ones are ignored; the last of a
    repeated one counts."""
    r = api.get(
        "/api/v1/assessments",
        params={"status": "lost", "from": "yesterday", "limit": 0, "significant_negative": "maybe", "x": "1"},
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].endswith("validation-error")
    by_field = {e["field"]: e for e in body["errors"]}
    assert set(by_field) == {"query.status", "query.from", "query.limit", "query.significant_negative"}
    assert by_field["query.limit"]["code"] == "greater_than_equal" and "1" in by_field["query.limit"]["message"]
    assert by_field["query.from"]["code"].startswith("date_")
    assert api.get("/api/v1/assessments", params={"sort": "created_at", "unknown": "x"}).status_code == 200
    assert api.get("/api/v1/assessments?limit=0&limit=2").json()["items"] == []
    too_long = api.get("/api/v1/assessments", params={"cursor": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "query.cursor"


def test_totals_are_counted_up_to_the_limit(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list counts at most COUNT_LIMIT matches (an exact count reads every matching row); beyond it
    the total is a lower bound and says so. The limit is lowered here instead of creating 1,001 rows."""
    for i in range(4):
        api.create_assessment(f"KS 2026/{i:02d}")
    for path in ("/api/v1/decisions", "/api/v1/assessments"):
        exact = api.get(path, params={"limit": 2}).json()
        assert (exact["total"], exact["total_exact"]) == (4, True)
    monkeypatch.setattr(list_repository, "COUNT_LIMIT", 3)
    representation_cache.clear()  # pages kept for unchanged data were counted with the old limit
    for path in ("/api/v1/decisions", "/api/v1/assessments"):
        body = api.get(path, params={"limit": 2}).json()
        assert (body["total"], body["total_exact"]) == (3, False), body
        assert len(_all_pages(api, path, limit=2)) == 4  # paging is not limited, only counting
    filtered = api.get("/api/v1/assessments", params={"deciding_body": "nobody"}).json()
    assert (filtered["total"], filtered["total_exact"]) == (0, True)

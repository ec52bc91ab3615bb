"""The assessment list filtered by its decisions' body and dates, page by page (the page is one query
joining the decisions, so these filters must still read each assessment's own decision)."""

from __future__ import annotations

from tests.support import Api


def test_assessments_by_deciding_body_and_date_over_pages(api: Api) -> None:
    made = {}
    for i in range(6):
        d = api.create_decision(
            f"KS 2026/{i}", planned_date=f"2026-0{1 + i % 3}-10", deciding_body="KS" if i % 2 else "BN"
        )
        r = api.post(f"/api/v1/decisions/{d['id']}/assessments", {})
        assert r.status_code == 201, r.text
        made[r.json()["id"]] = d
    ks, cursor = [], None
    while True:
        body = api.get(
            "/api/v1/assessments", params={"deciding_body": "KS", "limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        assert body["total"] == 3
        ks += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(x["case_number"] for x in ks) == ["KS 2026/1", "KS 2026/3", "KS 2026/5"]
    assert all(x["deciding_body"] == "KS" and made[x["id"]]["case_number"] == x["case_number"] for x in ks)
    february = api.get("/api/v1/assessments", params={"from": "2026-02-01", "to": "2026-02-28"}).json()
    assert sorted(x["case_number"] for x in february["items"]) == ["KS 2026/1", "KS 2026/4"]
    both = api.get("/api/v1/assessments", params={"deciding_body": "BN", "from": "2026-02-01"}).json()
    assert sorted(x["case_number"] for x in both["items"]) == ["KS 2026/2", "KS 2026/4"]

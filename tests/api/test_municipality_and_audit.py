"""The municipality resource, its settings (weights) and the audit trail through the API."""

from __future__ import annotations

from tests.support import Api


def test_token_sees_only_its_municipality(api: Api, client) -> None:
    Api.for_new_municipality(client, "0180")
    r = api.get("/api/v1/municipalities")
    assert [m["code"] for m in r.json()] == ["091"]
    assert api.get("/api/v1/municipalities/091").json()["name"] == "Helsinki"
    assert api.get("/api/v1/municipalities/0180").status_code == 404


def test_weights_need_admin_and_change_the_summary(api: Api, client) -> None:
    a = api.create_assessment()
    api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 2,
                "rationale": "Mål 3",
            },
            {
                "criterion_id": "logistics.organisation.own-transport",
                "target": "organisation",
                "score": -1,
                "rationale": "Fler körningar",
                "mitigation": "Samordna rutter",
            },
        ],
    )
    before = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    assert before["alternatives"][0]["profile"]["organisation"] == 0.5
    body = {"weights": {"perspectives": {"policy": 3}}}
    assert api.patch("/api/v1/municipalities/091/settings", body).status_code == 403
    admin = Api.for_new_municipality(client, "091", ("read", "write", "admin"))
    url, etag = "/api/v1/municipalities/091/settings", admin.municipality_etag("091")
    assert admin.patch(url, {"weights": {"perspectives": {"nope": 1}}}, etag).status_code == 422
    r = admin.patch(url, {"display_name": "Hel\u0000sinki"}, etag)  # PostgreSQL's JSON holds no NUL: a 500
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["display_name"]
    assert admin.patch(url, body).status_code == 428, "a change without If-Match"
    r = admin.patch(url, body, etag)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] != etag and r.headers["etag"] == admin.municipality_etag("091")
    r = admin.patch(url, {"brand_colour": "#00509e"}, etag)
    assert r.status_code == 412, "a second admin with the old ETag overwrites nothing"
    assert "brand_colour" not in admin.get("/api/v1/municipalities/091").json()["settings"]
    after = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    assert after["alternatives"][0]["profile"]["organisation"] == 1.25  # (2*3 + -1*1) / 4
    assert after["weights"]["perspectives"] == {"policy": 3.0}


def test_audit_events_paginate_and_filter(api: Api) -> None:
    a = api.create_assessment()
    events = api.get("/api/v1/audit-events", params={"limit": 1}).json()
    assert len(events["items"]) == 1 and events["next_cursor"]
    nxt = api.get("/api/v1/audit-events", params={"limit": 1, "cursor": events["next_cursor"]}).json()
    assert nxt["items"][0]["seq"] == events["items"][0]["seq"] + 1
    mine = api.get("/api/v1/audit-events", params={"resource_id": a["id"]}).json()
    assert [e["action"] for e in mine["items"]] == ["assessment.created"]

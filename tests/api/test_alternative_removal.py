"""`DELETE /assessments/{id}/alternatives/{key}` of a further option that has ratings: the option and its
ratings go in one change (it was a 500: the ratings' deletes were not flushed before the option's), and
the audit trail keeps what went with it, as it keeps a rating removed on its own."""

from __future__ import annotations

from tests.reports.factories import rating, screen
from tests.support import Api


def test_an_option_with_ratings_is_removed_with_them_and_the_trail_keeps_them(api: Api) -> None:
    a = api.create_assessment("KS 2026/9")
    screen(api, a["id"])
    r = api.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": "Etapp 1"}, api.etag(a["id"]))
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    r = api.put_ratings(
        a["id"],
        [
            rating("policy.firms.business-climate", 2, alternative=key),
            rating("policy.firms.business-climate", 1),
            rating("infrastructure.firms.establishment", -2, alternative=key),
        ],
    )
    assert r.status_code == 200, r.text
    r = api.delete(f"/api/v1/assessments/{a['id']}/alternatives/{key}", api.etag(a["id"]))
    assert r.status_code == 204, r.text
    left = api.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    assert [x["alternative"] for x in left] == ["proposal"]
    assert key not in [x["key"] for x in api.get(f"/api/v1/assessments/{a['id']}").json()["alternatives"]]

    [event] = [e for e in api.get("/api/v1/audit-events").json()["items"] if e["action"] == "alternative.deleted"]
    assert event["before"]["key"] == key and event["after"] is None
    kept = event["before"]["ratings"]
    assert sorted((x["criterion_id"], x["score"]) for x in kept) == [
        ("infrastructure.firms.establishment", -2),
        ("policy.firms.business-climate", 2),
    ]

"""The summary is computed once per assessment version (app/assessments/summary_cache.py): every change
that can alter it gives a new version, so a summary read before a change is never served after it."""

from __future__ import annotations

from tests.api.test_review_flow import PERSPECTIVES
from tests.support import Api

RATING = {"criterion_id": "policy.firms.business-climate", "target": "firms", "rationale": "Lotsen flyttas"}


def proposal(summary: dict) -> dict:
    return next(a for a in summary["alternatives"] if a["key"] == "proposal")


def test_a_changed_rating_or_screening_gives_a_fresh_summary(api: Api) -> None:
    a = api.create_assessment()
    url = f"/api/v1/assessments/{a['id']}/summary"
    assert api.put_ratings(a["id"], [{**RATING, "score": 2}]).status_code == 200
    assert proposal(api.get(url).json())["profile"]["firms"] == 2.0
    assert proposal(api.get(url).json())["profile"]["firms"] == 2.0  # served again, unchanged
    assert api.put_ratings(a["id"], [{**RATING, "score": -3, "mitigation": "Digital lots"}]).status_code == 200
    assert proposal(api.get(url).json())["profile"]["firms"] == -3.0
    items = [{"perspective_id": p, "relevant": False, "reason": "Berör inte beslutet"} for p in PERSPECTIVES]
    r = api.put(
        f"/api/v1/assessments/{a['id']}/screening", {"items": items, "statement": "Inget berörs"}, api.etag(a["id"])
    )
    assert r.status_code == 200, r.text
    assert proposal(api.get(url).json())["profile"]["firms"] is None  # screened out: no longer counted

"""Small API flows shared by the rubric tests (real HTTP through the app)."""

from __future__ import annotations

from typing import Any

from app.rubrics.models import PERSPECTIVE_IDS
from tests.support import Api


def assessment(api: Api, case_number: str = "KS 2026/7", **body: Any) -> dict[str, Any]:
    """A new draft with every perspective screened relevant; ``body`` goes to the create call."""
    decision = api.create_decision(case_number)
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", body)
    assert r.status_code == 201, r.text
    a = dict(r.json())
    items = [{"perspective_id": p, "relevant": True} for p in PERSPECTIVE_IDS]
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    return dict(r.json())


def rating(criterion_id: str, target: str, score: int | str = 1, **fields: Any) -> dict[str, Any]:
    body = {"criterion_id": criterion_id, "target": target, "score": score, "likelihood": "likely"}
    if score != 0:
        body["rationale"] = f"Motivering för {criterion_id}"
    if isinstance(score, int) and score < 0:
        body["mitigation"] = "Lindrande åtgärd"
    return body | fields


def rate(api: Api, assessment_id: str, ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = api.put_ratings(assessment_id, ratings)
    assert r.status_code == 200, r.text
    return list(r.json())

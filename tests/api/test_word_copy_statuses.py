"""The Word copy (``GET /assessments/{id}/report.docx``) answers as the PDF does when the assessment's
pinned rubric is not installed on this server — ``409`` type ``…/invalid-state`` naming the rubric —
and the OpenAPI document declares that answer, as it does for the PDF (it declared no ``409``, so a
generated client had no model for it and schemathesis' schema check flagged it)."""

from __future__ import annotations

import uuid

from app.assessments.models import Assessment
from tests.support import Api, session


def test_an_uninstalled_rubric_is_a_declared_409(api: Api) -> None:
    a = api.create_assessment()
    with session() as s:  # a version this server does not have (a rubric uninstalled, a restored backup)
        row = s.get(Assessment, uuid.UUID(a["id"]))
        assert row is not None
        row.rubric_version = "9.9.9"
        s.add(row)
        s.commit()
    spec = api.client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/assessments/{assessment_id}/report", "/api/v1/assessments/{assessment_id}/report.docx"):
        r = api.get(path.replace("{assessment_id}", a["id"]))
        assert r.status_code == 409, (path, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["type"].endswith("/invalid-state") and "9.9.9 is not installed" in problem["detail"]
        assert "409" in spec[path]["get"]["responses"], path

"""The decision summary (PDF and Word) names who assessed and who reviewed as the pages do: a person by
their name alone (the domain records "Name <e-mail>"), an API token without a person in words."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from tests.reports.factories import pdf_text
from tests.reports.test_local_day_pdf import set_assessment
from tests.support import Api


def test_the_summary_names_people_by_name_alone(client: Any) -> None:
    api = Api.for_new_municipality(client, "0180")
    a = api.create_assessment()
    set_assessment(
        a["id"],
        status="approved",
        author_name="Tiina Tjänsteperson <tiina@example.se>",
        reviewer_name="Göran Granskare <goran@example.se>",
    )
    pdf = pdf_text(api.get(f"/api/v1/assessments/{a['id']}/report").content)
    assert "Tiina Tjänsteperson" in pdf and "Göran Granskare" in pdf
    assert "@example.se" not in pdf
    r = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": "en"})
    assert r.status_code == 200, r.text
    doc = Document(io.BytesIO(r.content))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    words = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert "Tiina Tjänsteperson" in words and "Göran Granskare" in words
    assert "@example.se" not in words


def test_an_assessment_begun_by_a_token_names_the_token_in_words(client: Any) -> None:
    api = Api.for_new_municipality(client, "091")
    a = api.create_assessment()
    set_assessment(a["id"], author_name="token:asianhallinta")
    text = pdf_text(api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "fi"}).content)
    assert "API-avain asianhallinta" in text
    assert "token:" not in text

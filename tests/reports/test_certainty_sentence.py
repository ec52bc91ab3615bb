"""The summary's sentence on certainty counts the proposal's rated effects in words that fit the number:
none rated is said so ("0 % of the 0 rated effects" said nothing), one effect is not "effects". The PDF
and the Word copy say the same."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from tests.reports.factories import pdf_text, rating, screen
from tests.support import Api

EXPECTED = {
    "sv": ("Ingen effekt av förslaget har bedömts ännu.", "av förslagets 1 bedömda effekt är okänd"),
    "fi": ("Ehdotuksen vaikutuksia ei ole vielä arvioitu.", "Ehdotuksen 1 arvioidusta vaikutuksesta"),
    "en": ("No effect of the proposal has been rated yet.", "of the proposal's 1 rated effect is unknown"),
}


def texts(api: Api, assessment_id: str, lang: str) -> tuple[str, str]:
    pdf = api.get(f"/api/v1/assessments/{assessment_id}/report", params={"lang": lang})
    docx = api.get(f"/api/v1/assessments/{assessment_id}/report.docx", params={"lang": lang})
    assert pdf.status_code == 200 and docx.status_code == 200, (pdf.text[:300], docx.text[:300])
    words = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    return " ".join(pdf_text(pdf.content).split()), words


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_no_rated_effect_and_one_are_said_in_words(client: Any, lang: str) -> None:
    api = Api.for_new_municipality(client, "0180")
    a = api.create_assessment()
    none, one = EXPECTED[lang]
    pdf, word = texts(api, a["id"], lang)
    assert none in pdf and none in word
    assert "0 % " not in word

    screen(api, a["id"])
    body = {"ratings": [{**rating("policy.firms.business-climate", 2), "alternative": "proposal"}]}
    r = api.put(f"/api/v1/assessments/{a['id']}/ratings", body, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    pdf, word = texts(api, a["id"], lang)
    assert one in pdf and one in word
    assert none not in pdf

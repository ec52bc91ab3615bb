"""The comment copy: the decision summary as a Word document, read back with python-docx."""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from tests.reports.factories import (
    AFFECTED_GROUPS,
    CASE,
    EVIDENCE,
    GAP_NOTE,
    NEGATIVE_MITIGATION,
    SCREENED_OUT_REASON,
    TITLE,
    rating,
    rich_assessment,
)
from tests.support import Api

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LONG_RATIONALE = "Spåret gör att tre företag kan flytta hit. " * 30  # 1,290 characters: the PDF's page 1 cuts at 240


def get_docx(api: Api, assessment_id: str, **params: str) -> Any:
    r = api.get(f"/api/v1/assessments/{assessment_id}/report.docx", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert r.headers["x-content-type-options"] == "nosniff"
    return docx.Document(io.BytesIO(r.content))


def all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def headings(document: Any) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_swedish_copy_holds_the_summary_and_every_rating_in_full(api: Api) -> None:
    a = rich_assessment(api, rationale=LONG_RATIONALE)
    document = get_docx(api, a["id"])
    text = all_text(document)
    for expected in (
        TITLE,
        CASE,
        "Kommunstyrelsen",
        "16 mars 2026",
        "Jämförda alternativ",
        "Nollalternativet",
        "Bättre än nollalternativet",
        "Logistik och livskraft",
        "++ Klart positiv",
        NEGATIVE_MITIGATION,
        GAP_NOTE,
        SCREENED_OUT_REASON,
        EVIDENCE,
        AFFECTED_GROUPS,
        "Bilaga: alla bedömningar",
        "Metod och vikter",
        a["rubric_hash"],
    ):
        assert expected in text, expected
    assert LONG_RATIONALE.strip() in text  # in full, not cut as on the PDF's first pages
    # a copy: it says so, in the document's language
    assert "ändringar i det här dokumentet når inte" in text.lower()
    assert text.lower().count("kopia för kommentarer") == 1  # the label once, not repeated by the sentence


def test_structure_language_and_properties_for_assistive_technology(api: Api) -> None:
    a = rich_assessment(api)
    document = get_docx(api, a["id"], lang="fi")
    found = headings(document)
    assert found[0] == ("Heading 1", TITLE)
    levels = [int(style.rsplit(" ", 1)[1]) for style, _ in found]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))  # no level skipped
    assert ("Heading 2", "Arvion varmuus ja tietoaukot") in found
    # every data table marks its first row as the header row; the facts table names rows instead
    data_tables = document.tables[1:]
    assert data_tables
    for table in data_tables:
        properties = table.rows[0]._tr.trPr
        assert properties is not None and properties.find(qn("w:tblHeader")) is not None
    for table in document.tables:  # a row never splits over two pages
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)  # A4
    # the language of every run, and the document's properties
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fi-FI"
    props = document.core_properties
    assert props.language == "fi-FI"
    assert TITLE in props.title and props.identifier == CASE
    assert "Diaarinumero" in all_text(document) and "Diarienummer" not in all_text(document)


def test_english_by_accept_language_and_the_bytes_are_reproducible(api: Api) -> None:
    a = rich_assessment(api)
    path = f"/api/v1/assessments/{a['id']}/report.docx"
    first = api.get(path, headers={"Accept-Language": "en-GB,en;q=0.8"})
    second = api.get(path, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # dated by the assessment, not by the clock
    text = all_text(docx.Document(io.BytesIO(first.content)))
    assert "Case number" in text and "Zero alternative" in text and "Appendix: every rating" in text
    with zipfile.ZipFile(io.BytesIO(first.content)) as package:
        assert {info.date_time for info in package.infolist()} == {package.infolist()[0].date_time}
    assert first.headers["content-disposition"] == f'attachment; filename="livskraft-{a["id"]}-en.docx"'


def test_text_typed_with_markup_and_control_characters_stays_text(api: Api) -> None:
    decision = api.create_decision("KS 2026/77", title='<b>Torg</b> & </w:t> "citat"', planned_date="2026-05-01")
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assessment = r.json()
    api.put(
        f"/api/v1/assessments/{assessment['id']}/screening",
        {"items": [{"perspective_id": "policy", "relevant": True}]},
        api.etag(assessment["id"]),
    )
    r = api.put_ratings(
        assessment["id"], [rating("policy.firms.business-climate", 1, rationale="Rad ett\nRad två <script>x</script>")]
    )
    assert r.status_code == 200, r.text
    text = all_text(get_docx(api, assessment["id"], lang="sv"))
    assert '<b>Torg</b> & </w:t> "citat"' in text
    assert "Rad ett\nRad två <script>x</script>" in text


def test_refusals(api: Api, client: Any) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": "de"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.lang"]
    other = Api.for_new_municipality(client, "049")
    r = other.get(f"/api/v1/assessments/{a['id']}/report.docx")
    assert r.status_code == 404  # another municipality's assessment does not exist for this caller
    r = client.get(f"/api/v1/assessments/{a['id']}/report.docx")
    assert r.status_code == 401


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_every_language_builds_with_an_empty_draft(api: Api, lang: str) -> None:
    assessment = api.create_assessment("KS 2026/9")
    text = all_text(get_docx(api, assessment["id"], lang=lang))
    assert "KS 2026/9" in text

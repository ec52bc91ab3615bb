"""The author's texts in their own language in the reports: a Swedish assessment's PDF in Finnish marks
the rationales, mitigations, titles and statement as Swedish in the structure tree (/Lang, read by
screen readers) and in the layout (hyphenation); the report's own words stay Finnish. Where the texts'
language is the report's, or not stated, nothing is marked."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pikepdf

from tests.reports.factories import NEGATIVE_MITIGATION, rich_assessment
from tests.reports.test_summary_pdf import get_pdf
from tests.support import Api


def struct_langs(pdf: bytes) -> tuple[str, Counter[str]]:
    """The catalogue's /Lang and how many structure elements carry each /Lang of their own."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        found: Counter[str] = Counter()
        stack: list[Any] = [doc.Root.StructTreeRoot.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if "/Lang" in node:
                    found[str(node.Lang)] += 1
                stack.append(node.get("/K"))
        return str(doc.Root.Lang), found


def set_language(api: Api, assessment_id: str, value: str | None) -> None:
    r = api.put(f"/api/v1/assessments/{assessment_id}/text-language", {"text_language": value}, api.etag(assessment_id))
    assert r.status_code == 200, r.text


def test_swedish_texts_in_a_finnish_report_are_marked_swedish(api: Api) -> None:
    a = rich_assessment(api)
    set_language(api, a["id"], "sv")
    document, marked = struct_langs(get_pdf(api, a["id"], lang="fi"))
    assert document == "fi"
    # the decision's title and summary, the alternatives, the impacts' texts, the appendix's rationales
    assert marked["sv"] >= 15 and set(marked) == {"sv"}, marked


def test_nothing_is_marked_when_the_texts_are_in_the_report_language_or_not_stated(api: Api) -> None:
    a = rich_assessment(api)
    assert struct_langs(get_pdf(api, a["id"], lang="fi")) == ("fi", Counter()), "not stated: as before"
    set_language(api, a["id"], "sv")
    assert struct_langs(get_pdf(api, a["id"], lang="sv")) == ("sv", Counter())
    document, marked = struct_langs(get_pdf(api, a["id"], lang="en"))
    assert document == "en" and marked["sv"] >= 15


def test_the_marked_report_keeps_its_text(api: Api) -> None:
    from tests.reports.factories import pdf_text

    a = rich_assessment(api)
    set_language(api, a["id"], "sv")
    text = " ".join(pdf_text(get_pdf(api, a["id"], lang="fi")).split())
    assert NEGATIVE_MITIGATION in text and "Lieventävät toimenpiteet" in text, text


def word_marks(document: Any) -> dict[str, str]:
    """Each run's text → its own w:lang (runs without one are in the document's language)."""
    from docx.oxml.ns import qn

    marks: dict[str, str] = {}
    paragraphs = list(document.paragraphs)
    paragraphs += [p for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for paragraph in paragraphs:
        for run in paragraph.runs:
            properties = run._r.rPr
            mark = properties.find(qn("w:lang")) if properties is not None else None
            if mark is not None and run.text.strip():
                marks[run.text.strip()] = mark.get(qn("w:val"))
    return marks


def test_the_word_copy_marks_the_authors_texts_and_nothing_else(api: Api) -> None:
    from tests.reports.test_word import get_docx

    a = rich_assessment(api)
    assert word_marks(get_docx(api, a["id"], lang="fi")) == {}, "not stated: nothing marked"
    set_language(api, a["id"], "sv")
    marks = word_marks(get_docx(api, a["id"], lang="fi"))
    assert marks[NEGATIVE_MITIGATION] == "sv-SE"  # the impacts table and the appendix
    assert marks["Företagen har efterfrågat mark med spåranslutning."] == "sv-SE"
    assert marks["Industriområde vid Norra bangården med stickspår"] == "sv-SE"  # the title
    assert set(marks.values()) == {"sv-SE"}
    assert not any(text.startswith(("Lieventävät", "Perustelu", "Nolla")) for text in marks), "the report's words"
    assert word_marks(get_docx(api, a["id"], lang="sv")) == {}


def test_the_portfolio_marks_each_decision_in_the_language_of_its_assessment(api: Api) -> None:
    swedish = api.create_decision("KS 2026/501", title="Fjärrvärme i Gamla Vasa", planned_date="2026-04-01")
    r = api.post(f"/api/v1/decisions/{swedish['id']}/assessments", {"text_language": "sv"})
    assert r.status_code == 201, r.text
    finnish = api.create_decision("KH 2026/502", title="Kaukolämpö Vanhassa Vaasassa", planned_date="2026-05-01")
    r = api.post(f"/api/v1/decisions/{finnish['id']}/assessments", {"text_language": "fi"})
    assert r.status_code == 201, r.text
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    r = api.get("/api/v1/reports/portfolio", params={**period, "lang": "fi"})
    assert r.status_code == 200, r.text
    document, marked = struct_langs(r.content)
    assert document == "fi" and set(marked) == {"sv"} and marked["sv"] >= 2, marked  # its title and body
    r = api.get("/api/v1/reports/portfolio", params={**period, "lang": "en"})
    assert struct_langs(r.content)[1].keys() == {"sv", "fi"}

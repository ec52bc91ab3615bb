"""Defects found reviewing the worked examples' reports in sv, fi and en: the Finnish alternative kinds'
soft hyphens (meant for the profile table's narrow headers) reached the PDF's bookmarks, and a criterion
rated with two effects gave two identical rating headings."""

from __future__ import annotations

import io
from typing import Any

import docx

from app.reports.appendix import RubricText
from tests.reports.factories import page_texts, rating, rich_assessment
from tests.reports.pdfcheck import open_pdf
from tests.reports.test_reports_polish_headings import bookmarks
from tests.support import Api

NOISE = "logistics.residents.traffic-nuisance"


def test_finnish_bookmarks_carry_no_soft_hyphens(api: Api) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "fi"})
    assert r.status_code == 200, r.text
    with open_pdf(r.content) as pdf:
        titles = [title for _, title in bookmarks(pdf)]
    assert not [title for title in titles if "\u00ad" in title]
    assert any(title.startswith("Nollavaihtoehto: ") for title in titles), titles


def test_a_criterions_second_effect_is_named_in_its_heading(api: Api, registry: Any) -> None:
    a = rich_assessment(api)
    second = rating(NOISE, 1, effect=2, likelihood="possible", rationale="Färre långtradare genom centrum")
    r = api.put_ratings(a["id"], [second])  # added: ratings are keyed by criterion, target and effect
    assert r.status_code == 200, r.text
    question = RubricText(registry.default(), "sv").criterion(NOISE)
    expected = [(5, question), (5, f"{question} (effekt 2)")]

    pdf = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "sv"})
    assert pdf.status_code == 200, pdf.text
    with open_pdf(pdf.content) as document:
        found = [mark for mark in bookmarks(document) if mark[1].startswith(question)]
    assert found[:2] == expected  # the proposal's two effects (then the zero alternative's one)

    word = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": "sv"})
    assert word.status_code == 200, word.text
    paragraphs = docx.Document(io.BytesIO(word.content)).paragraphs
    headings = [(int(p.style.name[-1]), p.text) for p in paragraphs if p.style.name.startswith("Heading ")]
    assert [h for h in headings if h[1].startswith(question)][:2] == expected


def test_a_long_unbroken_text_wraps_inside_its_table_cell(api: Api) -> None:
    """A link or file name typed as one long word broke out of its table cell on page 2 and ran over the
    next column (and past the page's edge): it now wraps inside the cell, as any text does."""
    link = "https://www.vaasa.fi/globalassets/Norra_bangarden_bullerutredning_2026_slutversion_bilaga_3_matningar.pdf"
    a = rich_assessment(api, rationale=f"Enkäten: {link}")  # a positive impact: its rationale on page 2
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "sv"})
    assert r.status_code == 200, r.text
    page_two = page_texts(r.content)[1]
    token = link.rsplit("/", 1)[1]
    assert token not in page_two  # broken over lines within the cell
    assert token in page_two.replace(" ", "")

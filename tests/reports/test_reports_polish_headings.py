"""Every rating of the appendix is a heading of its own, in the PDF (tagged /H5 under its perspective's
/H4, and a bookmark) and in the Word copy (Heading 5), so assistive technology and Word's navigation pane
can jump from rating to rating; no heading level is skipped."""

from __future__ import annotations

import io
import itertools
from typing import Any

import docx
import pikepdf

from app.reports.appendix import RubricText
from tests.reports.factories import rich_assessment
from tests.reports.pdfcheck import open_pdf
from tests.support import Api

PROPOSAL_LOGISTICS = ("logistics.firms.transport-costs", "logistics.residents.traffic-nuisance")  # rubric order
RATINGS = 8  # rich_assessment: six of the proposal, two of the zero alternative


def heading_levels(pdf: pikepdf.Pdf) -> list[int]:
    """The levels of the /H1…/H6 structure elements in document (reading) order."""
    levels: list[int] = []

    def visit(elem: Any) -> None:
        if isinstance(elem, pikepdf.Array):
            for child in elem:
                visit(child)
            return
        if not isinstance(elem, pikepdf.Dictionary):
            return
        kind = str(elem.get("/S", ""))
        if len(kind) == 3 and kind.startswith("/H") and kind[2].isdigit():
            levels.append(int(kind[2]))
        if "/K" in elem:
            visit(elem.K)

    visit(pdf.Root.StructTreeRoot.K)
    return levels


def bookmarks(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark, in order (WeasyPrint makes one per heading)."""
    out: list[tuple[int, str]] = []

    def visit(items: Any, depth: int) -> None:
        for item in items:
            out.append((depth, str(item.title)))
            visit(item.children, depth + 1)

    with pdf.open_outline() as outline:
        visit(outline.root, 1)
    return out


def assert_no_level_skipped(levels: list[int]) -> None:
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_pdf_gives_every_rating_a_heading_under_its_perspective(api: Api, registry: Any) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "fi"})
    assert r.status_code == 200, r.text
    text = RubricText(registry.default(), "fi")
    with open_pdf(r.content) as pdf:
        levels = heading_levels(pdf)
        marks = bookmarks(pdf)
    assert_no_level_skipped(levels)
    assert levels.count(5) == RATINGS
    # in the proposal's logistics perspective, its two ratings are the bookmarks one level below it
    start = marks.index((4, text.perspective("logistics")))
    below = list(itertools.takewhile(lambda m: m[0] == 5, marks[start + 1 :]))
    assert below == [(5, text.criterion(c)) for c in PROPOSAL_LOGISTICS]


def test_word_copy_gives_every_rating_a_heading_5(api: Api, registry: Any) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": "en"})
    assert r.status_code == 200, r.text
    document = docx.Document(io.BytesIO(r.content))
    found = [
        (int(p.style.name.rsplit(" ", 1)[1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert_no_level_skipped([level for level, _ in found])
    assert [level for level, _ in found].count(5) == RATINGS
    text = RubricText(registry.default(), "en")
    start = found.index((4, text.perspective("logistics")))
    below = list(itertools.takewhile(lambda h: h[0] == 5, found[start + 1 :]))
    assert below == [(5, text.criterion(c)) for c in PROPOSAL_LOGISTICS]

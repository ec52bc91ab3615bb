"""The comment copy (and the PDF where it shared the fault) read as a councillor, a screen-reader user and
an archivist would: who it is from, options told apart, text that breaks no XML, the Finnish soft hyphens,
one cell for a screened-out perspective, and a draft whose screening is not done."""

from __future__ import annotations

import io
import uuid
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from sqlmodel import select

from app.assessments.models import Rating
from tests.reports.factories import pdf_text, rating, rich_assessment
from tests.reports.test_word import all_text, get_docx
from tests.support import Api, session


def get_pdf(api: Api, assessment_id: str, lang: str) -> str:
    r = api.get(f"/api/v1/assessments/{assessment_id}/report", params={"lang": lang})
    assert r.status_code == 200, r.text
    return pdf_text(r.content)


def test_noncharacters_stored_before_the_text_rule_do_not_break_the_copy(api: Api) -> None:
    # XML 1.0 cannot hold U+FFFE and U+FFFF: the copy answered 500. The API refuses them now
    # (app/text.py), but text stored before that rule may still carry them.
    a = rich_assessment(api, rationale="Spåranslutning", mitigation="Bullerskydd")
    with session() as s:
        for old in s.exec(
            select(Rating).where(Rating.assessment_id == uuid.UUID(a["id"]), Rating.rationale == "Spåranslutning")
        ).all():
            old.rationale, old.mitigation = "Spår\ufffeanslutning", "Buller\uffffskydd"
            s.add(old)
        s.commit()
    text = all_text(get_docx(api, a["id"], lang="sv"))
    assert "Spåranslutning" in text and "Bullerskydd" in text


def test_the_copy_names_the_municipality_as_the_pdf_does(api: Api) -> None:
    a = rich_assessment(api)
    document = get_docx(api, a["id"], lang="sv")
    first = document.paragraphs[0].text
    assert first.startswith("Helsingfors") and "Bedömning av livskraftseffekter" in first
    assert "Helsingfors" in get_pdf(api, a["id"], "sv")
    assert document.core_properties.author == "Helsingfors"
    # the facts table's caption, as the PDF's
    assert "Beslutet och bedömningen" in [p.text for p in document.paragraphs if p.style.name == "Caption"]


def test_further_options_are_told_apart_in_the_profile_and_the_appendix(api: Api) -> None:
    a = rich_assessment(api)
    for title in ("Etapp 1 utan stickspår", "Etapp 2 med hamnspår"):
        r = api.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": title}, api.etag(a["id"]))
        assert r.status_code == 201, r.text
    r = api.put_ratings(
        a["id"],
        [
            rating("policy.firms.business-climate", 1, alternative="option-1"),
            rating("policy.firms.business-climate", -1, alternative="option-2"),
        ],
    )
    assert r.status_code == 200, r.text
    document = get_docx(api, a["id"], lang="sv")
    profile = document.tables[1]
    assert [c.text for c in profile.rows[0].cells][1:5] == [
        "Förslaget",
        "Nollalternativet",
        "Annat alternativ 1",
        "Annat alternativ 2",
    ]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    assert "Annat alternativ 2: Etapp 2 med hamnspår" in headings
    text = get_pdf(api, a["id"], "sv")
    assert "Annat alternativ 1: Etapp 1 utan stickspår" in text
    assert "Annat alternativ 2: Etapp 2 med hamnspår" in text
    fi = all_text(get_docx(api, a["id"], lang="fi"))
    assert "Muu vaihtoehto 2" in fi


def test_finnish_soft_hyphens_are_optional_hyphens_and_the_word_is_found(api: Api) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": "fi"})
    document = docx.Document(io.BytesIO(r.content))
    text = all_text(document)
    assert "\u00ad" not in text  # a search for "Nollavaihtoehto" finds it
    assert "Nollavaihtoehto: " in text
    body = document.element.body
    assert body.find(".//" + qn("w:softHyphen")) is not None  # still breaks in the narrow column
    assert document.settings.element.find(qn("w:autoHyphenation")) is not None


def test_a_screened_out_perspective_is_one_cell_across_the_targets(api: Api) -> None:
    a = rich_assessment(api)
    document = get_docx(api, a["id"], lang="sv")
    matrix = next(t for t in document.tables if t.rows[0].cells[0].text == "Perspektiv")
    row = next(r for r in matrix.rows if r.cells[0].text == "Livskraften vid kommunsammanslagningar")
    cells = row._tr.tc_lst
    assert len(cells) == 2 and cells[1].grid_span == 3
    assert row.cells[1].text == "– Bortvalt som inte relevant"  # once, without empty paragraphs
    written = "".join(t.text or "" for t in matrix._tbl.iter(qn("w:t")))
    assert written.count("Bortvalt som inte relevant") == 1  # a screen reader reads it once, not thrice


def test_the_appendix_starts_on_a_new_page_and_a_question_stays_with_its_rating(api: Api) -> None:
    a = rich_assessment(api)
    document = get_docx(api, a["id"], lang="sv")
    appendix = next(p for p in document.paragraphs if p.text == "Bilaga: alla bedömningar")
    assert appendix.paragraph_format.page_break_before
    question = next(p for p in document.paragraphs if p.text.startswith("Hur påverkar beslutet"))
    assert question.paragraph_format.keep_with_next


@pytest.mark.parametrize(
    ("lang", "all_relevant", "not_screened"),
    [
        ("sv", "Alla perspektiv bedömdes som relevanta", "Ännu inte screenade, därför räknade som relevanta"),
        ("fi", "Kaikki näkökulmat arvioitiin olennaisiksi", "Ei vielä seulottu, joten lasketaan olennaisiksi"),
        ("en", "All perspectives were considered relevant", "Not screened yet, so counted as relevant"),
    ],
)
def test_a_draft_not_screened_does_not_claim_every_perspective_was_considered(
    api: Api, lang: str, all_relevant: str, not_screened: str
) -> None:
    a = api.create_assessment("KS 2026/9")
    items: list[dict[str, Any]] = [
        {"perspective_id": "policy", "relevant": True},
        {"perspective_id": "mergers", "relevant": False, "reason": "Ingen sammanslagning"},
    ]
    r = api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    for text in (all_text(get_docx(api, a["id"], lang=lang)), get_pdf(api, a["id"], lang)):
        assert all_relevant not in text
        assert not_screened in text
        named = text.split(not_screened, 1)[1][:400]
        assert ("Infrastrukturen" if lang == "sv" else "nfrastru") in named  # not screened: named
    empty = api.create_assessment("KS 2026/10")
    for text in (all_text(get_docx(api, empty["id"], lang=lang)), get_pdf(api, empty["id"], lang)):
        assert all_relevant not in text and not_screened in text


def test_the_finnish_reports_call_the_step_screening_as_the_web_does(api: Api) -> None:
    a = rich_assessment(api)
    for text in (all_text(get_docx(api, a["id"], lang="fi")), get_pdf(api, a["id"], "fi")):
        assert "Rajattu pois seulonnassa" in text and "esiarvioinnissa" not in text


def test_a_rationale_of_20000_characters_is_in_full_and_its_row_may_split(api: Api) -> None:
    long = ("Spåret gör att tre företag kan flytta hit och att godset går på järnväg. " * 280)[:20_000]
    a = rich_assessment(api, rationale=long)
    document = get_docx(api, a["id"], lang="sv")
    positives = next(t for t in document.tables if t.rows[0].cells[-1].text == "Motivering")
    row = next(r for r in positives.rows if r.cells[-1].text == long)  # in full, in the table
    # an unsplittable row taller than a page is cut off at its foot by Word: this one may split
    assert row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None
    others = [r for r in positives.rows if r._tr is not row._tr]
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in others)
    assert all_text(document).count(long) == 2  # and in the appendix


def test_every_page_names_who_which_case_and_the_page_as_the_pdf_does(api: Api) -> None:
    a = rich_assessment(api)
    document = get_docx(api, a["id"], lang="fi")
    footer = document.sections[0].footer
    assert not footer.is_linked_to_previous
    paragraph = footer.paragraphs[0]
    assert "Helsinki · Livskraft · KS 2026/118 · Luonnos · Sivu" in paragraph.text
    fields = [f.get(qn("w:instr")) for f in paragraph._p.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]

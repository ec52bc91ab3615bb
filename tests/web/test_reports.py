"""PDF downloads from the web: the assessment report (PDF/UA or PDF/A), the portfolio of a period."""

from __future__ import annotations

import io

import docx
from pypdf import PdfReader

from tests.web.support import Web, error_summary


def test_assessment_report_variants(official: Web) -> None:
    aid = official.new_assessment("KS 2026/55")
    for variant in ("ua", "a3"):
        r = official.get(f"/assessments/{aid}/report.pdf?lang=en&variant={variant}")
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"] and "KS-2026-55" in r.headers["content-disposition"]
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert "KS 2026/55" in text


def test_portfolio_form_and_pdf(official: Web) -> None:
    official.new_assessment("KS 2026/56")
    page = official.get("/portfolio")
    assert page.status_code == 200 and 'name="date_from"' in page.text
    r = official.get("/portfolio?date_from=2026-12-31&date_to=2026-01-01&body=&report_lang=sv")
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["date_to"]
    assert 'value="2026-12-31"' in r.text
    r = official.get("/portfolio?date_from=not-a-date&date_to=&body=&report_lang=fi")
    assert [f for f, _ in error_summary(r.text)] == ["date_from", "date_to"]
    r = official.get("/portfolio?date_from=2026-01-01&date_to=2026-12-31&body=Kommunstyrelsen&report_lang=fi")
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/pdf"


def test_an_unknown_body_in_the_portfolio_link_is_said_not_ignored(official: Web) -> None:
    """A hand-edited or old link naming a body that has no decisions would have given the whole
    municipality's PDF under the reader's impression that it was the body's."""
    official.new_assessment("KS 2026/57")
    r = official.get("/portfolio?date_from=2026-01-01&date_to=2026-12-31&body=Bildningsn%C3%A4mnden&report_lang=sv")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert error_summary(r.text) == [("body", "Välj ett beslutsorgan i listan")]
    assert 'aria-describedby="body-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="2026-01-01"' in r.text, "the rest of the form is kept"


def test_web_posts_have_a_size_limit(official: Web) -> None:
    r = official.client.post(
        "/decisions/new", content=b"x" * 1_100_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert '<html lang="sv">' in r.text and "<h1>För mycket data</h1>" in r.text
    official.get("/language?lang=fi&next=/")
    r = official.client.post(
        "/decisions/new", content=b"x" * 1_100_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413
    assert '<html lang="fi">' in r.text and "<h1>Liikaa tietoa</h1>" in r.text, "the visitor's language only"
    assert "För mycket data" not in r.text and "Too much data" not in r.text


def test_a_form_without_its_length_is_refused_in_the_visitors_language() -> None:
    from app.web.security import refusal_page

    assert "<h1>Lomaketta ei voitu lukea</h1>" in refusal_page("fi", 411).decode()
    assert '<html lang="sv">' in refusal_page("sv", 411).decode()


def test_word_copy_for_comments_is_offered_and_downloads(official: Web) -> None:
    aid = official.new_assessment("KS 2026/58")
    official.get("/language?lang=fi&next=/")
    page = official.get(f"/assessments/{aid}")
    assert f'href="/assessments/{aid}/report.docx?lang=fi"' in page.text and "Word-kopio kommentoitavaksi" in page.text
    r = official.get(f"/assessments/{aid}/report.docx?lang=fi")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="livskraft-KS-2026-58-v1-fi-kommentit.docx"' in r.headers["content-disposition"]
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kommentointikopio" in text and "Diaarinumero" in "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells
    )

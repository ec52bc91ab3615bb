"""The language of the assessment's texts on the web: asked when an assessment is started (preselected as
the page's language), shown and changed from the overview, and marking the author's texts and fields
(``lang``) where it is not the page's language, so browsers spell-check them and screen readers read
them in it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.web.support import Web, approved, error_summary, hidden


def _language(aid: str) -> Any:
    from app.assessments.models import Assessment
    from tests.support import session

    with session() as s:
        row = s.get(Assessment, uuid.UUID(aid))
        assert row is not None
        return row.text_language


def test_a_new_assessment_takes_the_chosen_language_preselected_as_the_pages(official: Web) -> None:
    form = official.get("/decisions/new").text
    assert re.search(r'<input[^>]*name="text_language"[^>]*value="sv"[^>]*checked', form), "the page's language"
    assert 'lang="fi"' in form and "Suomi" in form, "each language by its own name, marked"
    aid = official.new_assessment("KS 2026/401")  # a form without the answer (an older page): the page's language
    assert _language(aid) == "sv"
    r = official.post(
        "/decisions/new",
        {
            "case_number": "KS 2026/402",
            "title": "Fjärrvärme",
            "deciding_body": "Kommunstyrelsen",
            "planned_date": "2026-12-14",
            "text_language": "fi",
        },
    )
    assert r.status_code == 303, r.text
    assert _language(r.headers["location"].split("/")[2]) == "fi"


def test_an_unknown_answer_is_named_and_the_form_keeps_what_was_typed(official: Web) -> None:
    typed = {
        "case_number": "KS 2026/403",
        "title": "Skolnätet i byarna",
        "deciding_body": "Bildningsnämnden",
        "planned_date": "2026-12-14",
        "summary": "Två byskolor stängs.",
        "text_language": "de",
    }
    r = official.post("/decisions/new", typed)
    assert r.status_code == 422, r.text
    assert [field for field, _ in error_summary(r.text)] == ["text_language"]
    assert "Skolnätet i byarna" in r.text and "Två byskolor stängs." in r.text
    assert not re.search(r'name="text_language"[^>]*checked', r.text), "no answer chosen for them"


def test_the_overview_shows_the_language_and_the_page_changes_it(official: Web) -> None:
    aid = official.new_assessment("KS 2026/404")
    overview = official.get(f"/assessments/{aid}").text
    assert "Texternas språk" in overview and "Svenska" in overview
    assert f'href="/assessments/{aid}/text-language"' in overview
    page = official.get(f"/assessments/{aid}/text-language")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="sv"[^>]*checked', page.text)
    r = official.post(
        f"/assessments/{aid}/text-language",
        {"text_language": "fi", "base_version": hidden(page.text, "base_version")},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}", r.text
    assert _language(aid) == "fi"
    overview = official.get(f"/assessments/{aid}").text
    assert "Texternas språk har sparats." in overview
    assert '<span lang="fi">Suomi</span>' in overview
    history = official.get(f"/assessments/{aid}/history").text
    assert 'Texternas språk angivet: Svenska → <span lang="fi">Suomi</span>' in history, "what it was, what it is"


def test_a_stale_page_keeps_the_choice_and_saves_nothing(official: Web) -> None:
    aid = official.new_assessment("KS 2026/405")
    page = official.get(f"/assessments/{aid}/text-language").text
    stale = hidden(page, "base_version")
    fresh = official.get(f"/assessments/{aid}/text-language").text
    assert (
        official.post(
            f"/assessments/{aid}/text-language", {"text_language": "en", "base_version": hidden(fresh, "base_version")}
        ).status_code
        == 303
    )
    r = official.post(f"/assessments/{aid}/text-language", {"text_language": "fi", "base_version": stale})
    assert r.status_code == 409, r.text
    assert re.search(r'<input[^>]*value="fi"[^>]*checked', r.text), "the choice is kept"
    assert _language(aid) == "en"
    r = official.post(f"/assessments/{aid}/text-language", {"text_language": "xx", "base_version": stale})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["text_language"]


def test_the_authors_texts_and_fields_are_marked_when_the_page_is_in_another_language(official: Web) -> None:
    aid = official.new_assessment("KS 2026/406")  # Swedish texts
    official.screen(aid)
    url, _base = official.rate_form(aid)
    swedish = official.get(url).text
    assert 'lang="sv"' not in swedish.split("<main", 1)[1], "in the page's language: nothing to mark"
    official.get("/language?lang=fi&next=/")
    finnish = official.get(url).text
    assert re.search(r'<textarea lang="sv"[^>]*name="c0-e1-rationale"', finnish), "spell-checked as Swedish"
    assert re.search(r'<html lang="fi"', finnish)
    overview = official.get(f"/assessments/{aid}").text
    assert '<h1 lang="sv">Industriområde vid bangården</h1>' in overview


def test_marked_text_is_escaped_as_any(official: Web) -> None:
    """A title with markup in it, shown inside its language mark on a Finnish page: escaped, not run."""
    aid = official.new_assessment("KS 2026/407")
    title, description = '<b onclick="x()">Etapp ett</b>', "<i>x</i>"
    r = official.post(f"/assessments/{aid}/alternatives", {"title": title, "description": description})
    assert r.status_code == 303, r.text
    official.get("/language?lang=fi&next=/")
    finnish = official.get(f"/assessments/{aid}/alternatives").text
    assert '<span lang="sv">&lt;b onclick=&#34;x()&#34;&gt;Etapp ett&lt;/b&gt;</span>' in finnish
    assert '<p class="pre" lang="sv">&lt;i&gt;x&lt;/i&gt;</p>' in finnish
    assert "<b onclick" not in finnish and "<i>x</i>" not in finnish


def test_the_page_is_for_writers_of_a_draft(official: Web, reviewer: Web) -> None:
    aid = approved(official, reviewer)
    r = official.get(f"/assessments/{aid}/text-language")
    assert r.status_code == 409
    r = official.post(f"/assessments/{aid}/text-language", {"text_language": "fi", "base_version": "1"})
    assert r.status_code == 409
    assert "/text-language" not in official.get(f"/assessments/{aid}").text, "no Change link once approved"


def test_the_check_page_lists_the_language_with_its_change_link(official: Web) -> None:
    aid = official.new_assessment("KS 2026/408")
    check = official.get(f"/assessments/{aid}/check").text
    row = re.search(r'<dt class="summary-key">Texternas språk</dt>\s*<dd class="summary-value">([^<]*)</dd>', check)
    assert row and row.group(1) == "Svenska", check
    assert f'href="/assessments/{aid}/text-language"' in check


def test_a_decision_without_an_assessment_asks_the_language_on_its_page(official: Web) -> None:
    from tests.support import Api, make_token

    api = Api(official.client, make_token("905", ("read", "write"), official.user.id))
    first = api.create_decision("KS 2026/409")  # through the API (an import): no assessment yet
    page = official.get(f"/decisions/{first['id']}").text
    assert re.search(r'<input[^>]*name="text_language"[^>]*value="sv"[^>]*checked', page)
    r = official.post(f"/decisions/{first['id']}/assessments", {"text_language": "xx"})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["text_language"]
    r = official.post(f"/decisions/{first['id']}/assessments", {"text_language": "fi"})
    assert r.status_code == 303, r.text
    assert _language(r.headers["location"].split("/")[2]) == "fi"
    second = api.create_decision("KS 2026/410")
    r = official.post(f"/decisions/{second['id']}/assessments")  # a page from before the question
    assert r.status_code == 303 and _language(r.headers["location"].split("/")[2]) == "sv"

"""What an official typed survives the language switch (a link) in a real browser: the decision form's
text fields, a date and the sign-in e-mail come back on the same page in the new language — never the
password, and only for that one page load."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.walk import goto, sign_in, submit
from tests.web.support import Web

pytestmark = pytest.mark.browser

TYPED = {
    "#case_number": "KS 2026/77",
    "#title": "Ny skolskjuts till Smedsby",
    "#planned_date": "2026-12-14",
    "#summary": "Skolskjutsen utökas till två turer.\nKostnaden delas med grannkommunen.",
}


def _switch(page: Any, lang: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.click(f".lang-switch a[hreflang='{lang}']")


def test_typing_in_a_form_survives_the_language_switch_once(page: Any, server: str, app: Any) -> None:
    Web.signed_in(app, "tiina@lang.keep.fi", "official")
    sign_in(page, server, "tiina@lang.keep.fi", "sv")
    goto(page, f"{server}/decisions/new")
    for selector, value in TYPED.items():
        page.fill(selector, value)
    _switch(page, "fi")
    assert page.get_attribute("html", "lang") == "fi"
    assert page.text_content("main button[type=submit]").strip() == "Luo ja aloita arviointi"
    assert {s: page.input_value(s) for s in TYPED} == TYPED
    assert page.evaluate("sessionStorage.length") == 0  # kept for that one load only
    page.reload(wait_until="load")
    assert page.input_value("#title") == ""  # a reload shows the page as the server sends it

    # the kept text is what was typed: the form sends it in the new language
    page.fill("#title", TYPED["#title"])
    page.fill("#deciding_body", "Bildningsnämnden")
    page.fill("#case_number", TYPED["#case_number"])
    _switch(page, "en")
    assert page.input_value("#deciding_body") == "Bildningsnämnden"
    html = submit(page)
    assert "Ny skolskjuts till Smedsby" in html and 'lang="en"' in html


def test_the_sign_in_form_keeps_the_address_but_not_the_password(page: Any, server: str) -> None:
    page.goto(f"{server}/language?lang=fi&next=/login")
    page.fill("#email", "tiina@lang.keep.fi")
    page.fill("#password", "salasana-joka-ei-saa-jaada")
    _switch(page, "sv")
    assert page.get_attribute("html", "lang") == "sv"
    assert page.input_value("#email") == "tiina@lang.keep.fi"
    assert page.input_value("#password") == ""
    assert "salasana" not in page.evaluate("JSON.stringify(sessionStorage)")


def test_without_javascript_the_switch_says_the_form_empties(browser: Any, server: str, app: Any) -> None:
    """Without JavaScript nothing keeps what was typed across the switch (a link), so beside the switch
    of a page with a form the note says so — shown only then, and never with JavaScript."""
    Web.signed_in(app, "tiina@lang.nojs.fi", "official")
    for javascript, shown in ((False, True), (True, False)):
        context = browser.new_context(java_script_enabled=javascript, locale="sv-SE")
        page = context.new_page()
        sign_in(page, server, "tiina@lang.nojs.fi", "sv")
        goto(page, f"{server}/decisions/new")
        note = page.locator("nav.lang-switch .lang-note")  # inside the switch's navigation
        assert note.is_visible() is shown
        if shown:
            assert note.inner_text() == "Byter du språk töms formuläret på sidan: spara först det du har skrivit."
            # the form's own button still takes Enter
            page.fill("#case_number", "KS 2026/78")
            page.fill("#title", "Utan skript")
            page.fill("#deciding_body", "Kommunstyrelsen")
            with page.expect_navigation(wait_until="load"):
                page.press("#title", "Enter")
            assert "/assessments/" in page.url
        context.close()

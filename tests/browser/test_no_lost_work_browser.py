"""Nothing typed is lost when the session ends or the form's token goes stale in another tab: with
JavaScript the autosaved draft is back in the form after signing in again (the sign-in leads back to
the form); without JavaScript a stale token keeps what was posted and leads back to the form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_enhancement import PASSWORD, sign_in_and_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="sv-SE", java_script_enabled=False)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def sign_in(page: Any) -> None:
    page.fill("#email", "tiina@vaasa.fi")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def sign_out_in_another_tab(page: Any, base: str) -> Any:
    other = page.context.new_page()
    other.goto(base + "/")
    with other.expect_navigation():
        other.click("form.logout button")
    return other


def test_with_javascript_the_autosaved_text_is_back_after_signing_in_again(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    url = f"{server}/assessments/{aid}/rate/proposal/policy/firms"
    page.goto(url)
    page.check("#c0-e1-score-3")
    page.fill("#c0-e1-rationale", "Skrivet innan sessionen tog slut")
    page.wait_for_selector("#autosave-status:has-text('Utkastet sparades')")
    sign_out_in_another_tab(page, server).close()
    with page.expect_navigation():
        page.click("button[name=then][value=next]")
    assert "/login?next=" in page.url
    sign_in(page)
    assert page.url == url, "the sign-in leads back to the form, not the dashboard"
    assert page.input_value("#c0-e1-rationale") == "Skrivet innan sessionen tog slut"
    assert page.is_checked("#c0-e1-score-3")
    assert "har återställts" in page.content()


def test_without_javascript_a_stale_form_keeps_what_was_typed(no_js_page: Any, server: str) -> None:
    page = no_js_page
    aid = sign_in_and_screen(page, server)
    url = f"{server}/assessments/{aid}/rate/proposal/policy/firms"
    page.goto(url)
    page.check("#c0-e1-score-3")
    page.fill("#c0-e1-rationale", "Skrivet i en gammal flik")
    other = sign_out_in_another_tab(page, server)  # and in again: a new session, the open form's token stale
    other.goto(server + "/login")
    sign_in(other)
    with page.expect_navigation():
        page.click("button[name=then][value=next]")
    assert page.url == url, "back to the form"
    text = page.content()
    assert "Formuläret hade gått ut" in text and "har återställts" in text
    assert page.input_value("#c0-e1-rationale") == "Skrivet i en gammal flik"
    assert page.is_checked("#c0-e1-score-3")
    with page.expect_navigation():
        page.click("button[name=then][value=overview]")  # saving it again now works
    assert page.url == f"{server}/assessments/{aid}"
    assert "Dina svar har sparats" in page.content()

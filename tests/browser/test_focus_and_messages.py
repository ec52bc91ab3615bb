"""Focus and messages in a real browser, as a browser review with a screen reader found them: one
error message per field (the server's reused, its hidden "Fel:" kept, gone when the field is fixed)
announced in one polite live region; a link in the error summary shows the field's label or legend,
not the field alone at the top of the window; a refused submit leads from the summary to the list of
problems and on to the page that fixes each; a refused save, a success notice and the notice of a
restored draft take focus."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_enhancement import sign_in_and_screen

pytestmark = [pytest.mark.browser, pytest.mark.database_independent]  # presentation: tests/conftest.py
EXPLAIN = "Motivera bedömningen: en motivering krävs för ett värde skilt från noll och för okänd"
MITIGATE = "Beskriv lindrande åtgärder: de krävs för ett negativt värde"


def rate_url(server: str, aid: str, target: str = "firms") -> str:
    return f"{server}/assessments/{aid}/rate/proposal/policy/{target}"


def leave(page: Any, field: str, to: str) -> None:
    """Focus ``field`` and move on to ``to`` (a blur, as Tab would)."""
    page.focus(field)
    page.focus(to)


def messages_in_group(page: Any, field: str) -> int:
    return int(
        page.evaluate(
            "(id) => document.getElementById(id).closest('.form-group').querySelectorAll('.error-message').length",
            field,
        )
    )


def test_inline_validation_keeps_one_message_per_field_and_announces_a_new_one(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    page.goto(rate_url(server, aid))
    page.check("#c0-e1-score-6")  # −2: a rationale and mitigation are needed
    with page.expect_navigation():
        page.click("button[value=overview]")
    assert page.is_visible("#c0-e1-rationale-error")
    # leaving the field unfixed: still the server's one message, still with its hidden prefix
    leave(page, "#c0-e1-rationale", "#c0-e1-evidence")
    assert messages_in_group(page, "c0-e1-rationale") == 1
    assert page.text_content("#c0-e1-rationale-error") == f"Fel: {EXPLAIN}"
    assert page.text_content("#c0-e1-rationale-error .visually-hidden") == "Fel:"
    assert page.get_attribute("#c0-e1-rationale", "aria-describedby") == "c0-e1-rationale-hint c0-e1-rationale-error"
    # fixing it: the message goes, and nothing refers to it
    page.fill("#c0-e1-rationale", "Högre avgifter för företagen.")
    leave(page, "#c0-e1-rationale", "#c0-e1-evidence")
    assert page.locator("#c0-e1-rationale-error").count() == 0
    assert page.get_attribute("#c0-e1-rationale", "aria-invalid") is None
    assert page.get_attribute("#c0-e1-rationale", "aria-describedby") == "c0-e1-rationale-hint"
    assert "input-error" not in (page.get_attribute("#c0-e1-rationale", "class") or "")
    assert messages_in_group(page, "c0-e1-rationale") == 0
    # a new message on another question: once, with the prefix, announced in the page's one live region
    page.check("#c1-e1-score-2")  # +2: a rationale is needed
    leave(page, "#c1-e1-rationale", "#c1-e1-evidence")
    assert messages_in_group(page, "c1-e1-rationale") == 1
    assert page.text_content("#c1-e1-rationale-error") == f"Fel: {EXPLAIN}"
    assert page.get_attribute("#c1-e1-rationale", "aria-invalid") == "true"
    assert "input-error" in (page.get_attribute("#c1-e1-rationale", "class") or "")
    assert page.locator("[aria-live]:not(#autosave-status)").count() == 1
    page.wait_for_function(
        "(text) => document.querySelector('[aria-live=polite][data-inline-announcer]').textContent === text",
        arg=f"Fel: {EXPLAIN}",
    )
    # fixed, its message leaves the live region too: no stale "Fel: …" left to be read as current
    page.fill("#c1-e1-rationale", "Fler kunder i centrum.")
    leave(page, "#c1-e1-rationale", "#c1-e1-evidence")
    assert page.locator("#c1-e1-rationale-error").count() == 0
    assert page.text_content("[aria-live=polite][data-inline-announcer]") == ""
    # a score that needs no mitigation any more takes the server's mitigation message away
    assert page.text_content("#c0-e1-mitigation-error") == f"Fel: {MITIGATE}"
    page.check("#c0-e1-score-3")  # +1
    assert page.locator("#c0-e1-mitigation-error").count() == 0
    assert page.get_attribute("#c0-e1-mitigation", "aria-invalid") is None


def test_an_error_summary_link_shows_the_label_or_legend_above_the_field(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    page.goto(rate_url(server, aid))
    page.check("#c3-e1-score-6")  # −2 far down the page, without rationale or mitigation
    for field, fill in (("c3-e1-mitigation", ""), ("c4-e1-score", "#c4-e1-evidence")):
        if fill:  # text without a score: "choose a score", on the radio group
            page.fill(fill, "Enkät 2026")
        with page.expect_navigation():
            page.click("button[value=overview]")
        page.click(f".error-summary a[href='#{field}']")
        assert page.evaluate("document.activeElement.id") == field
        # in view above the field: a text field's label, a radio group's legend
        above = f"fieldset:has(#{field}) > legend" if field.endswith("score") else f"label[for='{field}']"
        top = page.evaluate("(sel) => document.querySelector(sel).getBoundingClientRect().top", above)
        field_top = page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", field)
        assert -1 < top < field_top < 900, (field, top, field_top)  # (scrolling rounds to a pixel)


def test_a_refused_submit_leads_from_the_summary_to_the_list_and_on(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)  # screened, nothing rated
    page.goto(f"{server}/assessments/{aid}/check")
    page.fill("#comment", "Hej")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    assert page.title().startswith("Fel: ")
    page.click(".error-summary a")
    assert page.evaluate("document.activeElement.id") == "problem-1"
    assert page.evaluate("document.activeElement.closest('#problems') !== null")
    assert page.get_attribute("#comment", "aria-invalid") is None and page.input_value("#comment") == "Hej"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/assessments/{aid}/rate/proposal/policy/organisation")


def test_a_success_notice_takes_focus(page: Any, server: str) -> None:
    sign_in_and_screen(page, server)  # ends on the overview, after "Your answers have been saved."
    assert page.evaluate("document.activeElement.matches('.notice-success[data-focus-on-load]')")
    assert "Dina svar har sparats." in page.evaluate("document.activeElement.textContent")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"


def test_a_refused_save_takes_focus_and_says_error_in_the_title(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    url = rate_url(server, aid, "residents")
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    other.check("#c0-e1-score-4")
    with other.expect_navigation():
        other.click("button[value=overview]")
    other.close()
    page.check("#c0-e1-score-3")
    page.fill("#c0-e1-rationale", "Fler kunder.")
    with page.expect_navigation():
        page.click("button[value=overview]")
    assert page.title().startswith("Fel: ")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    # the same person saved it in the other tab: the notice says so (tests/web/test_conflict_same_user.py)
    assert page.evaluate("document.activeElement.querySelector('h2').textContent") == (
        "Du sparade det här formuläret i en annan flik eller ett annat fönster medan du arbetade med det här"
    )
    assert page.input_value("#c0-e1-rationale") == "Fler kunder.", "what was typed is kept"


def test_a_restored_draft_notice_takes_focus(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    for url, fill in (
        (rate_url(server, aid), "#c0-e1-rationale"),
        (f"{server}/assessments/{aid}/screening", "#s-logistics-reason"),
    ):
        page.goto(url)
        page.fill(fill, "Skrivet men aldrig sparat med knappen")
        page.wait_for_selector("#autosave-status:has-text('Utkastet sparades')")
        page.goto(url)  # opened again: the draft is restored, and its notice is what is read first
        assert page.input_value(fill) == "Skrivet men aldrig sparat med knappen"
        notice = "document.activeElement.matches('.notice-warning[data-focus-on-load][tabindex=\"-1\"]')"
        assert page.evaluate(notice), page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        assert "har återställts" in page.evaluate("document.activeElement.textContent")
        assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
        assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0, "in view"
        with page.expect_navigation():  # discarding it leaves the saved answers, and the success banner
            page.click("form.inline-form button")
        assert page.evaluate("document.activeElement.matches('.notice-success[data-focus-on-load]')")

"""The small script: autosave to a server-side draft while typing (restored after the tab is closed),
inline validation, focus on the error summary; and no CSP violation on any page it runs on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import make_user

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


def sign_in_and_screen(page: Any, base: str) -> str:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    page.goto(base + "/login")
    page.fill("#email", "tiina@vaasa.fi")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button")
    page.goto(base + "/decisions/new")
    page.fill("#case_number", "KS 2026/300")
    page.fill("#title", "Ny cykelväg till byn")
    page.fill("#deciding_body", "Tekniska nämnden")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    aid = page.url.split("/")[4]
    page.check("#s-policy")
    for pid in (
        "infrastructure",
        "procurement",
        "cross-sector",
        "rural-services",
        "green-economy",
        "logistics",
        "information",
        "mergers",
    ):
        page.check(f"#s-{pid}-2")
        page.fill(f"#s-{pid}-reason", "Nej.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    return str(aid)


def test_autosave_survives_a_closed_tab(page: Any, server: str) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    aid = sign_in_and_screen(page, server)
    url = f"{server}/assessments/{aid}/rate/proposal/policy/firms"
    page.goto(url)
    page.check("#c0-e1-score-3")
    page.fill("#c0-e1-rationale", "Skrivet men aldrig sparat med knappen")
    page.wait_for_selector("#autosave-status:has-text('Utkastet sparades')")
    context = page.context
    page.close()  # the tab is closed without saving
    again = context.new_page()
    again.goto(url)
    assert again.input_value("#c0-e1-rationale") == "Skrivet men aldrig sparat med knappen"
    assert again.is_checked("#c0-e1-score-3")
    assert "har återställts" in again.content()
    assert not violations, violations


def test_inline_validation_and_error_summary_focus(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    page.goto(f"{server}/assessments/{aid}/rate/proposal/policy/firms")
    page.check("#c0-e1-score-6")  # −2 needs a rationale and mitigation
    page.focus("#c0-e1-rationale")
    page.focus("#c0-e1-evidence")
    assert page.is_visible("#c0-e1-rationale-error")
    page.focus("#c0-e1-mitigation")
    page.focus("#c0-e1-affected_groups")
    assert page.is_visible("#c0-e1-mitigation-error")
    page.fill("#c0-e1-rationale", "Orsak")
    page.focus("#c0-e1-rationale")
    page.focus("#c0-e1-evidence")
    assert not page.is_visible("#c0-e1-rationale-error")
    with page.expect_navigation():
        page.click("button[value=overview]")
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    page.click(".error-summary a")
    assert page.evaluate("document.activeElement.id") == "c0-e1-mitigation"

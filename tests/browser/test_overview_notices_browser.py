"""The overview's notices in a real browser, in every language: a draft of a form that cannot be saved
now (named, discarded with the keyboard), the rating page of a perspective screened out, the banner of
a returned assessment and its mark on the dashboard. Zero axe-core violations, valid HTML (Nu Html
Checker)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_violations, focused, vnu_errors
from tests.browser.walk import goto, submit
from tests.support import make_user

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
OFFICIAL, REVIEWER = "tiina@vaasa.fi", "goran@vaasa.fi"
PERSPECTIVES = (
    "policy",
    "infrastructure",
    "procurement",
    "cross-sector",
    "rural-services",
    "green-economy",
    "logistics",
    "information",
    "mergers",
)


def _sign_in(page: Any, base: str, email: str, role: str) -> None:
    from app.errors import Conflict

    with contextlib.suppress(Conflict):  # made by an earlier test against the same server
        make_user("905", email, role, PASSWORD)
    page.goto(f"{base}/language?lang=sv&next=/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page, "main form button")


def _sign_out(page: Any) -> None:
    submit(page, "form.logout button")


def _screen(page: Any, base: str, aid: str, relevant: tuple[str, ...]) -> None:
    goto(page, f"{base}/assessments/{aid}/screening")
    for pid in PERSPECTIVES:
        if pid in relevant:
            page.check(f"#s-{pid}")
            page.fill(f"#s-{pid}-reason", "")
        else:
            page.check(f"#s-{pid}-2")
            page.fill(f"#s-{pid}-reason", "Berörs inte av cykelvägen.")
    submit(page, "main form button[type=submit]")


def _new_assessment(page: Any, base: str, case_number: str) -> str:
    goto(page, base + "/decisions/new")
    page.fill("#case_number", case_number)
    page.fill("#title", "Ny cykelväg till byn")
    page.fill("#deciding_body", "Tekniska nämnden")
    submit(page, "main form button[type=submit]")
    return str(page.url.split("/")[4])


def _returned(page: Any, base: str, case_number: str) -> str:
    """An assessment the reviewer returned with a comment of two lines; the official signed in again."""
    _sign_in(page, base, OFFICIAL, "official")
    aid = _new_assessment(page, base, case_number)
    _screen(page, base, aid, ("policy",))
    goto(page, f"{base}/assessments/{aid}/rate/proposal/policy/firms")
    page.check("#c0-e1-score-2")
    page.fill("#c0-e1-rationale", "Fler kunder till byns butik.")
    submit(page, "button[value=overview]")
    goto(page, f"{base}/assessments/{aid}/check")
    submit(page, "main form button[type=submit]")
    _sign_out(page)
    _sign_in(page, base, REVIEWER, "reviewer")
    goto(page, f"{base}/assessments/{aid}/review")
    page.fill("#comment", "Beskriv företagen.\nLägg till underlag om <trafiken>.")
    page.check("#action-2")
    submit(page, "main form button[type=submit]")
    _sign_out(page)
    _sign_in(page, base, OFFICIAL, "official")
    return aid


def _check(page: Any, tmp_path: Path, files: list[Path], name: str, html: str) -> None:
    assert axe_violations(page) == [], name
    files.append(tmp_path / f"{name}.html")
    files[-1].write_text(html, encoding="utf-8")


def test_a_draft_that_cannot_be_saved_now_is_named_and_discarded_with_the_keyboard(
    page: Any, server: str, tmp_path: Path
) -> None:
    _sign_in(page, server, OFFICIAL, "official")
    aid = _new_assessment(page, server, "KS 2026/410")
    _screen(page, server, aid, ("policy", "procurement"))
    rate = f"{server}/assessments/{aid}/rate/proposal/procurement/firms"
    goto(page, rate)
    page.fill("#c0-e1-rationale", "Lokala företag kan lämna anbud")
    page.wait_for_selector("#autosave-status:has-text('Utkastet sparades')")
    _screen(page, server, aid, ("policy",))
    files: list[Path] = []
    for lang, reason in (("sv", "inte relevant"), ("fi", "epäolennaiseksi"), ("en", "not relevant")):
        page.goto(f"{server}/language?lang={lang}&next=/")
        overview = goto(page, f"{server}/assessments/{aid}")
        assert reason in page.inner_text("ul.kept-drafts")
        _check(page, tmp_path, files, f"overview-kept-{lang}", overview)
        _check(page, tmp_path, files, f"rate-screened-out-{lang}", goto(page, rate))
        assert page.locator("main form[data-autosave]").count() == 0, "no form to rate"
        assert page.locator(f'main a[href="/assessments/{aid}/screening"]').count() >= 1
    assert vnu_errors(files) == {}
    page.goto(f"{server}/language?lang=sv&next=/")
    goto(page, f"{server}/assessments/{aid}")
    button = "ul.kept-drafts button"
    assert "Upphandling" in page.locator(button).evaluate("b => b.textContent"), "named after its form"
    page.locator("main").focus()
    page.keyboard.press("Tab")
    for _ in range(60):
        if focused(page, button):
            break
        page.keyboard.press("Tab")
    assert focused(page, button)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "har slängts" in page.content()
    assert page.locator("ul.kept-drafts").count() == 0


def test_the_banner_of_a_returned_assessment(page: Any, server: str, tmp_path: Path) -> None:
    aid = _returned(page, server, "KS 2026/411")
    files: list[Path] = []
    for lang, title, by in (
        ("sv", "Returnerad för ändringar", "Returnerad av"),
        ("fi", "Palautettu korjattavaksi", "Palauttanut"),
        ("en", "Returned for changes", "Returned by"),
    ):
        page.goto(f"{server}/language?lang={lang}&next=/")
        html = goto(page, f"{server}/assessments/{aid}")
        region = page.get_by_role("region", name=title)
        assert region.count() == 1, "a region named by its title"
        text = region.inner_text()
        assert by in text and "Goran" in text
        assert "Beskriv företagen.\nLägg till underlag om <trafiken>." in text, "line breaks kept, text as typed"
        _check(page, tmp_path, files, f"overview-returned-{lang}", html)
    assert vnu_errors(files) == {}


def test_the_dashboard_marks_a_returned_draft(page: Any, server: str, tmp_path: Path) -> None:
    _returned(page, server, "KS 2026/412")
    files: list[Path] = []
    for lang, returned in (("sv", "Returnerad"), ("fi", "Palautettu"), ("en", "Returned")):
        page.goto(f"{server}/language?lang={lang}&next=/")
        html = goto(page, f"{server}/")
        row = page.locator("#mine-caption").locator("xpath=ancestor::table").locator("tr", has_text="KS 2026/412")
        assert row.locator(".tag-returned").inner_text() == returned
        _check(page, tmp_path, files, f"dashboard-{lang}", html)
    assert vnu_errors(files) == {}

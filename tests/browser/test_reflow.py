"""Reflow (WCAG 1.4.10): at 320 CSS pixels, what a page says fits the window (data tables excepted, as
the criterion does), so nobody zoomed to 400 % scrolls sideways to reach a "Change" link or the end of
a heading; a data table wider than the window scrolls in a region of its own (named after its caption,
reachable and scrollable with the keyboard), never the whole page; and a focused link in the error
summary keeps its text contrast (1.4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import axe_violations
from tests.browser.test_enhancement import sign_in_and_screen
from tests.browser.walk import saved_in_another_tab
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.database_independent]  # presentation: tests/conftest.py
OUTSIDE_TABLES = """() => Math.max(0, ...[...document.querySelectorAll('body *')]
    .filter(e => !e.closest('table'))
    .map(e => Math.ceil(e.getBoundingClientRect().right + window.scrollX)))"""
"""The right edge of the furthest element outside data tables (which 1.4.10 lets scroll in two directions)."""
TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
    const region = t.parentElement;
    const caption = t.querySelector(':scope > caption');
    return {
        caption: caption ? caption.textContent.trim() : '',
        region: region.matches('div.table-scroll[role=region][tabindex="0"]') && region.children.length === 1,
        named: !!caption && !!caption.id && region.getAttribute('aria-labelledby') === caption.id,
        scrolls: region.scrollWidth > region.clientWidth,
        overflow: getComputedStyle(region).overflowX,
    };
})"""
"""Each data table of the page: in a focusable region of its own, named by the table's caption?"""


def test_assessment_pages_reflow_at_320_pixels(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    page.set_viewport_size({"width": 320, "height": 800})
    wide = {}
    for lang in ("sv", "fi"):
        page.goto(f"{server}/language?lang={lang}&next=/")
        for path in ("", "/check", "/rate/proposal/policy/firms", "/rate/proposal/policy/organisation"):
            page.goto(f"{server}/assessments/{aid}{path}")
            width = page.evaluate(OUTSIDE_TABLES)
            if width > 320:
                wide[f"{lang} {path or '/'}"] = width
    assert wide == {}, f"wider than the window: {wide}"


def test_wide_tables_scroll_in_a_named_focusable_region_not_the_page(page: Any, server: str) -> None:
    aid = sign_in_and_screen(page, server)
    rate = f"{server}/assessments/{aid}/rate/proposal/policy/firms"
    page.goto(rate)  # a negative rating, so the summary's matrix and difference have numbers
    page.check("#c0-e1-score-6")
    page.fill("#c0-e1-rationale", "Högre anslutningsavgifter för företagen i området.")
    page.fill("#c0-e1-mitigation", "Avgiften fördelas över fem år.")
    with page.expect_navigation():
        page.click("button[value=overview]")
    page.set_viewport_size({"width": 320, "height": 800})
    paths = ["/", f"/assessments/{aid}", f"/assessments/{aid}/summary", f"/assessments/{aid}/history"]
    wide: dict[str, int] = {}
    unboxed: dict[str, list[dict[str, Any]]] = {}
    violations: dict[str, Any] = {}
    scrolling: list[str] = []

    def measure(name: str) -> None:
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        if width > 320:
            wide[name] = width
        tables = page.evaluate(TABLES)
        assert tables, f"{name}: no table"
        bad = [t for t in tables if not (t["region"] and t["named"] and t["overflow"] == "auto")]
        if bad:
            unboxed[name] = bad
        scrolling.extend(f"{name}: {t['caption']}" for t in tables if t["scrolls"])
        found = axe_violations(page)
        if found:
            violations[name] = found

    for lang in ("sv", "fi"):
        page.goto(f"{server}/language?lang={lang}&next=/")
        for path in paths:
            page.goto(server + path)
            measure(f"{lang} {path}")
        _conflict(page, server, aid)
        measure(f"{lang} conflict")
    make_user("905", "anna@vaasa.fi", "admin")
    with page.expect_navigation():
        page.click("form.logout button")
    page.goto(server + "/login")
    page.fill("#email", "anna@vaasa.fi")
    page.fill("#password", "correct horse battery staple")
    with page.expect_navigation():
        page.click("main form button")
    page.goto(f"{server}/language?lang=fi&next=/")
    for path in ("/admin/users", "/admin/tokens"):
        page.goto(server + path)
        measure(f"fi {path}")
    assert wide == {}, f"the page scrolls sideways: {wide}"
    assert unboxed == {}, f"tables outside a named, focusable scroll region: {unboxed}"
    assert violations == {}, violations
    assert any("summary" in name for name in scrolling), f"the matrix fits 320 px? {scrolling}"
    # the keyboard reaches a region that scrolls and scrolls it; the focus shows
    page.goto(f"{server}/assessments/{aid}/summary")
    region = page.locator(".table-scroll", has=page.locator("table.matrix")).first
    region.focus()
    assert region.evaluate("r => r.scrollWidth > r.clientWidth && r.scrollLeft === 0")
    outline = region.evaluate("r => getComputedStyle(r).outlineStyle + ' ' + getComputedStyle(r).outlineWidth")
    assert outline == "solid 3px", outline
    page.keyboard.press("ArrowRight")
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())


def _conflict(page: Any, server: str, aid: str) -> None:
    """The conflict page of a rating form, with its table of differences."""
    saved_in_another_tab(page, f"{server}/assessments/{aid}/rate/proposal/policy/residents")
    page.check("#c0-e1-score-6")
    page.fill("#c0-e1-rationale", "Högre avgifter för de boende i området under byggtiden.")
    page.fill("#c0-e1-mitigation", "Avgiften fördelas över fem år.")
    with page.expect_navigation():
        page.click("button[value=overview]")
    assert page.locator("table.compare").count() == 1


def test_a_focused_error_summary_link_keeps_its_contrast(page: Any, server: str) -> None:
    page.goto(server + "/login")
    with page.expect_navigation():
        page.click("main form button")
    link = page.locator(".error-summary-list a").first
    link.focus()
    colour = link.evaluate("a => getComputedStyle(a).color")
    assert colour == "rgb(27, 27, 27)", "near-black on the yellow focus background, not red (4.3:1)"

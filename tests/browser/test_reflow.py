"""Reflow (WCAG 1.4.10): at 320 CSS pixels, what a page says fits the window (data tables excepted, as
the criterion does), so nobody zoomed to 400 % scrolls sideways to reach a "Change" link or the end of
a heading; and a focused link in the error summary keeps its text contrast (1.4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_enhancement import sign_in_and_screen

pytestmark = pytest.mark.browser
OUTSIDE_TABLES = """() => Math.max(0, ...[...document.querySelectorAll('body *')]
    .filter(e => !e.closest('table'))
    .map(e => Math.ceil(e.getBoundingClientRect().right + window.scrollX)))"""
"""The right edge of the furthest element outside data tables (which 1.4.10 lets scroll in two directions)."""


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


def test_a_focused_error_summary_link_keeps_its_contrast(page: Any, server: str) -> None:
    page.goto(server + "/login")
    with page.expect_navigation():
        page.click("main form button")
    link = page.locator(".error-summary-list a").first
    link.focus()
    colour = link.evaluate("a => getComputedStyle(a).color")
    assert colour == "rgb(27, 27, 27)", "near-black on the yellow focus background, not red (4.3:1)"

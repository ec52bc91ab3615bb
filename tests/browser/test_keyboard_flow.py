"""The whole flow with the keyboard alone: log in, create a decision, screen, rate, submit, log in as
reviewer, approve, download the PDF. Only Tab, arrow keys, Space, Enter and typing are used."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import tab_to
from tests.support import make_user

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
RELEVANT = ("policy",)
NOT_RELEVANT = (
    "infrastructure",
    "procurement",
    "cross-sector",
    "rural-services",
    "green-economy",
    "logistics",
    "information",
    "mergers",
)


def press_and_wait(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    press_and_wait(page)
    assert "/login" not in page.url


def test_whole_flow_with_the_keyboard(page: Any, server: str, tmp_path: Path) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    make_user("905", "goran@vaasa.fi", "reviewer", PASSWORD)
    log_in(page, server, "tiina@vaasa.fi")

    tab_to(page, "main a[href='/decisions/new']")
    press_and_wait(page)
    type_into(page, "#case_number", "KS 2026/200")
    type_into(page, "#title", "Förlängd öppettid på simhallen")
    type_into(page, "#deciding_body", "Bildningsnämnden")
    type_into(page, "#zero_description", "Öppettiderna förblir oförändrade.")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)
    assert page.url.endswith("/screening")
    aid = re.search(r"/assessments/([0-9a-f-]{36})/", page.url).group(1)  # type: ignore[union-attr]

    for pid in RELEVANT + NOT_RELEVANT:
        tab_to(page, f"input[name='s-{pid}']")
        page.keyboard.press("Space" if pid in RELEVANT else "ArrowRight")
        if pid not in RELEVANT:
            type_into(page, f"#s-{pid}-reason", "Beslutet berör inte detta.")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)
    assert page.url.endswith(f"/assessments/{aid}"), page.url

    tab_to(page, f"a[href='/assessments/{aid}/rate/proposal/policy/residents']")
    press_and_wait(page)
    tab_to(page, "input[name='c0-e1-score']")
    for _ in range(7):  # from "not rated yet" up to +2
        page.keyboard.press("ArrowUp")
    assert page.evaluate("document.querySelector(\"input[name='c0-e1-score']:checked\").value") == "2"
    type_into(page, "#c0-e1-rationale", "Längre öppettider ger fler besök, särskilt för skolbarn.")
    tab_to(page, "button[value=overview]")
    press_and_wait(page)

    tab_to(page, f"a[href='/assessments/{aid}/check']")
    press_and_wait(page)
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)
    assert "Inskickad för granskning" in page.content()

    tab_to(page, "form.logout button")
    press_and_wait(page)
    log_in(page, server, "goran@vaasa.fi")
    tab_to(page, f"a[href='/assessments/{aid}']")
    press_and_wait(page)
    tab_to(page, f"a[href='/assessments/{aid}/review']")
    press_and_wait(page)
    type_into(page, "#comment", "Tydligt och välgrundat.")
    tab_to(page, "input[name=action]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)
    assert "Godkänd av Goran" in page.content()

    tab_to(page, "a[href*='report.pdf']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "KS 2026/200" in text or "Förlängd öppettid" in text

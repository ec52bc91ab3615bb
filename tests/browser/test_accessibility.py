"""Every page in every language: zero axe-core violations (WCAG 2.0/2.1 A and AA) and valid HTML
(Nu Html Checker, all pages of a language in one JVM run); every page under 150 KB."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_violations, seed_demo, vnu_errors
from tests.browser.walk import walk

pytestmark = [pytest.mark.browser, pytest.mark.database_independent]  # markup: tests/conftest.py
MAX_PAGE_BYTES = 150_000
EXPECTED_PAGES = 31


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_every_page_is_accessible_and_valid(page: Any, server: str, lang: str, tmp_path: Path) -> None:
    seed_demo()
    violations: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    files: list[Path] = []
    timings: dict[str, float] = {}

    def visit(name: str, html: str) -> None:
        assert f'<html lang="{lang}">' in html, name
        started = time.monotonic()
        found = axe_violations(page)
        timings[name] = round(time.monotonic() - started, 2)
        if found:
            violations[name] = found
        sizes[name] = len(html.encode("utf-8"))
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)

    walk(page, server, lang, visit)
    print("axe seconds per page", timings)
    assert not violations, violations
    assert len(files) == EXPECTED_PAGES, sorted(p.stem for p in files)
    errors = vnu_errors(files)
    assert not errors, errors
    too_big = {k: v for k, v in sizes.items() if v > MAX_PAGE_BYTES}
    assert not too_big, too_big


def test_the_paged_history_is_accessible_and_valid(page: Any, server: str, tmp_path: Path) -> None:
    """The pages of a long audit trail (more than one page of events), with their links between them."""
    from app.assessments.models import Assessment
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.web.routes_review import HISTORY_PAGE
    from tests.api.test_history import add_events
    from tests.browser.support import OFFICIAL
    from tests.browser.walk import goto, login

    seed_demo()
    html = login(page, server, OFFICIAL)
    aid = re.search(r'href="/assessments/([0-9a-f-]{36})"', html)
    assert aid, "the dashboard links the demo assessments"
    with unit_of_work(write=False) as s:
        a = s.get(Assessment, uuid.UUID(aid.group(1)))
        assert a is not None
        m = s.get(Municipality, a.municipality_id)
        assert m is not None
        code = m.code
    add_events(code, aid.group(1), HISTORY_PAGE + 5)
    files: list[Path] = []

    def check(name: str, html: str) -> None:
        assert axe_violations(page) == [], name
        files.append(tmp_path / f"history-{name}.html")
        files[-1].write_text(html, encoding="utf-8")

    check("newest", goto(page, f"{server}/assessments/{aid.group(1)}/history"))
    with page.expect_navigation(wait_until="load") as nav:
        page.click('a[href*="/history?before="]')
    older = str(nav.value.text())
    assert "Nyaste händelserna" in older and "Äldre händelser" not in older  # 105 events and a few: two pages
    check("older", older)
    assert vnu_errors(files) == {}

"""Every page in every language: zero axe-core violations (WCAG 2.0/2.1 A and AA) and valid HTML
(Nu Html Checker, all pages of a language in one JVM run); every page under 150 KB."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_violations, seed_demo, vnu_errors
from tests.browser.walk import walk

pytestmark = pytest.mark.browser
MAX_PAGE_BYTES = 150_000
EXPECTED_PAGES = 27


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

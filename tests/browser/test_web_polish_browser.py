"""The pages of the web polish in a real browser: the form that changes a user's name (as opened from
the users page, and refused) and the review page of a reviewer who changed the version (its one action
a button), in every language: zero axe-core violations, valid HTML, and the keyboard reaches the button."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_violations, vnu_errors
from tests.browser.walk import goto, sign_in, submit
from tests.web.support import Web

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_rename_and_one_action_review_pages(page: Any, server: str, app: Any, lang: str, tmp_path: Path) -> None:
    suffix = f"{lang}.polish"
    official = Web.signed_in(app, f"tiina@{suffix}.fi", "official")
    reviewer = Web.signed_in(app, f"goran@{suffix}.fi", "reviewer")
    Web.signed_in(app, f"anna@{suffix}.fi", "admin")
    aid = official.new_assessment(case_number=f"KS 2026/{lang}")
    official.screen(aid)
    url, data = reviewer.rate_form(aid)
    data |= {"c0-e1-score": "2", "c0-e1-rationale": "Granskarens betyg.", "c0-e1-likelihood": "likely"}
    assert reviewer.post(url, data).status_code == 303
    assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    files: list[Path] = []

    def check(name: str, html: str) -> None:
        assert axe_violations(page) == [], name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")

    sign_in(page, server, f"anna@{suffix}.fi", lang)
    goto(page, f"{server}/admin/users")
    with page.expect_navigation(wait_until="load") as nav:
        page.click(f'a[href="/admin/users?change={official.user.id}#name"]')
    check("rename", str(nav.value.text()))
    page.fill("#name", "")
    html = submit(page, "form[action='/admin/users'] button")
    assert 'aria-invalid="true"' in html
    check("rename-error", html)
    page.context.clear_cookies()

    sign_in(page, server, f"goran@{suffix}.fi", lang)
    html = goto(page, f"{server}/assessments/{aid}/review")
    assert 'type="radio"' not in html.split('id="comment"')[1]
    check("review-one-action", html)
    page.focus("#comment")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "action", "the button follows the comment"
    assert vnu_errors(files) == {}

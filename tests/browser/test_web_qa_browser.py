"""The questions before what cannot be undone, in a real browser and every language: removing an option
with its ratings, deactivating a user, revoking a token. Each opens from its link in the list, takes focus
(so a screen reader reads the question first), has zero axe-core violations and valid HTML, and its Cancel
link goes back without changing anything. And the sign-in page after a session ended mid-form says what
was not saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import axe_violations, vnu_errors
from tests.browser.walk import goto, sign_in, submit
from tests.web.support import PASSWORD, Web

pytestmark = pytest.mark.browser


def _click(page: Any, selector: str) -> str:
    with page.expect_navigation(wait_until="load") as nav:
        page.click(selector)
    return str(nav.value.text())


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_questions_before_what_cannot_be_undone(
    page: Any, server: str, app: Any, lang: str, tmp_path: Path
) -> None:
    suffix = f"{lang}.qa"
    official = Web.signed_in(app, f"tiina@{suffix}.fi", "official")
    Web.signed_in(app, f"anna@{suffix}.fi", "admin")
    aid = official.new_assessment(case_number=f"KS 2026/qa-{lang}")
    official.screen(aid)
    assert official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp ett", "description": ""}).status_code
    url, data = official.rate_form(aid, "option-1")
    data |= {"c0-e1-score": "1", "c0-e1-rationale": "Fler tomter."}
    assert official.post(url, data).status_code == 303
    files: list[Path] = []

    def check(name: str, html: str, region: str) -> None:
        assert page.evaluate("() => document.activeElement.id") == region, (name, "the question has focus")
        assert axe_violations(page) == [], name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")

    sign_in(page, server, f"tiina@{suffix}.fi", lang)
    goto(page, f"{server}/assessments/{aid}/alternatives")
    html = _click(page, f'form[action="/assessments/{aid}/alternatives/option-1/delete"] button')
    check("remove-option", html, "remove")
    _click(page, "#remove a")
    assert "Etapp ett" in page.content(), "cancel removed nothing"
    _click(page, f'form[action="/assessments/{aid}/alternatives/option-1/delete"] button')
    _click(page, "#remove button")
    assert "Etapp ett" not in page.content(), "the button removed it"
    page.context.clear_cookies()

    sign_in(page, server, f"anna@{suffix}.fi", lang)
    goto(page, f"{server}/admin/users")
    html = _click(page, f'a[href="/admin/users/{official.user.id}/deactivate#deactivate"]')
    check("deactivate-user", html, "deactivate")
    _click(page, "#deactivate a")
    goto(page, f"{server}/admin/tokens")
    page.fill("#name", "Diarium")
    submit(page, "form[action='/admin/tokens'] button")
    html = _click(page, 'a[href$="/revoke#revoke"]')
    check("revoke-token", html, "revoke")
    assert vnu_errors(files) == {}


def test_the_sign_in_after_a_session_ended_mid_form(page: Any, server: str, app: Any, tmp_path: Path) -> None:
    from sqlalchemy import update

    from app.auth.models import WebSession
    from app.db.base import utcnow
    from app.db.session import unit_of_work

    official = Web.signed_in(app, "tiina@ended.qa.fi", "official")
    aid = official.new_assessment(case_number="KS 2026/ended")
    sign_in(page, server, "tiina@ended.qa.fi", "sv")
    goto(page, f"{server}/assessments/{aid}/alternatives")
    page.fill("#title", "Etapp två")
    with unit_of_work() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))  # type: ignore[arg-type]
    html = submit(page, f"form[action='/assessments/{aid}/alternatives'] button")
    assert "/login?next=" in page.url and "ended=unsaved" in page.url
    assert "sparades inte" in html
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "alert", "the notice has focus"
    assert axe_violations(page) == []
    page.fill("#email", "tiina@ended.qa.fi")
    page.fill("#password", PASSWORD)
    submit(page)
    assert page.url.endswith(f"/assessments/{aid}/alternatives"), "back at the form after signing in"
    (tmp_path / "ended.html").write_text(html, encoding="utf-8")
    assert vnu_errors([tmp_path / "ended.html"]) == {}

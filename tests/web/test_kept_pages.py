"""The rating form kept per change (PostgreSQL; ``app/web/kept_pages.py``): a repeated page is sent
from the kept copy with the requesting session's CSRF token, and never where the ordinary path would
send something else: after any audited change in the municipality, to another user, with an unsaved
draft, a flash message, an expired session or a deactivated user."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support import make_user
from tests.web.support import PASSWORD, Web, csrf_of, hidden

FORM = "/assessments/{}/rate/proposal/policy/firms"


@pytest.fixture(autouse=True)
def _postgres_only(client: Any) -> None:
    if client.app.state.loop_db is None:
        pytest.skip("pages are kept on PostgreSQL only")


def served() -> int:
    from app.web import kept_pages

    return kept_pages.served


class Browser(Web):
    """A signed-in browser on the test client that runs the app's lifespan (so the event-loop pool is
    open), with its own cookies: several browsers can share that client."""

    jar: Any = None

    @classmethod
    def of(cls, client: Any, email: str, role: str = "official", code: str = "905", new_user: bool = True) -> Browser:
        user = make_user(code, email, role, PASSWORD) if new_user else None
        client.cookies.clear()
        client.follow_redirects = False
        browser = cls(client, user=user)
        browser.login(email, PASSWORD)
        browser.jar = httpx.Cookies(client.cookies)
        return browser

    def _use(self) -> None:
        self.client.cookies = httpx.Cookies(self.jar)

    def get(self, url: str, **kw: Any) -> Any:
        self._use()
        r = super().get(url, **kw)
        self.jar = httpx.Cookies(self.client.cookies)
        return r

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        self._use()
        r = super().post(url, data, **kw)
        self.jar = httpx.Cookies(self.client.cookies)
        return r


def screened_form(web: Web, case_number: str = "KS 2026/1") -> str:
    aid = web.new_assessment(case_number)
    assert web.screen(aid).status_code == 303
    web.get(f"/assessments/{aid}")  # shows (and so ends) the screening's flash message
    return FORM.format(aid)


def twice(web: Web, url: str) -> tuple[Any, Any, int]:
    """The page built (twice: it is kept from its second building), then read again."""
    first = web.get(url)
    web.get(url)
    before = served()
    second = web.get(url)
    return first, second, served() - before


def rate(web: Web, url: str, score: str, rationale: str) -> Any:
    page = web.get(url)
    data = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    return web.post(url, data | {"c0-e1-score": score, "c0-e1-rationale": rationale})


def test_a_repeated_form_is_sent_kept_and_equals_the_ordinary_page(client: Any) -> None:
    web = Browser.of(client, "kept.official@vaasa.fi")
    url = screened_form(web)
    first, second, kept = twice(web, url)
    assert kept == 1
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["content-type"] == "text/html; charset=utf-8"
    assert second.headers["cache-control"] == "no-store"
    assert dict(second.headers) == dict(first.headers), "the same headers, security headers included"


def test_a_page_built_once_is_not_kept(client: Any) -> None:
    web = Browser.of(client, "once@vaasa.fi")
    url = screened_form(web)
    before = len(cache_entries())
    web.get(url)
    assert len(cache_entries()) == before, "a page seen once (as the form after a save) takes no memory"
    web.get(url)
    assert len(cache_entries()) == before + 1
    start = served()
    web.get(url)
    assert served() == start + 1


def cache_entries() -> list[Any]:
    from app.assessments import representation_cache

    return [k for k in representation_cache._entries if k[0] == "page"]


def test_each_session_gets_its_own_csrf_token_and_can_save_with_it(client: Any) -> None:
    one = Browser.of(client, "two.sessions@vaasa.fi")
    url = screened_form(one)
    other = Browser.of(client, "two.sessions@vaasa.fi", new_user=False)  # a sign-in moves the chain's head
    twice(one, url)
    before = served()
    page = other.get(url)
    assert served() - before == 1, "the same user's page, kept from the first session"
    assert csrf_of(page.text) == other.token != one.token
    assert one.token not in page.text
    assert page.text.count(other.token) == one.get(url).text.count(one.token) >= 2, "the form's and the header's"
    assert rate(other, url, "2", "Fler etableringar").status_code == 303


def test_a_saved_rating_and_a_change_through_the_api_show_at_once(client: Any) -> None:
    web = Browser.of(client, "changes@vaasa.fi")
    url = screened_form(web)
    twice(web, url)
    assert rate(web, url, "2", "Fler etableringar i området").status_code == 303
    page = web.get(url)
    assert "Fler etableringar i området</textarea>" in page.text
    twice(web, url)
    aid = url.split("/")[2]
    from tests.support import make_token

    token = make_token("905", ("read", "write"))
    headers = {"Authorization": f"Bearer {token}"}
    etag = client.get(f"/api/v1/assessments/{aid}", headers=headers).headers["etag"]
    rating = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 1, "rationale": "Buller"}
    r = client.put(
        f"/api/v1/assessments/{aid}/ratings",
        json={"ratings": [rating]},
        headers=headers | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert "Buller</textarea>" in web.get(url).text


def test_an_unsaved_draft_is_restored_not_the_kept_page(client: Any) -> None:
    web = Browser.of(client, "drafts@vaasa.fi")
    url = screened_form(web)
    twice(web, url)
    page = web.get(url)
    data = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    r = web.post(url, data | {"c0-e1-score": "2", "c0-e1-rationale": ""})
    assert r.status_code == 422, "a non-zero score without a rationale is kept as a draft"
    before = served()
    again = web.get(url)
    assert served() == before
    assert re.search(r'value="2"[^>]*checked', again.text), "the draft's score is restored"


def test_another_user_gets_their_own_page(client: Any) -> None:
    first = Browser.of(client, "first.user@vaasa.fi")
    url = screened_form(first)
    second = Browser.of(client, "second.user@vaasa.fi")  # signed in before the first's page is kept
    twice(first, url)
    before = served()
    page = second.get(url)
    assert served() == before
    assert "Second.User" in page.text and "First.User" not in page.text
    stranger = Browser.of(client, "stranger@espoo.fi", code="049")
    assert stranger.get(url).status_code == 404


def test_a_flash_message_is_shown_not_the_kept_page(client: Any) -> None:
    web = Browser.of(client, "flash@vaasa.fi")
    url = screened_form(web)
    twice(web, url)
    web.jar.set("lk_flash", "saved", domain="testserver.local")
    before = served()
    page = web.get(url)
    assert served() == before
    assert "Dina svar har sparats." in page.text


def test_an_expired_session_or_a_deactivated_user_is_sent_to_the_login_form(client: Any) -> None:
    from sqlalchemy import update

    from app.auth.models import User, WebSession
    from app.db.base import utcnow
    from app.db.session import unit_of_work

    for what in ("expired", "deactivated"):
        web = Browser.of(client, f"{what}@vaasa.fi")
        url = screened_form(web, f"KS 2026/{what}")
        twice(web, url)
        with unit_of_work() as s:  # by hand: neither moves the audit chain's head
            if what == "expired":
                s.execute(
                    update(WebSession)
                    .where(WebSession.user_id == web.user.id)
                    .values(expires_at=utcnow() - timedelta(seconds=1))
                )  # type: ignore[arg-type]
            else:
                s.execute(update(User).where(User.id == web.user.id).values(active=False))  # type: ignore[arg-type]
        before = served()
        r = web.get(url)
        assert served() == before, what
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), what

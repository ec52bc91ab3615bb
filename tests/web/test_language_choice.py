"""Which language a page is in: the visitor's choice (its cookie), before any choice the browser's
(Accept-Language), else Swedish."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.support import Web


@pytest.mark.parametrize(
    ("accept", "cookie", "expected"),
    [
        (None, None, "sv"),
        ("fi-FI,fi;q=0.9,en;q=0.8", None, "fi"),
        ("en-GB,en;q=0.9", None, "en"),
        ("de-DE,de;q=0.9,fi;q=0.5", None, "fi"),
        ("de-DE,fr;q=0.9", None, "sv"),
        ("fi-FI,fi;q=0.9", "en", "en"),
        ("fi-FI,fi;q=0.9", "sv", "sv"),
        ("fi-FI,fi;q=0.9", "xx", "fi"),
    ],
)
def test_the_first_visit_follows_the_browser_and_a_choice_wins(
    app: Any, accept: str | None, cookie: str | None, expected: str
) -> None:
    client = TestClient(app, follow_redirects=False)
    if cookie:
        client.cookies.set("lk_lang", cookie)
    r = client.get("/login", headers={"Accept-Language": accept} if accept else {})
    assert r.status_code == 200
    assert f'<html lang="{expected}">' in r.text


def test_signed_in_pages_follow_the_browser_until_a_language_is_chosen(official: Web) -> None:
    page = official.get("/", headers={"Accept-Language": "fi"})
    assert '<html lang="fi">' in page.text and "Kirjaudu ulos" in page.text
    r = official.get("/language?lang=en&next=/")
    assert r.status_code == 303
    page = official.get("/", headers={"Accept-Language": "fi"})
    assert '<html lang="en">' in page.text and "Sign out" in page.text


def test_error_pages_follow_the_browser_too(app: Any) -> None:
    client = TestClient(app, follow_redirects=False)
    r = client.get("/no-such-page", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    assert r.status_code == 404 and '<html lang="fi">' in r.text
    r = client.post("/login", data={"email": "x@y.fi"}, headers={"Accept-Language": "en"})
    assert r.status_code == 403 and '<html lang="en">' in r.text, "the refused form (no CSRF token)"


def _switch_language(web: Web, html: str) -> Any:
    """Follow the page's link to another language, then the redirect back."""
    import re

    found = re.search(r'href="(/language\?lang=[a-z]{2}&amp;next=[^"]*)"', html)
    assert found, "no language link"
    r = web.get(found.group(1).replace("&amp;", "&"))
    assert r.status_code == 303
    return web.get(r.headers["location"])


def test_switching_language_on_a_page_a_post_rendered_returns_to_a_page(official: Web, admin: Web) -> None:
    """A refused submit (POST /assessments/{id}/submit) and an invitation (POST /admin/invitations) are
    shown at addresses with no page of their own: the language switch leads to the form's page, not to
    a 405 "Something went wrong"."""
    aid = official.new_assessment()
    r = official.post(f"/assessments/{aid}/submit", {"comment": "Klar"})
    assert r.status_code == 422
    back = _switch_language(official, r.text)
    assert back.status_code == 200 and '<html lang="fi">' in back.text  # Swedish's first link: Finnish
    assert back.url.path == f"/assessments/{aid}/check"
    for data in ({"email": "", "role": ""}, {"email": "ny@vaasa.fi", "role": "official"}):
        r = admin.post("/admin/invitations", data)
        assert r.status_code in (200, 422)
        back = _switch_language(admin, r.text)
        assert back.status_code == 200 and back.url.path == "/admin/users"


def test_a_page_posted_to_a_post_only_address_returns_to_the_form_it_came_from(official: Web) -> None:
    """Without a route's own page address: the Referer when it is a page of this site, else the dashboard."""
    aid = official.new_assessment()
    check = f"http://testserver/assessments/{aid}/check"
    r = official.post(f"/assessments/{aid}/new-version", {}, headers={"Referer": check})
    assert r.status_code >= 400  # a draft has no new version: the error page, at the POST's address
    back = _switch_language(official, r.text)
    assert back.status_code == 200 and back.url.path == f"/assessments/{aid}/check"
    # sent again from that error page: its Referer is the POST-only address, so the dashboard
    r = official.post(f"/assessments/{aid}/new-version", {}, headers={"Referer": check.replace("check", "submit")})
    back = _switch_language(official, r.text)
    assert back.status_code == 200 and back.url.path == "/"

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

"""A web path with a trailing slash is redirected to the path without it by a relative `Location` (the
path and query alone): a forged `Host` header cannot send the user to another site. Nothing answers a
slash redirect built from the `Host` (Starlette's own is off)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.support import Web

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


@pytest.fixture
def web(app: Any) -> TestClient:
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/login/", "/login"),
        ("/login//", "/login"),
        ("/login/?next=/assessments", "/login?next=/assessments"),
        ("/account/password/", "/account/password"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_a_trailing_slash_redirects_by_path_alone_whatever_the_host(
    web: TestClient, method: str, path: str, location: str
) -> None:
    r = web.request(method, path, headers=FORGED)
    assert r.status_code == 307, r.text
    assert r.headers["location"] == location
    assert "evil.example" not in r.headers["location"]
    assert r.headers["content-security-policy"], "the headers of every web answer"


def test_the_redirect_is_followed_to_the_page(web: TestClient) -> None:
    r = web.get("/login/?lang=fi", headers=FORGED)
    assert r.headers["location"] == "/login?lang=fi"
    page = web.get(r.headers["location"])
    assert page.status_code == 200 and "<form" in page.text


def test_a_path_with_percent_escapes_keeps_them(web: TestClient) -> None:
    r = web.get("/login%2F", headers=FORGED)  # the slash escaped: the path is /login/ all the same
    assert r.status_code == 307 and r.headers["location"] == "/login"


def test_no_redirect_to_another_host_or_where_no_page_is(web: TestClient) -> None:
    for path in ("/no-such-page/", "/static/", "/api/v1/decisions/"):
        r = web.get(path, headers=FORGED)
        assert r.status_code == 404, path
        assert "location" not in r.headers, path
    r = web.get("/login", headers=FORGED)
    assert r.status_code == 200 and "location" not in r.headers


def test_a_signed_in_user_is_redirected_the_same_way(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official")
    r = official.client.get("/account/password/", headers=FORGED)
    assert r.status_code == 307 and r.headers["location"] == "/account/password"
    assert official.client.get(r.headers["location"]).status_code == 200

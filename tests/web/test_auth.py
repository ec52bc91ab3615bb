"""Signing in and out, sessions, CSRF, redirects."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support import make_user
from tests.web.support import PASSWORD, Web, csrf_of, error_summary


def test_anonymous_pages_redirect_to_login_and_back(client: TestClient) -> None:
    r = client.get("/decisions/new", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/decisions/new"


def test_login_sets_a_server_side_session_cookie(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    web = Web(TestClient(app, follow_redirects=False))
    r = web.login("Tiina@Vaasa.fi", PASSWORD)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "lk_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    token = cookie.split("lk_session=")[1].split(";")[0]
    from app.auth.repository import web_session
    from app.auth.web_sessions import hash_session_token
    from tests.support import session

    with session() as s:
        assert web_session(s, token) is None, "the plain token must never be stored"
        assert web_session(s, hash_session_token(token)) is not None
    dashboard = web.get("/")
    assert dashboard.status_code == 200
    assert "Tiina" in dashboard.text


def test_wrong_password_keeps_the_email_and_names_the_field(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    web = Web(TestClient(app, follow_redirects=False))
    r = web.login("tiina@vaasa.fi", "wrong password!")
    assert r.status_code == 400
    assert 'value="tiina@vaasa.fi"' in r.text
    assert error_summary(r.text)[0][0] == "email"
    assert "<title>Fel:" in r.text


def test_lockout_after_repeated_failures(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    web = Web(TestClient(app, follow_redirects=False))
    for _ in range(5):
        web.login("tiina@vaasa.fi", "wrong password!")
    r = web.login("tiina@vaasa.fi", PASSWORD)
    assert r.status_code == 400, "a locked account refuses even the right password"
    # as an unknown address would be (tests/web/test_accounts_hardening.py), with the pause explained
    assert "E-postadressen eller lösenordet är fel" in r.text and "pausas inloggningen" in r.text


def test_login_form_needs_its_csrf_token(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    c = TestClient(app, follow_redirects=False)
    c.get("/login")
    r = c.post("/login", data={"email": "tiina@vaasa.fi", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert "lk_session" not in r.headers.get("set-cookie", "")


def test_every_post_checks_the_session_csrf_token(official: Web) -> None:
    r = official.client.post("/decisions/new", data={"case_number": "X 1", "title": "T", "deciding_body": "KS"})
    assert r.status_code == 403
    r = official.client.post("/logout", data={"csrf_token": "not-the-token"})
    assert r.status_code == 403
    assert official.get("/").status_code == 200, "still signed in"


def test_logout_ends_the_session(official: Web) -> None:
    r = official.post("/logout")
    assert r.status_code == 303
    assert official.get("/").status_code == 303


def test_a_new_sign_in_ends_the_session_the_browser_had(app: Any) -> None:
    """Signing in again (as anyone) in a browser ends its earlier session: the old cookie, or a copy of it
    taken before, no longer opens anything; other browsers' sessions of the same user are untouched."""
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    make_user("905", "rolf@vaasa.fi", "reviewer", PASSWORD)
    elsewhere = Web(TestClient(app, follow_redirects=False))
    assert elsewhere.login("tiina@vaasa.fi", PASSWORD).status_code == 303
    web = Web(TestClient(app, follow_redirects=False))
    assert web.login("tiina@vaasa.fi", PASSWORD).status_code == 303
    first = web.client.cookies["lk_session"]
    # the sign-in page redirects a signed-in browser away, but a sign-in posted over a live session
    # (with that session's token) is accepted, and must not leave two sessions in one browser
    r = web.client.post(
        "/login", data={"email": "rolf@vaasa.fi", "password": PASSWORD, "csrf_token": web.token, "next": "/"}
    )
    assert r.status_code == 303, r.text
    second = web.client.cookies["lk_session"]
    assert second != first
    assert web.get("/").status_code == 200
    copy = TestClient(app, follow_redirects=False)
    copy.cookies.set("lk_session", first)
    assert copy.get("/").status_code == 303, "the replaced session is over"
    assert elsewhere.get("/").status_code == 200, "the same user's session in another browser lives on"


def test_next_never_leaves_the_site(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    c = TestClient(app, follow_redirects=False)
    page = c.get("/login?next=//evil.example/x")
    r = c.post(
        "/login",
        data={
            "email": "tiina@vaasa.fi",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example",
        },
    )
    assert r.headers["location"] == "/"
    assert c.get("/language?lang=fi&next=https://evil.example").headers["location"] == "/"


def test_secure_cookies_and_hsts_when_configured(app: Any, monkeypatch: Any) -> None:
    from app.main import create_app
    from app.settings import get_settings

    monkeypatch.setenv("LIVSKRAFT_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    try:
        secure_app = create_app(app.state.rubrics)
        make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
        web = Web(TestClient(secure_app, follow_redirects=False, base_url="https://testserver"))
        r = web.login("tiina@vaasa.fi", PASSWORD)
        assert "Secure" in r.headers["set-cookie"]
        assert "max-age=31536000" in web.get("/").headers["strict-transport-security"]
    finally:
        monkeypatch.delenv("LIVSKRAFT_SECURE_COOKIES")
        get_settings.cache_clear()


# --- changing one's own password --------------------------------------------------------------

NEW_PASSWORD = "seven lingonberries on a bicycle"


def test_password_change_checks_the_current_one_and_signs_out_elsewhere(app: Any) -> None:
    web = Web.signed_in(app, "tiina@vaasa.fi", "council")
    elsewhere = Web(TestClient(app, follow_redirects=False))
    assert elsewhere.login("tiina@vaasa.fi", PASSWORD).status_code == 303
    page = web.get("/account/password")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.text
    assert 'href="/account/password"' in web.get("/").text, "linked from every page's header"

    r = web.post("/account/password", {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 400 and [f for f, _ in error_summary(r.text)] == ["current"]
    assert NEW_PASSWORD not in r.text and "not my password" not in r.text, "passwords are never echoed"
    r = web.post("/account/password", {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert [f for f, _ in error_summary(r.text)] == ["password"]
    r = web.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert [f for f, _ in error_summary(r.text)] == ["confirm"]
    r = web.post("/account/password", {"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD})
    assert [f for f, _ in error_summary(r.text)] == ["password"]

    r = web.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "Ditt lösenord har bytts" in web.get("/").text, "this session goes on, with a message"
    assert elsewhere.get("/").status_code == 303, "the other session has ended"
    fresh = Web(TestClient(app, follow_redirects=False))
    assert fresh.login("tiina@vaasa.fi", PASSWORD).status_code == 400
    assert fresh.login("tiina@vaasa.fi", NEW_PASSWORD).status_code == 303

    from sqlmodel import select

    from app.audit.models import AuditEvent
    from tests.support import session

    with session() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.resource_id == str(web.user.id)))]
    assert "password_change.failed" in actions and "user.password_changed" in actions


def test_wrong_current_passwords_lock_the_account(app: Any) -> None:
    web = Web.signed_in(app, "tiina@vaasa.fi", "official")
    for _ in range(5):
        r = web.post("/account/password", {"current": "guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "låst" in r.text
    r = web.post("/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 400 and "låst" in r.text, "locked: even the right password is refused"
    fresh = Web(TestClient(app, follow_redirects=False))
    assert fresh.login("tiina@vaasa.fi", PASSWORD).status_code == 400


def test_password_change_needs_a_session_and_the_csrf_token(app: Any, client: TestClient) -> None:
    r = client.get("/account/password", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    web = Web.signed_in(app, "tiina@vaasa.fi", "official")
    r = web.client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert r.status_code == 403

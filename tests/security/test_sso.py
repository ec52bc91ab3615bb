"""Single sign-on (OpenID Connect) in front of the local accounts, against a real provider.

The provider (``tests/security/oidc_provider.py``) is a real server on a loopback port; the app reaches it
over HTTP for discovery, the token and the keys, and the test carries the browser's redirects between
the two. Every refusal must end on the login page with its message and without a session.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from tests.security.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    _free_port,
    running_provider,
    subject_of,
)
from tests.support import make_user, session
from tests.web.support import Web, csrf_of

CALLBACK = "http://testserver/login/sso/callback"
MESSAGES = {
    "state": "Inloggningen tog för lång tid eller påbörjades i ett annat fönster. Försök igen.",
    "idp_error": "Inloggningstjänsten loggade inte in dig. Försök igen eller logga in med ditt lösenord.",
    "token": "Inloggningstjänstens svar kunde inte verifieras. Försök igen; om det händer igen, kontakta din "
    "administratör.",
    "email": "Inloggningstjänsten gav ingen verifierad e-postadress. Kontakta din administratör.",
    "account": "Inget aktivt konto i Livskraft har den e-postadress som inloggningstjänsten gav. Kontakta din "
    "kommuns administratör.",
    "unavailable": "Inloggningstjänsten kan inte nås just nu. Försök igen senare eller logga in med ditt lösenord.",
}


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Settings from these variables while the block runs (the routes read the settings per request)."""
    from app.settings import get_settings

    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


def sso_settings(issuer: str, name: str = "Testportalen") -> dict[str, str]:
    return {
        "LIVSKRAFT_OIDC_ISSUER": issuer,
        "LIVSKRAFT_OIDC_CLIENT_ID": CLIENT_ID,
        "LIVSKRAFT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "LIVSKRAFT_OIDC_DISPLAY_NAME": name,
    }


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as p:
        yield p


@pytest.fixture
def sso(provider: Provider) -> Iterator[Provider]:
    with environment(sso_settings(provider.issuer)):
        yield provider


@pytest.fixture
def browser(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def tiina() -> Any:
    return make_user("905", "tiina@vaasa.fi", "official")


def leave_for_provider(browser: TestClient, provider: Provider, url: str = "/login/sso") -> str:
    """Follow the sign-in button to the provider and back: the callback URL the provider sends to."""
    r = browser.get(url)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith(f"{provider.issuer}/authorize?"), location
    back = httpx.get(location, follow_redirects=False)  # the browser at the provider
    assert back.status_code == 302, back.text
    callback = back.headers["location"]
    assert callback.startswith(CALLBACK + "?"), callback
    return str(callback)


def set_cookie_value(browser: TestClient, name: str, value: str) -> None:
    """Change the value of a cookie the app set (as a user, or an attacker, can in their own browser)."""
    [cookie] = [c for c in browser.cookies.jar if c.name == name]
    cookie.value = value


def sign_in(browser: TestClient, provider: Provider, url: str = "/login/sso") -> httpx.Response:
    return browser.get(leave_for_provider(browser, provider, url))


def sessions() -> list[tuple[str, str]]:
    """(e-mail, municipality code) of every web session."""
    from app.auth.models import User, WebSession
    from app.municipalities.models import Municipality

    with session() as s:
        rows = s.exec(
            select(User.email, Municipality.code)
            .join(WebSession, col(WebSession.user_id) == col(User.id))
            .join(Municipality, col(Municipality.id) == col(User.municipality_id))
        ).all()
    return [(str(e), str(c)) for e, c in rows]


def sign_in_events() -> list[tuple[str, Any]]:
    """(actor, after) of every sign-in by single sign-on recorded in the audit trail."""
    from app.audit.models import AuditEvent

    with session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "login.succeeded")).all()
    return [(r.actor, r.after) for r in rows if (r.after or {}).get("method") == "oidc"]


def binding(email: str) -> tuple[str | None, str | None]:
    """The (issuer, subject) the user with ``email`` is bound to."""
    from app.auth.models import User

    with session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
    return user.sso_issuer, user.sso_subject


def events(action: str) -> list[tuple[str, Any, Any]]:
    """(actor, before, after) of every event of ``action`` in the audit trail, oldest first."""
    from app.audit.models import AuditEvent

    with session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.at))).all()
    return [(r.actor, r.before, r.after) for r in rows]


def assert_refused(
    r: httpx.Response,
    browser: TestClient,
    reason: str,
    next_path: str = "/",
    *,
    sessions_before: list[tuple[str, str]] | None = None,
    events_before: list[tuple[str, Any]] | None = None,
) -> None:
    """Back on the login page with the reason's message, no new session and no new sign-in recorded
    (none at all unless ``sessions_before`` and ``events_before`` say what there was)."""
    assert r.status_code == 303, r.text
    expected = f"/login?sso_error={reason}" + (f"&next={quote(next_path, safe='/')}" if next_path != "/" else "")
    assert r.headers["location"] == expected
    assert "lk_session=" not in r.headers.get("set-cookie", "")
    assert "lk_session" not in browser.cookies
    assert "lk_sso" not in browser.cookies, "the pending sign-in is forgotten"
    assert sessions() == (sessions_before or [])
    assert sign_in_events() == (events_before or [])
    page = browser.get(r.headers["location"])
    assert page.status_code == 200
    assert '<div class="error-summary"' in page.text
    assert f'<a href="#sso">{MESSAGES[reason]}</a>' in page.text
    assert 'id="sso"' in page.text, "the summary's link has somewhere to go"


# --- the happy path --------------------------------------------------------------------------------


def test_sign_in_ends_signed_in_as_the_user_of_the_e_mail_address(
    sso: Provider, browser: TestClient, tiina: Any
) -> None:
    make_user("091", "henrik@hel.fi", "reviewer")
    sso.sign_in_as("henrik@hel.fi")
    page = browser.get("/login")
    assert 'href="/login/sso"' in page.text and "Logga in med Testportalen" in page.text

    r = browser.get("/login/sso")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lk_sso=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/login/sso" in cookie and "Max-Age=600" in cookie
    asked = parse_qs(urlsplit(r.headers["location"]).query)
    assert asked["response_type"] == ["code"] and asked["client_id"] == [CLIENT_ID]
    assert asked["redirect_uri"] == [CALLBACK]
    assert asked["scope"] == ["openid email profile"]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert len(asked["state"][0]) >= 43 and len(asked["nonce"][0]) >= 43 and asked["ui_locales"] == ["sv"]
    assert asked["state"][0] not in cookie, "the cookie is signed, not a copy of the state"

    back = httpx.get(r.headers["location"], follow_redirects=False)
    done = browser.get(back.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "lk_session" in browser.cookies and "lk_sso" not in browser.cookies
    assert sessions() == [("henrik@hel.fi", "091")], "signed in as that user, in that user's municipality"
    dashboard = browser.get("/")
    assert dashboard.status_code == 200 and "Henrik" in dashboard.text and "Logga ut" in dashboard.text
    [(actor, after)] = sign_in_events()
    assert actor == "login:henrik@hel.fi" and after == {"method": "oidc", "issuer": sso.issuer}

    # the same session as a password sign-in: its CSRF token works, and signing out ends it
    web = Web(browser, token=csrf_of(dashboard.text))
    assert web.post("/logout").headers["location"] == "/login"
    assert sessions() == []
    assert browser.get("/").headers["location"] == "/login?next=/"


def test_the_session_lasts_as_a_password_session_does(sso: Provider, browser: TestClient, tiina: Any) -> None:
    from app.auth.models import WebSession
    from app.db.base import utcnow

    sso.sign_in_as("tiina@vaasa.fi")
    assert sign_in(browser, sso).status_code == 303
    with session() as s:
        [row] = s.exec(select(WebSession)).all()
    assert abs(row.expires_at - (utcnow() + timedelta(hours=8))) < timedelta(minutes=1)
    assert row.id != browser.cookies["lk_session"], "only the token's hash is stored"


def test_signing_in_again_ends_the_session_the_browser_had(sso: Provider, browser: TestClient, tiina: Any) -> None:
    """/login/sso is open to a signed-in browser: its new session replaces the one the browser had."""
    make_user("905", "rolf@vaasa.fi", "reviewer")
    sso.sign_in_as("tiina@vaasa.fi")
    assert sign_in(browser, sso).status_code == 303
    first = browser.cookies["lk_session"]
    sso.sign_in_as("rolf@vaasa.fi")
    assert sign_in(browser, sso).status_code == 303
    assert browser.cookies["lk_session"] != first
    assert sessions() == [("rolf@vaasa.fi", "905")], "one session: the browser's earlier one is over"


def test_the_e_mail_address_matches_whatever_its_case(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("  Tiina@VAASA.fi ")
    assert sign_in(browser, sso).headers["location"] == "/"
    assert sessions() == [("tiina@vaasa.fi", "905")]


def test_a_letter_that_only_lowercases_to_another_does_not_match(
    sso: Provider, browser: TestClient, tiina: Any
) -> None:
    """The Kelvin sign (U+212A) lowercases to an ASCII k: a provider vouching for "\u212aalle@…" must not
    sign in as kalle@… (nor the Angstrom sign as å…, nor the theta symbol as θ…)."""
    make_user("905", "kalle@vaasa.fi", "official")
    for spoof in ("\u212aalle@vaasa.fi", "\u212aALLE@vaasa.fi", "kalle@vaasa.\uff46i"):
        browser.cookies.clear()
        sso.sign_in_as(spoof)
        assert_refused(sign_in(browser, sso), browser, "email")


def test_a_non_ascii_address_still_matches_whatever_its_case(sso: Provider, browser: TestClient) -> None:
    make_user("905", "åsa@vaasa.fi", "official")
    sso.sign_in_as("ÅSA@Vaasa.fi")
    assert sign_in(browser, sso).headers["location"] == "/"
    assert sessions() == [("åsa@vaasa.fi", "905")]


def test_a_rotated_key_is_fetched_at_once(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    assert sign_in(browser, sso).status_code == 303  # the keys are now kept by the app
    browser.cookies.clear()
    sso.rotate()
    fetched = sso.jwks_requests
    assert sign_in(browser, sso).headers["location"] == "/"
    assert sso.jwks_requests == fetched + 1, "the unknown kid made the app fetch the keys once more"
    assert len(sessions()) == 2


def test_the_next_page_is_kept_and_other_sites_are_not(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    login = browser.get("/login?next=/portfolio%3Fyear%3D2026")
    assert 'href="/login/sso?next=/portfolio%3Fyear%3D2026"' in login.text
    assert sign_in(browser, sso, "/login/sso?next=/portfolio%3Fyear%3D2026").headers["location"] == (
        "/portfolio?year=2026"
    )
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example"):
        browser.cookies.clear()
        r = sign_in(browser, sso, "/login/sso?next=" + quote(hostile, safe=""))
        assert r.headers["location"] == "/", hostile


# --- the binding to the provider's subject (iss + sub) ----------------------------------------------

TIINA = "tiina@vaasa.fi"
TIINAS_SUBJECT = subject_of(TIINA)


def test_the_first_sign_in_binds_the_user_to_the_provider_s_subject(
    sso: Provider, app: Any, browser: TestClient, tiina: Any
) -> None:
    assert binding(TIINA) == (None, None)
    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    assert binding(TIINA) == (sso.issuer, TIINAS_SUBJECT)
    assert events("user.sso_bound") == [(f"login:{TIINA}", None, {"issuer": sso.issuer, "subject": TIINAS_SUBJECT})], (
        "the binding is in the audit trail, by the sign-in"
    )

    browser.cookies.clear()
    assert sign_in(browser, sso).headers["location"] == "/"
    assert len(events("user.sso_bound")) == 1, "bound once"
    assert len(sign_in_events()) == 2

    admin = Web.signed_in(app, "anna@vaasa.fi", "admin")
    users = admin.get("/admin/users").text
    assert f'{TIINA}<div class="muted">Kopplat till enkel inloggning</div>' in users
    assert users.count("Kopplat till enkel inloggning") == 1, "the admin's own account is not bound"


def test_the_bound_person_signs_in_though_the_provider_changed_the_e_mail_address(
    sso: Provider, browser: TestClient, tiina: Any, caplog: pytest.LogCaptureFixture
) -> None:
    make_user("905", "kalle@vaasa.fi", "official")
    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    for address in ("tiina.virtanen@vaasa.fi", "kalle@vaasa.fi"):  # unknown here, or another user's
        browser.cookies.clear()
        sso.sign_in_as(address, subject=TIINAS_SUBJECT)
        with caplog.at_level(logging.INFO, logger="livskraft.sso"):
            assert sign_in(browser, sso).headers["location"] == "/", address
    assert sessions() == [(TIINA, "905")] * 3, "the subject, not the address, says who signs in"
    assert binding(TIINA) == (sso.issuer, TIINAS_SUBJECT)
    assert binding("kalle@vaasa.fi") == (None, None)
    assert f"user {tiina.id} signed in by the provider's subject with another e-mail address" in caplog.text
    assert len(events("user.sso_bound")) == 1


def test_the_address_of_a_bound_user_with_another_subject_is_refused(
    sso: Provider, browser: TestClient, tiina: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A leaver's address given to a new employee at the provider: another subject, the same address."""
    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    before = sessions(), sign_in_events()
    browser.cookies.clear()
    sso.sign_in_as(TIINA, subject="sub-the-new-employee")
    with caplog.at_level(logging.WARNING, logger="livskraft.sso"):
        r = sign_in(browser, sso)
    assert_refused(r, browser, "account", sessions_before=before[0], events_before=before[1])
    assert binding(TIINA) == (sso.issuer, TIINAS_SUBJECT), "the binding stays"
    [record] = [r for r in caplog.records if r.name == "livskraft.sso" and r.levelno == logging.WARNING]
    message = record.getMessage()
    assert message.startswith("single sign-on refused: account: ") and "bound to another subject" in message
    assert "sso-unbind" in message and "eyJ" not in message, "the reason for the operator, never a token"


def test_a_user_bound_at_another_provider_is_refused(sso: Provider, browser: TestClient, tiina: Any) -> None:
    """The same subject from another issuer is another person (OpenID Connect Core §2: iss + sub)."""
    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    before = sessions(), sign_in_events()
    browser.cookies.clear()
    with running_provider() as other, environment(sso_settings(other.issuer)):
        other.sign_in_as(TIINA)  # the same sub as at the first provider
        assert_refused(sign_in(browser, other), browser, "account", sessions_before=before[0], events_before=before[1])
    assert binding(TIINA) == (sso.issuer, TIINAS_SUBJECT)


def test_a_bound_user_once_deactivated_is_refused(sso: Provider, app: Any, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    admin = Web.signed_in(app, "anna@vaasa.fi", "admin")
    assert admin.post(f"/admin/users/{tiina.id}/deactivate").status_code == 303
    admin.post("/logout")
    before = sessions(), sign_in_events()
    browser.cookies.clear()
    sso.sign_in_as("tiina.virtanen@vaasa.fi", subject=TIINAS_SUBJECT)
    assert_refused(sign_in(browser, sso), browser, "account", sessions_before=before[0], events_before=before[1])


def test_after_an_unbind_a_new_subject_binds(sso: Provider, app: Any, browser: TestClient, tiina: Any) -> None:
    """The provider's account was recreated (a new subject): an admin undoes the binding with the CLI,
    and the next sign-in with the address binds the new subject."""
    from typer.testing import CliRunner

    from app.cli.main import app as cli

    sso.sign_in_as(TIINA)
    assert sign_in(browser, sso).headers["location"] == "/"
    browser.cookies.clear()
    sso.sign_in_as(TIINA, subject="sub-recreated")
    assert sign_in(browser, sso).headers["location"] == "/login?sso_error=account"

    result = CliRunner().invoke(cli, ["users", "sso-unbind", "Tiina@Vaasa.fi"])
    assert result.exit_code == 0, result.output
    assert f"{TIINA} unbound from subject '{TIINAS_SUBJECT}' of {sso.issuer}" in result.stderr
    assert binding(TIINA) == (None, None)
    assert events("user.sso_unbound") == [("cli", {"issuer": sso.issuer, "subject": TIINAS_SUBJECT}, None)]
    admin = Web.signed_in(app, "anna@vaasa.fi", "admin")
    assert "Kopplat till enkel inloggning" not in admin.get("/admin/users").text

    browser.cookies.clear()
    assert sign_in(browser, sso).headers["location"] == "/"
    assert binding(TIINA) == (sso.issuer, "sub-recreated")
    assert [after for _, _, after in events("user.sso_bound")] == [
        {"issuer": sso.issuer, "subject": TIINAS_SUBJECT},
        {"issuer": sso.issuer, "subject": "sub-recreated"},
    ]
    browser.cookies.clear()
    sso.sign_in_as(TIINA)  # the old subject is nobody now
    assert sign_in(browser, sso).headers["location"] == "/login?sso_error=account"


def wait_until_another_waits() -> None:
    """Until a statement of another connection waits for a lock (PostgreSQL). SQLite's writers queue on
    the busy timeout, which nothing shows: a moment is given instead (either way the outcome is checked)."""
    from sqlalchemy import text

    from app.db.engine import get_engine

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.rollback()  # the statistics are a snapshot per transaction
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second sign-in never waited for the first")


def race(app: Any, provider: Provider, first: tuple[str, str], second: tuple[str, str]) -> tuple[TestClient, Any]:
    """Two first sign-ins at once: the first (subject, e-mail) binds in a transaction held open until the
    second's callback (another browser, the real route) waits for it; then the first commits. The
    second browser and its answer."""
    from app.auth import oidc
    from app.db.session import unit_of_work

    browser = TestClient(app, follow_redirects=False)
    provider.sign_in_as(second[1], subject=second[0])
    callback = leave_for_provider(browser, provider)
    answers: list[Any] = []
    with unit_of_work() as s:
        oidc.sign_in(s, provider.issuer, first[0], first[1])
        thread = threading.Thread(target=lambda: answers.append(browser.get(callback)))
        thread.start()
        wait_until_another_waits()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return browser, answers[0]


def test_of_two_first_sign_ins_with_other_subjects_at_once_only_one_binds(sso: Provider, app: Any, tiina: Any) -> None:
    browser, r = race(app, sso, ("sub-first", TIINA), ("sub-second", TIINA))
    with browser:
        first_only = [(f"login:{TIINA}", {"method": "oidc", "issuer": sso.issuer})]
        assert_refused(r, browser, "account", events_before=first_only)
    assert binding(TIINA) == (sso.issuer, "sub-first")
    assert [after for _, _, after in events("user.sso_bound")] == [{"issuer": sso.issuer, "subject": "sub-first"}]


def test_the_same_person_signing_in_twice_at_once_is_bound_once(sso: Provider, app: Any, tiina: Any) -> None:
    browser, r = race(app, sso, (TIINAS_SUBJECT, TIINA), (TIINAS_SUBJECT, TIINA))
    with browser:
        assert r.status_code == 303 and r.headers["location"] == "/", r.text
    assert sessions() == [(TIINA, "905")]
    assert len(sign_in_events()) == 2
    assert len(events("user.sso_bound")) == 1


def test_one_subject_binding_two_users_at_once_binds_one(sso: Provider, app: Any, tiina: Any) -> None:
    """The provider changed the person's address between two sign-ins racing: the subject binds one
    account (the unique issuer and subject), and the second sign-in goes to that account."""
    make_user("905", "kalle@vaasa.fi", "official")
    browser, r = race(app, sso, ("sub-x", TIINA), ("sub-x", "kalle@vaasa.fi"))
    with browser:
        assert r.status_code == 303 and r.headers["location"] == "/", r.text
    assert sessions() == [(TIINA, "905")], "the subject's account"
    assert binding(TIINA) == (sso.issuer, "sub-x") and binding("kalle@vaasa.fi") == (None, None)


def test_two_first_sign_ins_with_other_subjects_through_the_routes_bind_one(
    sso: Provider, app: Any, tiina: Any
) -> None:
    """Both callbacks at once, nothing held: whichever comes first binds, the other is refused."""
    browsers = [TestClient(app, follow_redirects=False) for _ in range(2)]
    callbacks = []
    for n, browser in enumerate(browsers):
        sso.sign_in_as(TIINA, subject=f"sub-{n}")
        callbacks.append(leave_for_provider(browser, sso))
    start = threading.Barrier(2)
    answers: dict[int, Any] = {}

    def finish(n: int) -> None:
        start.wait()
        answers[n] = browsers[n].get(callbacks[n])

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    locations = sorted(answers[n].headers["location"] for n in range(2))
    assert locations == ["/", "/login?sso_error=account"], locations
    [winner] = [n for n in range(2) if answers[n].headers["location"] == "/"]
    assert binding(TIINA) == (sso.issuer, f"sub-{winner}")
    assert len(events("user.sso_bound")) == 1 and sessions() == [(TIINA, "905")]
    for browser in browsers:
        browser.close()


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ({"wrong_nonce": True}, "token"),
        ({"audience": "another-client"}, "token"),
        ({"expired": True}, "token"),
        ({"issued_long_ago": True}, "token"),
        ({"unknown_key": True}, "token"),
        ({"forged_kid": True}, "token"),
        ({"algorithm_none": True}, "token"),
        ({"email_verified": False}, "email"),
        ({"email_verified": "true"}, "email"),
        ({"omit_email": True}, "email"),
        ({"subject": "s" * 256}, "token"),
        ({"subject": "sub\x00with-a-nul"}, "token"),
        ({"refuse": "access_denied"}, "idp_error"),
        ({"token_status": 503}, "unavailable"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else v,
)
def test_a_bad_answer_of_the_provider_is_refused(
    sso: Provider, browser: TestClient, tiina: Any, behaviour: dict[str, Any], reason: str
) -> None:
    sso.sign_in_as("tiina@vaasa.fi", **behaviour)
    assert_refused(sign_in(browser, sso, "/login/sso?next=/portfolio"), browser, reason, "/portfolio")


def test_a_signature_by_an_unknown_key_fetches_the_keys_once_more_then_refuses(
    sso: Provider, browser: TestClient, tiina: Any
) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    sign_in(browser, sso)
    browser.cookies.clear()
    fetched = sso.jwks_requests
    sso.sign_in_as("tiina@vaasa.fi", unknown_key=True)
    r = sign_in(browser, sso)
    assert sso.jwks_requests == fetched + 1
    assert r.headers["location"] == "/login?sso_error=token"


def test_an_unknown_e_mail_address_is_refused(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("someone.else@vaasa.fi")
    assert_refused(sign_in(browser, sso), browser, "account")


def test_a_deactivated_user_is_refused(sso: Provider, app: Any, browser: TestClient, tiina: Any) -> None:
    admin = Web.signed_in(app, "anna@vaasa.fi", "admin")
    assert admin.post(f"/admin/users/{tiina.id}/deactivate").status_code == 303
    admin.post("/logout")
    sso.sign_in_as("tiina@vaasa.fi")
    assert_refused(sign_in(browser, sso), browser, "account")


def test_a_changed_state_is_refused(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    callback = leave_for_provider(browser, sso)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    tampered = callback.replace(quote(state, safe=""), quote(state[:-1] + ("A" if state[-1] != "A" else "B"), safe=""))
    assert tampered != callback
    asked = sso.token_requests
    assert_refused(browser.get(tampered), browser, "state")
    assert sso.token_requests == asked, "the code is not exchanged"


def test_a_changed_cookie_is_refused(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    callback = leave_for_provider(browser, sso)
    value = browser.cookies["lk_sso"]
    set_cookie_value(browser, "lk_sso", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    asked = sso.token_requests
    assert_refused(browser.get(callback), browser, "state")
    assert sso.token_requests == asked, "the code is not exchanged"


def test_a_callback_in_another_browser_is_refused(sso: Provider, app: Any, browser: TestClient, tiina: Any) -> None:
    """Login CSRF: a code and state of the attacker's own sign-in, sent to the victim's browser."""
    sso.sign_in_as("tiina@vaasa.fi")
    callback = leave_for_provider(browser, sso)
    with TestClient(app, follow_redirects=False) as victim:
        assert_refused(victim.get(callback), victim, "state")


def test_a_callback_is_used_once(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi")
    callback = leave_for_provider(browser, sso)
    cookie = browser.cookies["lk_sso"]
    assert browser.get(callback).headers["location"] == "/"
    browser.cookies.clear()
    browser.cookies.set("lk_sso", cookie, path="/login/sso")  # even with the pending sign-in kept
    r = browser.get(callback)
    assert r.headers["location"] == "/login?sso_error=token", "the provider gives a code's token once"
    assert len(sessions()) == 1


def test_an_old_pending_sign_in_is_refused(sso: Provider) -> None:
    from app.auth import oidc
    from app.settings import get_settings

    cfg = oidc.config(get_settings())
    assert cfg is not None
    sealed = oidc.seal(oidc.new_pending(cfg, "/", CALLBACK), "k" * 40)
    assert oidc.unseal(sealed, "k" * 40, cfg).redirect_uri == CALLBACK
    time.sleep(1.1)
    with pytest.raises(oidc.SsoFailed) as refused:
        oidc.unseal(sealed, "k" * 40, cfg, max_age=0)
    assert refused.value.reason == "state"
    with pytest.raises(oidc.SsoFailed):
        oidc.unseal(sealed, "another secret key of forty characters..", cfg)


def test_the_refusal_is_said_in_the_reader_s_language(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("nobody@vaasa.fi")
    r = sign_in(browser, sso)
    browser.cookies.set("lk_lang", "fi")
    assert (
        "Millään aktiivisella Livskraft-tilillä ei ole tunnistuspalvelun antamaa sähköpostiosoitetta."
        in browser.get(r.headers["location"]).text
    )
    browser.cookies.set("lk_lang", "en")
    page = browser.get(r.headers["location"]).text
    assert "No active Livskraft account has the e-mail address the sign-in service gave." in page
    assert "Sign in with Testportalen" in page and "<title>Error: Sign in" in page


def test_an_unreachable_provider_is_said_not_a_server_error(browser: TestClient, tiina: Any) -> None:
    with environment(sso_settings(f"http://127.0.0.1:{_free_port()}")):
        r = browser.get("/login/sso?next=/portfolio")
        assert_refused(r, browser, "unavailable", "/portfolio")


def test_a_provider_gone_after_the_redirect_is_said_not_a_server_error(
    app: Any, browser: TestClient, tiina: Any
) -> None:
    with running_provider() as gone:
        gone.sign_in_as("tiina@vaasa.fi")
        with environment(sso_settings(gone.issuer)):
            callback = leave_for_provider(browser, gone)
    with environment(sso_settings(gone.issuer)):  # the provider has stopped: the token cannot be fetched
        assert_refused(browser.get(callback), browser, "unavailable")


def test_a_slow_provider_is_given_up_on_in_time(
    sso: Provider, browser: TestClient, tiina: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider that answers a byte at a time never trips the read timeout (it is per read): the whole
    exchange has a deadline, so a request (and its place in the database gate) is not held for long."""
    from app.auth import oidc

    monkeypatch.setattr(oidc, "DEADLINE", 1.0)
    sso.sign_in_as("tiina@vaasa.fi", slow=4.0)
    callback = leave_for_provider(browser, sso)
    started = time.monotonic()
    r = browser.get(callback)
    assert time.monotonic() - started < 3.0
    assert_refused(r, browser, "unavailable")


def test_a_nonsensical_answer_is_said_not_a_server_error(sso: Provider, browser: TestClient, tiina: Any) -> None:
    sso.sign_in_as("tiina@vaasa.fi", token_body=b"[" * 100_000)  # too deep for Python's JSON parser
    assert_refused(sign_in(browser, sso), browser, "unavailable")


def test_while_the_provider_is_down_visits_are_refused_without_asking_it_each_time(
    app: Any, browser: TestClient, tiina: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A discovery that failed is not tried again for a short while (each try may hold a connection
    attempt for seconds); once the provider is back, signing in works again."""
    from app.auth import oidc

    monkeypatch.setattr(oidc, "FAILURE_COOLDOWN", 0.5)
    with running_provider() as down, environment(sso_settings(down.issuer)):
        down.discovery_status = 503
        for _ in range(3):
            assert_refused(browser.get("/login/sso"), browser, "unavailable")
        assert down.discovery_requests == 1
        down.discovery_status = 200
        assert_refused(browser.get("/login/sso"), browser, "unavailable")  # still within the pause
        time.sleep(0.6)
        down.sign_in_as("tiina@vaasa.fi")
        signed_in = sign_in(browser, down)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/", signed_in.text
        assert down.discovery_requests == 2


def test_a_discovery_document_of_another_issuer_is_refused(provider: Provider, browser: TestClient) -> None:
    with environment(sso_settings(provider.issuer + "/")):
        assert_refused(browser.get("/login/sso"), browser, "unavailable")


# --- off unless configured -------------------------------------------------------------------------


def test_without_an_issuer_there_is_no_single_sign_on(browser: TestClient, provider: Provider) -> None:
    assert browser.get("/login/sso").status_code == 404
    assert browser.get("/login/sso/callback?code=x&state=y").status_code == 404
    page = browser.get("/login?sso_error=account")
    assert page.status_code == 200
    assert "/login/sso" not in page.text and "error-summary" not in page.text
    assert "Logga in med" not in page.text


def test_without_a_display_name_the_button_says_single_sign_on(provider: Provider, browser: TestClient) -> None:
    with environment(sso_settings(provider.issuer, name="")):
        assert "Logga in med enkel inloggning" in browser.get("/login").text


def test_the_settings_refuse_an_unsafe_or_half_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    def refused(**env: str) -> str:
        with monkeypatch.context() as changed:
            for k, v in env.items():
                changed.setenv(k, v)
            with pytest.raises(ValidationError) as e:
                Settings()
        return str(e.value)

    base = sso_settings("https://login.example.fi/tenant/v2.0")
    for k, v in base.items():
        monkeypatch.setenv(k, v)
    assert Settings().oidc_issuer == "https://login.example.fi/tenant/v2.0"
    assert CLIENT_SECRET not in repr(Settings()), "the secret is not shown"
    assert "LIVSKRAFT_OIDC_CLIENT_ID and LIVSKRAFT_OIDC_CLIENT_SECRET must be set" in refused(
        LIVSKRAFT_OIDC_CLIENT_SECRET=""
    )
    assert "LIVSKRAFT_OIDC_CLIENT_ID" in refused(LIVSKRAFT_OIDC_CLIENT_ID="")
    assert "LIVSKRAFT_OIDC_ISSUER must use https" in refused(LIVSKRAFT_OIDC_ISSUER="http://login.example.fi")
    assert "LIVSKRAFT_OIDC_ISSUER must not have a query" in refused(LIVSKRAFT_OIDC_ISSUER="https://idp.fi/?x=1")
    assert "LIVSKRAFT_OIDC_ISSUER must be at most 500 characters" in refused(  # the user table's column
        LIVSKRAFT_OIDC_ISSUER="https://idp.fi/" + "r" * 486
    )
    assert "LIVSKRAFT_OIDC_ISSUER must be an https URL" in refused(LIVSKRAFT_OIDC_ISSUER="login.example.fi")
    assert "LIVSKRAFT_OIDC_SCOPES must include openid" in refused(LIVSKRAFT_OIDC_SCOPES="email profile")
    monkeypatch.setenv("LIVSKRAFT_OIDC_ISSUER", "http://127.0.0.1:8080")
    assert Settings().oidc_issuer == "http://127.0.0.1:8080", "a loopback provider outside production"

    monkeypatch.setenv("LIVSKRAFT_ENV", "production")
    monkeypatch.setenv("LIVSKRAFT_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE", "false")
    assert "LIVSKRAFT_OIDC_ISSUER must use https in production" in refused(
        LIVSKRAFT_OIDC_ISSUER="http://127.0.0.1:8080"
    )
    monkeypatch.setenv("LIVSKRAFT_OIDC_ISSUER", "https://login.example.fi/tenant/v2.0")
    assert Settings().oidc_client_id == CLIENT_ID

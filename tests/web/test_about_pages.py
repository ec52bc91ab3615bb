"""The accessibility statement and the privacy notice: open to everyone, linked from every page, in the
visitor's language, naming the deployment's operator and contact, and true to what the service does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.support import Web


@pytest.fixture
def anonymous(app: Any) -> TestClient:
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from app.settings import get_settings

    monkeypatch.setenv("LIVSKRAFT_OPERATOR_NAME", "Österbottens förbund")
    monkeypatch.setenv("LIVSKRAFT_CONTACT_EMAIL", "tillganglighet@example.fi")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("LIVSKRAFT_OPERATOR_NAME")
    monkeypatch.delenv("LIVSKRAFT_CONTACT_EMAIL")
    get_settings.cache_clear()


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, html[:300]
    return found.group(1).strip()


def test_both_pages_open_before_sign_in_in_the_visitors_language(anonymous: TestClient) -> None:
    r = anonymous.get("/accessibility")
    assert r.status_code == 200 and h1(r.text) == "Tillgänglighetsredogörelse"
    assert "<title>Tillgänglighetsredogörelse – Livskraft</title>" in r.text
    assert "WCAG" in r.text and "EN 301 549" in r.text and "delvis förenlig" in r.text
    assert 'href="https://www.digg.se/"' in r.text and 'href="https://www.saavutettavuusvaatimukset.fi/"' in r.text
    assert "4 december 2026" in r.text  # when the statement was prepared, as a date in the page's language
    r = anonymous.get("/privacy", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    assert r.status_code == 200 and h1(r.text) == "Tietosuojaseloste" and '<html lang="fi">' in r.text
    assert "6 artiklan 1 kohdan e alakohta" in r.text and "Tietosuojavaltuutetun toimisto" in r.text
    r = anonymous.get("/accessibility", headers={"Cookie": "lk_lang=en"})
    assert h1(r.text) == "Accessibility statement"


def test_every_page_links_to_both_from_its_footer(anonymous: TestClient, app: Any) -> None:
    login_page = anonymous.get("/login").text
    official = Web.signed_in(app, "tiina@vaasa.fi")
    dashboard = official.get("/").text
    for html in (login_page, dashboard):
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="/accessibility"' in footer and 'href="/privacy"' in footer
    page = official.get("/privacy")
    assert 'href="/privacy" aria-current="page"' in page.text
    assert "Logga ut" in page.text  # a signed-in visitor keeps the header and can sign out from it


def test_without_configuration_the_pages_send_people_to_their_administrators(anonymous: TestClient) -> None:
    text = anonymous.get("/accessibility").text
    assert "Organisationen som driver tjänsten vill att alla" in text
    assert "kontakta din kommuns administratörer av Livskraft" in text
    assert "mailto:" not in text and "@" not in text.split("<main", 1)[1].split("</main>", 1)[0]


def test_operator_and_contact_come_from_the_settings(anonymous: TestClient, configured: None) -> None:
    text = anonymous.get("/accessibility").text
    assert "Österbottens förbund vill att alla ska kunna använda Livskraft" in text
    assert "skriv till tillganglighet@example.fi" in text
    text = anonymous.get("/privacy", headers={"Cookie": "lk_lang=en"}).text
    assert "Österbottens förbund runs the service for them" in text
    assert "Ask at tillganglighet@example.fi." in text


def test_markup_in_the_settings_is_shown_as_text(anonymous: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import get_settings

    monkeypatch.setenv("LIVSKRAFT_OPERATOR_NAME", "<script>alert(1)</script>")
    get_settings.cache_clear()
    try:
        text = anonymous.get("/privacy").text
    finally:
        monkeypatch.delenv("LIVSKRAFT_OPERATOR_NAME")
        get_settings.cache_clear()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_cookie_table_names_every_cookie_the_service_sets(app: Any, anonymous: TestClient) -> None:
    """The notice says which cookies there are: every cookie name the code defines is in its table, and
    every cookie a real visit receives (sign-in page, sign-in, a saved form, a language choice) is one of
    them."""
    from app.web import deps, routes_auth, security

    defined = {deps.SESSION_COOKIE, deps.LANG_COOKIE, deps.FLASH_COOKIE, security.ANON_CSRF_COOKIE}
    defined.add(routes_auth.SSO_COOKIE)
    table = anonymous.get("/privacy").text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    listed = set(re.findall(r"<code>([a-z_]+)</code>", table))
    assert listed == defined
    received: set[str] = set()
    web = Web(TestClient(app, follow_redirects=False))
    received.update(web.client.get("/login").cookies.keys())
    from tests.support import make_user
    from tests.web.support import PASSWORD

    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    received.update(web.login("tiina@vaasa.fi", PASSWORD).cookies.keys())
    received.update(web.get("/language?lang=fi&next=/").cookies.keys())
    web.new_assessment("KS 2026/70")
    received.update(web.last.cookies.keys())
    assert received >= {"lk_csrf", "lk_session", "lk_lang"}
    assert received <= listed
    # the session cookie's lifetime as the notice gives it (8 hours by default)
    assert "<td>8 timmar</td>" in table


def test_the_notice_says_sign_ins_are_recorded_as_the_service_records_them(app: Any, anonymous: TestClient) -> None:
    """Every sign-in, failed sign-in and password change of an account is an event of the audit trail,
    under the account's e-mail address: the notice says so, in every language."""
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from app.db.session import unit_of_work
    from tests.support import make_user
    from tests.web.support import PASSWORD

    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    web = Web(TestClient(app, follow_redirects=False))
    web.login("tiina@vaasa.fi", "not the password")
    web.login("tiina@vaasa.fi", PASSWORD)
    with unit_of_work() as session:
        events = session.exec(select(AuditEvent.action, AuditEvent.actor)).all()
    logins = {action for action, actor in events if "tiina@vaasa.fi" in actor}
    assert {"login.failed", "login.succeeded"} <= logins
    said = {
        "sv": "Varje inloggning, misslyckad inloggning",
        "fi": "Jokainen kirjautuminen, epäonnistunut kirjautuminen",
        "en": "Every sign-in, failed sign-in",
    }
    for lang, text in said.items():
        assert text in anonymous.get("/privacy", headers={"Cookie": f"lk_lang={lang}"}).text, lang


def test_the_csrf_cookie_is_described_for_every_form_that_sets_it(app: Any, anonymous: TestClient) -> None:
    """``lk_csrf`` guards every form shown before sign-in: the sign-in and the invitation's (where a new
    user chooses a password); the notice names both."""
    from tests.web.support import Web as Signed

    admin = Signed.signed_in(app, "anna@vaasa.fi", "admin")
    r = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "official"})
    link = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text)
    assert link
    assert "lk_csrf" in TestClient(app, follow_redirects=False).get(link.group(1)).cookies
    said = {"sv": "inbjudan", "fi": "kutsu", "en": "invitation"}
    for lang, word in said.items():
        table = anonymous.get("/privacy", headers={"Cookie": f"lk_lang={lang}"}).text.split("<tbody>", 1)[1]
        row = next(r for r in table.split("</tr>") if "<code>lk_csrf</code>" in r)
        assert word in row, (lang, row)

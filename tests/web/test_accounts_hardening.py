"""Accounts, hardened: a sign-in never tells whether an address has an account (not even a locked one),
new passwords that are easy to guess are refused, one open invitation per address that an admin can
revoke, the invitation's role mid-sentence, and the PDF's file name naming its language."""

from __future__ import annotations

import re
import statistics
import time
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from tests.support import make_user, session
from tests.web.support import PASSWORD, Web, csrf_of, error_summary

# --- 1. no account enumeration through the sign-in ----------------------------------------------


def _failed_page(app: Any, email: str, password: str) -> Any:
    return Web(TestClient(app, follow_redirects=False)).login(email, password)


def _comparable(html: str, email: str) -> str:
    """The page without what differs by design: the CSRF token and the address typed."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html).replace(email, "EMAIL")


def test_a_locked_account_answers_as_an_unknown_address(app: Any) -> None:
    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    for _ in range(5):
        _failed_page(app, "tiina@vaasa.fi", "wrong password!")
    locked = _failed_page(app, "tiina@vaasa.fi", PASSWORD)  # locked: even the right password is refused
    assert locked.status_code == 400 and error_summary(locked.text)[0][0] == "email"
    unknown = _failed_page(app, "nobody@vaasa.fi", PASSWORD)
    wrong = _failed_page(app, "goran@vaasa.fi", "x" * 12)
    assert unknown.status_code == wrong.status_code == 400
    assert _comparable(locked.text, "tiina@vaasa.fi") == _comparable(unknown.text, "nobody@vaasa.fi")
    assert _comparable(locked.text, "tiina@vaasa.fi") == _comparable(wrong.text, "goran@vaasa.fi")
    assert "låst" not in locked.text
    # what a locked-out person needs to know is said to everyone whose sign-in failed, next to the field
    assert "Efter 5 misslyckade försök i rad pausas inloggningen till kontot i 15 minuter" in unknown.text
    assert 'aria-describedby="password-hint' in unknown.text
    assert _failed_page(app, "tiina@vaasa.fi", PASSWORD).status_code == 400, "still locked"


def test_the_lockout_hint_in_finnish_and_english(app: Any) -> None:
    for lang, words in (("fi", "tilille kirjautuminen keskeytetään 15 minuutiksi"), ("en", "paused for 15 minutes")):
        web = Web(TestClient(app, follow_redirects=False))
        web.client.get(f"/language?lang={lang}")
        r = web.login("nobody@vaasa.fi", "wrong password!")
        assert r.status_code == 400 and words in r.text


def test_the_locked_path_costs_the_same_argon2_work(app: Any) -> None:
    """A locked account was answered without hashing: measurably faster than an unknown address."""
    from app.auth import users
    from app.auth.models import User

    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)

    def timed(email: str) -> float:
        with session() as s:
            start = time.perf_counter()
            users.authenticate(s, email, "wrong password!")
            elapsed = time.perf_counter() - start
            s.rollback()
        return elapsed

    with session() as s:
        user = s.exec(select(User).where(User.email == "tiina@vaasa.fi")).one()
        from app.db.base import utcnow

        user.locked_until = utcnow().replace(year=utcnow().year + 1)
        s.add(user)
        s.commit()
    with session() as s:
        assert users.authenticate(s, "tiina@vaasa.fi", PASSWORD) == (None, "locked")
        s.rollback()
    locked = statistics.median(timed("tiina@vaasa.fi") for _ in range(5))
    unknown = statistics.median(timed("nobody@vaasa.fi") for _ in range(5))
    assert locked > 0.5 * unknown, (locked, unknown)


# --- 2. passwords that are easy to guess ------------------------------------------------------------


def _invite(admin: Web, email: str, role: str = "official") -> str:
    r = admin.post("/admin/invitations", {"email": email, "role": role})
    assert r.status_code == 200, r.text
    return str(re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text).group(1))


def _accept(app: Any, link: str, password: str, name: str = "Nina Ny") -> Any:
    guest = TestClient(app, follow_redirects=False)
    page = guest.get(link)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_of(page.text), "name": name, "password": password, "confirm": password}
    return guest.post(link, data=data)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("password1234", "ett av de vanligaste"),
        ("Sommar2026!!!", "ett av de vanligaste"),
        ("aaaaaaaaaaaa", "upprepar tecken"),
        ("123456789012", "upprepar tecken"),
        ("nina.nyberg2026", "ditt namn eller din e-postadress"),
        ("Livskraft2026!", "Livskrafts namn"),
        ("Vasa123456789", "kommunens"),
    ],
)
def test_an_invitation_refuses_a_password_easy_to_guess(admin: Web, app: Any, password: str, words: str) -> None:
    link = _invite(admin, "nina.nyberg@vaasa.fi")
    r = _accept(app, link, password)
    assert r.status_code == 400
    assert [f for f, _ in error_summary(r.text)] == ["password"]
    assert words in r.text and 'value="Nina Ny"' in r.text, "the name typed is kept"
    assert _accept(app, link, "tre ord som inte hör ihop").status_code == 303, "the invitation still works"


def test_an_invitation_in_finnish_names_the_problem(admin: Web, app: Any) -> None:
    link = _invite(admin, "ny@vaasa.fi")
    guest = TestClient(app, follow_redirects=False)
    guest.get("/language?lang=fi")
    page = guest.get(link)
    data = {"csrf_token": csrf_of(page.text), "name": "N", "password": "password1234", "confirm": "password1234"}
    r = guest.post(link, data=data)
    assert r.status_code == 400 and "Salasana on yksi yleisimmistä" in r.text


def test_a_password_change_refuses_a_common_password(app: Any) -> None:
    web = Web.signed_in(app, "tiina@vaasa.fi", "official")
    r = web.post("/account/password", {"current": PASSWORD, "password": "qwertyuiop12", "confirm": "qwertyuiop12"})
    assert r.status_code == 400 and [f for f, _ in error_summary(r.text)] == ["password"]
    assert "ett av de vanligaste" in r.text
    r = web.post("/account/password", {"current": PASSWORD, "password": "tiina12345678", "confirm": "tiina12345678"})
    assert r.status_code == 400 and "ditt namn eller din e-postadress" in r.text
    good = "fyra ord som inte hör ihop"
    assert web.post("/account/password", {"current": PASSWORD, "password": good, "confirm": good}).status_code == 303


def test_a_short_password_typed_differently_twice_names_both_problems_at_once(admin: Web, app: Any) -> None:
    """Before, only the length was named; the mismatch came up in a second round."""
    web = Web.signed_in(app, "tiina@vaasa.fi", "official")
    r = web.post("/account/password", {"current": PASSWORD, "password": "kort", "confirm": "kortare"})
    assert r.status_code == 400
    assert [f for f, _ in error_summary(r.text)] == ["password", "confirm"]
    assert "minst 12 tecken" in r.text and "Lösenorden stämmer inte överens" in r.text
    link = _invite(admin, "nils@vaasa.fi")
    guest = TestClient(app, follow_redirects=False)
    page = guest.get(link)
    data = {"csrf_token": csrf_of(page.text), "name": "Nils", "password": "kort", "confirm": "kortare"}
    r = guest.post(link, data=data)
    assert r.status_code == 400 and [f for f, _ in error_summary(r.text)] == ["password", "confirm"]
    data = {"csrf_token": csrf_of(page.text), "name": "Nils", "password": "x" * 257, "confirm": "x" * 257}
    r = guest.post(link, data=data)
    assert r.status_code == 400 and "högst 256 tecken" in r.text


def test_the_cli_reset_refuses_a_common_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli.main import app as cli

    make_user("905", "tiina@vaasa.fi", "official", PASSWORD)
    runner = CliRunner()
    monkeypatch.setenv("LK_NEW_PASSWORD", "password1234")
    result = runner.invoke(
        cli, ["users", "reset-password", "--email", "tiina@vaasa.fi", "--password-env", "LK_NEW_PASSWORD"]
    )
    assert result.exit_code != 0 and "most commonly used" in result.output
    monkeypatch.setenv("LK_NEW_PASSWORD", "ett helt annat lösenord")
    result = runner.invoke(
        cli, ["users", "reset-password", "--email", "tiina@vaasa.fi", "--password-env", "LK_NEW_PASSWORD"]
    )
    assert result.exit_code == 0, result.output


def test_what_is_weak_and_what_is_not() -> None:
    from app.auth.passwords import context_words, weakness

    context = context_words("tiina.virtanen@vaasa.fi", "Tiina Virtanen", "Vaasa", "Vasa")
    assert weakness("correct horse battery staple", context) is None
    assert weakness("kesäloma mökillä 2026", context) is None
    assert weakness("Livskraft är toppen 2026", context) is None, "a context word among others is fine"
    assert weakness("salasana1234", context) == "common"
    assert weakness("PASSWORD1234", context) == "common"
    assert weakness("abcabcabcabc", context) == "pattern"
    assert weakness("passwordpassword", context) == "pattern"
    assert weakness("abcdefghijkl", context) == "pattern"
    assert weakness("tiina.virtanen1", context) == "context"
    assert weakness("Vaasa2026password", context) == "context"


# --- 3. invitations: one open per address, revocable, worded right ------------------------------


def _events(action: str) -> list[Any]:
    from app.audit.models import AuditEvent

    with session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_inviting_an_address_again_replaces_its_invitation(admin: Web, app: Any) -> None:
    first = _invite(admin, "ny@vaasa.fi", "official")
    second_page = admin.post("/admin/invitations", {"email": "NY@vaasa.fi", "role": "reviewer"})
    assert "Den tidigare inbjudan till ny@vaasa.fi har återkallats" in second_page.text
    second = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", second_page.text).group(1)
    assert TestClient(app).get(first).status_code == 404, "the replaced link no longer works"
    listing = admin.get("/admin/users").text
    assert listing.count("<td>ny@vaasa.fi</td>") == 1
    revoked = _events("user.invitation_revoked")
    assert len(revoked) == 1 and revoked[0].before["role"] == "official" and "replaced_by" in revoked[0].after
    assert _accept(app, second, "tre ord som inte hör ihop").status_code == 303
    web = Web(TestClient(app, follow_redirects=False))
    assert web.login("ny@vaasa.fi", "tre ord som inte hör ihop").status_code == 303
    assert "Granskare" in web.get("/").text, "the role of the newest invitation"


def test_an_admin_revokes_an_invitation(admin: Web, app: Any) -> None:
    link = _invite(admin, "ny@vaasa.fi", "admin")
    listing = admin.get("/admin/users").text
    action = re.search(r'action="(/admin/invitations/[0-9a-f-]{36}/revoke)"', listing).group(1)
    assert 'Återkalla<span class="visually-hidden"> inbjudan till ny@vaasa.fi</span>' in listing
    refused = admin.client.post(action, data={"csrf_token": "forged"})
    assert refused.status_code in (400, 403) and TestClient(app).get(link).status_code == 200, "CSRF is checked"
    other = Web.signed_in(app, "admin@kokkola.fi", "admin", code="272")
    assert other.post(action).status_code == 404, "another municipality's admin cannot"
    r = admin.post(action)
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?revoked=1"
    assert TestClient(app).get(link).status_code == 404
    page = admin.get(r.headers["location"]).text
    assert "Inbjudan har återkallats" in page and "<td>ny@vaasa.fi</td>" not in page
    [event] = _events("user.invitation_revoked")
    assert event.before["email"] == "ny@vaasa.fi" and event.before["role"] == "admin" and event.after is None
    again = admin.post(action)  # a second click, or a second admin: revoked already, nothing more happens
    assert again.status_code == 303 and again.headers["location"] == "/admin/users?revoked=1"
    assert len(_events("user.invitation_revoked")) == 1, "recorded once"
    assert other.post(action).status_code == 404, "still not another municipality's"
    _invite(admin, "ny@vaasa.fi", "official")  # invited again: what a revocation by mistake needs


def test_an_accepted_invitation_cannot_be_revoked(admin: Web, app: Any) -> None:
    link = _invite(admin, "ny@vaasa.fi")
    assert _accept(app, link, "tre ord som inte hör ihop").status_code == 303
    listing = admin.get("/admin/users").text
    assert "/revoke" not in listing.split('id="invitations-caption"')[1]


def test_inviting_an_address_with_an_account_is_refused_clearly(admin: Web, official: Web) -> None:
    r = admin.post("/admin/invitations", {"email": "Tiina@vaasa.fi", "role": "reviewer"})
    assert r.status_code == 422
    assert error_summary(r.text) == [("email", "Tiina@vaasa.fi har redan ett konto i Livskraft och kan inte bjudas in")]
    assert _events("user.invited") == []


@pytest.mark.parametrize(
    ("lang", "role", "words"),
    [
        ("sv", "official", "som tjänsteperson med"),
        ("sv", "council", "som förtroendevald (endast läsrätt) med"),
        ("fi", "official", "Livskraftiin valmistelijaksi"),
        ("fi", "reviewer", "Livskraftiin tarkastajaksi"),
        ("en", "official", "as an official with"),
        ("en", "admin", "as an administrator with"),
    ],
)
def test_the_invitation_names_the_role_mid_sentence(admin: Web, app: Any, lang: str, role: str, words: str) -> None:
    link = _invite(admin, "ny@vaasa.fi", role)
    guest = TestClient(app, follow_redirects=False)
    guest.get(f"/language?lang={lang}")
    assert words in guest.get(link).text


# --- 4. the PDF's file name names its language --------------------------------------------------


def _filename(response: Any) -> str:
    disposition = response.headers["content-disposition"]
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_the_pdf_file_name_names_the_language_and_the_archival_variant(official: Web) -> None:
    aid = official.new_assessment(case_number="KS 2026/1")
    sv = official.get(f"/assessments/{aid}/report.pdf?lang=sv")
    fi = official.get(f"/assessments/{aid}/report.pdf?lang=fi")
    a3 = official.get(f"/assessments/{aid}/report.pdf?lang=fi&variant=a3")
    assert _filename(sv) == "livskraft-KS-2026-1-v1-sv.pdf"
    assert _filename(fi) == "livskraft-KS-2026-1-v1-fi.pdf"
    assert _filename(a3) == "livskraft-KS-2026-1-v1-fi-a3.pdf"
    assert 'filename="livskraft-KS-2026-1-v1-fi-a3.pdf"' in a3.headers["content-disposition"]
    portfolio = official.get("/portfolio?date_from=2026-01-01&date_to=2026-12-31&report_lang=en")
    assert _filename(portfolio) == "livskraft-portfolio-2026-01-01-2026-12-31-en.pdf"

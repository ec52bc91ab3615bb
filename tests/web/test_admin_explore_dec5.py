"""What an administrator met on the admin pages, found by exploring them: a name over its limit shown as
typed (never cut short), a tab pasted into a name, a deactivation sent twice recorded once, and an
invitation accepted before the admin revoked it."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from app.audit.repository import chain
from app.db.session import unit_of_work
from app.municipalities.repository import by_code
from tests.web.support import Web, csrf_of, error_summary

LONG_NAME = "Ärendehanteringssystemet för kommunstyrelsen " * 6  # 276 characters, over the limit of 200


def _value(page: str, field: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{field}"[^>]*\bvalue="([^"]*)"', page)
    assert found, f"no input {field}"
    return html.unescape(found.group(1))


def test_a_token_name_over_the_limit_is_shown_whole(admin: Web) -> None:
    """It came back cut to 201 characters: the end of what was typed was lost."""
    r = admin.post("/admin/tokens", {"name": LONG_NAME, "scopes": ["read"]})
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["name"]
    assert _value(r.text, "name") == LONG_NAME.strip()


def test_an_invited_person_s_name_over_the_limit_is_shown_whole(admin: Web, app: Any) -> None:
    r = admin.post("/admin/invitations", {"email": "lang@vaasa.fi", "role": "official"})
    link = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text).group(1)
    guest = TestClient(app, follow_redirects=False)
    page = guest.get(link)
    password = "tre orelaterade ord i rad"
    r = guest.post(
        link,
        data={"csrf_token": csrf_of(page.text), "name": LONG_NAME, "password": password, "confirm": password},
    )
    assert r.status_code == 400
    assert [f for f, _ in error_summary(r.text)] == ["name"]
    assert _value(r.text, "name") == LONG_NAME.strip()


def test_deactivating_an_account_twice_records_it_once(admin: Web, official: Web) -> None:
    """Two tabs (or two admins) with the question open: the second "Deactivate" recorded a second
    ``user.deactivated`` of an account already deactivated."""
    uid = str(official.user.id)
    page = admin.get(f"/admin/users/{uid}/deactivate")
    assert page.status_code == 200
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 303
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 303
    with unit_of_work(write=False) as s:
        municipality = by_code(s, "905")
        assert municipality is not None
        events = [e for e in chain(s, municipality.id) if e.action == "user.deactivated"]
    assert [e.resource_id for e in events] == [uid]


def test_revoking_an_invitation_accepted_meanwhile_says_so(admin: Web, app: Any) -> None:
    """The person accepted while the admin's page was open; "Revoke" then showed "Page not found … or it
    belongs to another municipality". Now the users page says the invitation had been accepted and how
    to take the access away; nothing is revoked or recorded."""
    r = admin.post("/admin/invitations", {"email": "snabb@vaasa.fi", "role": "official"})
    link = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text).group(1)
    [iid] = re.findall(r"/admin/invitations/([0-9a-f-]{36})/revoke", admin.get("/admin/users").text)
    guest = TestClient(app, follow_redirects=False)
    password = "tre orelaterade ord i rad"
    form = {"csrf_token": csrf_of(guest.get(link).text), "name": "Sara Snabb", "password": password}
    assert guest.post(link, data=form | {"confirm": password}).status_code == 303
    r = admin.post(f"/admin/invitations/{iid}/revoke")
    assert (r.status_code, r.headers["location"]) == (303, "/admin/users?revoked=accepted")
    page = admin.get(r.headers["location"])
    assert page.status_code == 200
    assert "Inbjudan hade redan tagits emot" in page.text and "Inaktivera kontot för att ta bort" in page.text
    assert "Inbjudan har återkallats" not in page.text
    assert Web(TestClient(app, follow_redirects=False)).login("snabb@vaasa.fi", password).status_code == 303
    with unit_of_work(write=False) as s:
        municipality = by_code(s, "905")
        assert municipality is not None
        assert not [e for e in chain(s, municipality.id) if e.action == "user.invitation_revoked"]


def test_a_tab_pasted_into_a_name_is_a_space_not_a_refusal(admin: Web, official: Web, app: Any) -> None:
    """A browser keeps a tab pasted (from a spreadsheet) into a text input. A token's name with one got
    the bare "Check your answers" page, the form and what was typed gone; a user's new name was refused
    as "too long, at most 200 characters"; an invited person's name as "The account could not be
    created; ask your administrator"."""
    r = admin.post("/admin/tokens", {"name": "Diarium\tärendehantering", "scopes": ["read"]})
    assert r.status_code == 200, r.text
    assert "Diarium ärendehantering" in admin.get("/admin/tokens").text
    r = admin.post("/admin/users", {"user_id": str(official.user.id), "name": "Tiina\tTjänsteperson\r\n"})
    assert r.status_code == 303, error_summary(r.text)
    assert ">Tiina Tjänsteperson<" in admin.get("/admin/users").text
    r = admin.post("/admin/invitations", {"email": "tabb@vaasa.fi", "role": "official"})
    link = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text).group(1)
    guest = TestClient(app, follow_redirects=False)
    password = "tre orelaterade ord i rad"
    form = {"csrf_token": csrf_of(guest.get(link).text), "name": "Tove\tTabell", "password": password}
    r = guest.post(link, data=form | {"confirm": password})
    assert r.status_code == 303, error_summary(r.text)
    assert ">Tove Tabell<" in admin.get("/admin/users").text

"""An admin changes a user's name (the name shown in the users list, the review pages and the audit
trail from then on) on the users page (``/admin/users?change=<user id>``, posted to ``/admin/users``):
CSRF-checked, within the admin's own municipality only, the name validated with what was typed kept,
and the change recorded in the audit trail."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from sqlmodel import select

from tests.web.support import Web, error_summary

NEW_NAME = "Tiina Virtanen-Sjöberg"


def _events(action: str) -> list[Any]:
    from app.audit.models import AuditEvent
    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _name_of(user_id: Any) -> str:
    from app.auth.models import User
    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        user = s.get(User, user_id)
        assert user is not None
        return user.name


def test_an_admin_renames_a_user_from_the_users_page(admin: Web, official: Web) -> None:
    uid = official.user.id
    users = admin.get("/admin/users").text
    hidden = f'<span class="visually-hidden"> på {official.user.name}</span>'
    link = f'<a href="/admin/users?change={uid}#name">Ändra namnet{hidden}</a>'
    assert link in users and 'name="user_id"' not in users
    form = admin.get(f"/admin/users?change={uid}")
    assert form.status_code == 200 and "<title>Ändra namnet på tiina@vaasa.fi – Användare" in form.text
    assert f'value="{official.user.name}"' in form.text and f'name="user_id" value="{uid}"' in form.text
    r = admin.post("/admin/users", {"user_id": str(uid), "name": f"  {NEW_NAME} "})
    assert r.status_code == 303 and r.headers["location"] == "/admin/users"
    users = admin.get("/admin/users").text
    assert "Namnet har ändrats." in users and f"<td>{NEW_NAME}<div>" in users
    assert _name_of(uid) == NEW_NAME
    (event,) = _events("user.renamed")
    assert event.resource_type == "user" and event.resource_id == str(uid)
    assert event.before == {"name": official.user.name} and event.after == {"name": NEW_NAME}
    assert event.actor_user_id == admin.user.id
    # what the user does from now on carries the new name
    aid = official.new_assessment()
    history = official.get(f"/assessments/{aid}/history").text
    assert f"<td>{NEW_NAME}</td>" in history and "&lt;tiina@vaasa.fi&gt;" not in history  # by name alone
    # the same name again changes nothing and records nothing
    assert admin.post("/admin/users", {"user_id": str(uid), "name": NEW_NAME}).status_code == 303
    assert len(_events("user.renamed")) == 1


@pytest.mark.parametrize(
    ("lang", "required", "too_long"),
    [
        ("sv", "Ange personens namn", "Namn: texten är för lång, högst 200 tecken"),
        ("fi", "Anna henkilön nimi", "Nimi: teksti on liian pitkä, enintään 200 merkkiä"),
        ("en", "Enter the person's name", "Name: the text is too long, at most 200 characters"),
    ],
)
def test_a_name_is_validated_and_what_was_typed_kept(
    admin: Web, official: Web, lang: str, required: str, too_long: str
) -> None:
    uid = official.user.id
    admin.get(f"/language?lang={lang}")
    r = admin.post("/admin/users", {"user_id": str(uid), "name": "   "})
    assert r.status_code == 422 and [(f, unescape(m)) for f, m in error_summary(r.text)] == [("name", required)]
    long_name = "Å" * 201
    r = admin.post("/admin/users", {"user_id": str(uid), "name": long_name})
    assert r.status_code == 422 and error_summary(r.text) == [("name", too_long)]
    assert f'value="{long_name}"' in r.text, "all of what was typed is kept"
    assert r.text.count('aria-invalid="true"') == 1
    assert _name_of(uid) == official.user.name and _events("user.renamed") == []


def test_another_municipalitys_user_is_not_found(admin: Web, app: Any) -> None:
    stranger = Web.signed_in(app, "h@hel.fi", "official", code="091")
    assert admin.get(f"/admin/users?change={stranger.user.id}").status_code == 404
    assert admin.post("/admin/users", {"user_id": str(stranger.user.id), "name": "Kapad"}).status_code == 404
    for unknown in ("", "nobody", "00000000-0000-0000-0000-000000000000"):
        assert admin.post("/admin/users", {"user_id": unknown, "name": "Kapad"}).status_code == 404
    assert admin.get("/admin/users?change=nobody").status_code == 404
    assert _name_of(stranger.user.id) == stranger.user.name and _events("user.renamed") == []
    assert str(stranger.user.id) not in admin.get("/admin/users").text


def test_only_an_admin_with_the_forms_token_renames(admin: Web, official: Web, reviewer: Web) -> None:
    uid = str(reviewer.user.id)
    for web in (official, reviewer):
        assert web.get(f"/admin/users?change={uid}").status_code == 403
        assert web.post("/admin/users", {"user_id": uid, "name": "Självvalt namn"}).status_code == 403
    r = admin.client.post("/admin/users", data={"user_id": uid, "name": "Förfalskat", "csrf_token": "not-the-token"})
    assert r.status_code == 403
    assert admin.client.post("/admin/users", data={"user_id": uid, "name": "Förfalskat"}).status_code == 403
    assert _name_of(reviewer.user.id) == reviewer.user.name and _events("user.renamed") == []

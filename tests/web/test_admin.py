"""Admin pages: invite a person who then signs in; API tokens shown once, revoked; others refused."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.support import Web, csrf_of, error_summary


def test_invitation_to_sign_in(admin: Web, app: Any) -> None:
    r = admin.post("/admin/invitations", {"email": "", "role": ""})
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["email", "role"]
    r = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "reviewer"})
    assert r.status_code == 200
    link = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", r.text).group(1)
    guest = TestClient(app, follow_redirects=False)
    page = guest.get(link)
    assert page.status_code == 200 and "ny@vaasa.fi" in page.text
    r = guest.post(
        link, data={"csrf_token": csrf_of(page.text), "name": "Nina Ny", "password": "kort", "confirm": "kort"}
    )
    assert r.status_code == 400 and 'value="Nina Ny"' in r.text
    r = guest.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Nina Ny",
            "password": "långt lösenord här",
            "confirm": "långt lösenord här",
        },
    )
    assert r.status_code == 303
    assert guest.get(link).status_code == 404, "an invitation works once"
    web = Web(TestClient(app, follow_redirects=False))
    assert web.login("ny@vaasa.fi", "långt lösenord här").status_code == 303
    assert "Granskare" in web.get("/").text


def test_tokens_are_shown_once_and_can_be_revoked(admin: Web, client: TestClient) -> None:
    r = admin.post("/admin/tokens", {"name": "Diarium", "scopes": ["read", "write"]})
    assert r.status_code == 200
    token = re.search(r'id="new-token">(lk_[^<]+)<', r.text).group(1)
    assert client.get("/api/v1/decisions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = admin.get("/admin/tokens")
    assert token not in listing.text and token[:10] in listing.text
    token_id = re.search(r"/admin/tokens/([0-9a-f-]{36})/revoke", listing.text).group(1)
    assert admin.post(f"/admin/tokens/{token_id}/revoke").status_code == 303
    assert client.get("/api/v1/decisions", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_deactivated_user_is_signed_out(admin: Web, official: Web) -> None:
    users = admin.get("/admin/users").text
    uid = re.search(r"/admin/users/([0-9a-f-]{36})/deactivate", users).group(1)
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 303
    assert official.get("/").status_code == 303


def test_only_admins(official: Web, reviewer: Web) -> None:
    for web in (official, reviewer):
        assert web.get("/admin/users").status_code == 403
        assert web.post("/admin/tokens", {"name": "x", "scopes": ["read"]}).status_code == 403

"""The audit trail's events of administration — API tokens, webhook subscriptions, user accounts and
invitations, sign-ins — are listed by ``GET /audit-events`` only to callers with the admin right (as the
routes and pages that manage them are); every other caller sees the rest of the trail, paged alike."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support import Api, make_token, make_user
from tests.web.support import PASSWORD, Web

ADMINISTRATIVE = {"token.created", "token.revoked", "user.created", "user.invited", "login.succeeded", "login.failed"}


def _events(api: Api, **params: Any) -> list[dict[str, Any]]:
    """The whole trail as ``api`` sees it, one event a page (so paging is checked too)."""
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 1, **params, **({"cursor": cursor} if cursor else {})}
        r = api.get("/api/v1/audit-events", params=query)
        assert r.status_code == 200, r.text
        events += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return events


def test_events_of_administration_are_listed_to_admins_only(client: Any, app: Any) -> None:
    # administration through the web, as an admin does it: sign-ins, an invitation, a token made and revoked
    admin_web = Web.signed_in(app, "anna@vaasa.fi", "admin", code="905")  # user.created, login.succeeded
    assert Web(TestClient(app, follow_redirects=False)).login("anna@vaasa.fi", "wrong " + PASSWORD).status_code != 303
    assert admin_web.post("/admin/invitations", {"email": "ville@vaasa.fi", "role": "official"}).status_code == 200
    assert admin_web.post("/admin/tokens", {"name": "diarium", "scopes": ["read"]}).status_code == 200

    admin = Api(client, make_token("905", ("read", "write", "admin")))
    created = [e for e in _events(admin) if e["action"] == "token.created" and e["after"]["name"] == "diarium"]
    assert len(created) == 1
    token_id = created[0]["resource_id"]
    assert admin_web.post(f"/admin/tokens/{token_id}/revoke").status_code == 303

    # ordinary changes, which everyone with read sees
    writer = Api(client, make_token("905", ("read", "write")))
    writer.create_decision("KS 2026/7")
    settings = {"brand_colour": "#00509e"}
    r = admin.patch("/api/v1/municipalities/905/settings", settings, admin.municipality_etag("905"))
    assert r.status_code == 200, r.text

    everything = [e["action"] for e in _events(admin)]
    assert set(everything) >= ADMINISTRATIVE, everything
    ordinary = [a for a in everything if a not in ADMINISTRATIVE]
    assert ordinary == ["decision.created", "municipality.settings"]

    personal_admin = Api(
        client, make_token("905", ("read", "write", "admin"), make_user("905", "a@vaasa.fi", "admin").id)
    )
    assert {e["action"] for e in _events(personal_admin)} >= ADMINISTRATIVE

    readers = {
        "token:read": Api(client, make_token("905", ("read",))),
        "token:write": writer,
    }
    for role in ("official", "reviewer", "council"):
        person = make_user("905", f"{role}@vaasa.fi", role)
        readers[role] = Api(client, make_token("905", ("read", "write"), person.id))
    for name, reader in readers.items():
        seen = _events(reader)
        assert [e["action"] for e in seen] == ordinary, name
        assert {e["resource_type"] for e in seen} == {"decision", "municipality"}, name
        whole = reader.get("/api/v1/audit-events", params={"limit": 200}).text
        for secret in ("anna@vaasa.fi", "ville@vaasa.fi", "diarium", token_id):
            assert secret not in whole, (name, secret)
        assert _events(reader, resource_id=token_id) == [], name
    assert [e["action"] for e in _events(admin, resource_id=token_id)] == ["token.created", "token.revoked"]

"""The audit trail lists the changes of webhook subscriptions (with the subscriber's URL) only to a
token with the admin right, as the webhook routes themselves are; everything else is listed alike."""

from __future__ import annotations

from typing import Any

from tests.support import Api, make_token
from tests.webhooks.conftest import Receiver, subscribe


def _actions(api: Api, **params: Any) -> list[str]:
    actions, cursor = [], None
    while True:
        r = api.get("/api/v1/audit-events", params={"limit": 1, **params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        actions += [e["action"] for e in r.json()["items"] if not e["action"].startswith("token.")]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return actions


def test_webhook_events_are_for_admins_only(client: Any, admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url, description="Diarium")
    url = f"/api/v1/webhooks/{hook['id']}"
    assert admin.patch(url, {"active": False}, admin.get(url).headers["ETag"]).status_code == 200
    admin.create_decision("KS 2026/1")
    assert _actions(admin) == ["webhook.created", "webhook.updated", "decision.created"]
    for scopes in (("read",), ("read", "write")):
        reader = Api(client, make_token("091", scopes))
        assert _actions(reader) == ["decision.created"]  # paging skips them too
        assert receiver.url not in reader.get("/api/v1/audit-events").text
        assert _actions(reader, resource_id=hook["id"]) == []
    assert _actions(admin, resource_id=hook["id"]) == ["webhook.created", "webhook.updated"]

"""The webhook subscription API: admin right, tenancy, concurrency, URL rules, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from tests.support import Api, make_token, session
from tests.webhooks.conftest import Receiver, deliveries, enqueue, subscribe

BASE = "/api/v1/webhooks"


def test_create_shows_the_secret_once(admin: Api, receiver: Receiver) -> None:
    r = admin.post(
        BASE,
        {
            "url": receiver.url,
            "events": ["assessment.approved", "assessment.submitted", "assessment.approved"],
            "description": "Diarium",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["Location"] == f"{BASE}/{body['id']}"
    assert r.headers["ETag"].startswith('"w')
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["secret_hint"] == "…" + body["secret"][-4:]
    assert body["events"] == ["assessment.submitted", "assessment.approved"]  # deduplicated, in a fixed order
    assert (body["municipality"], body["active"], body["description"]) == ("091", True, "Diarium")
    got = admin.get(r.headers["Location"])
    assert got.status_code == 200 and "secret" not in got.json()
    assert got.headers["ETag"] == r.headers["ETag"]
    listed = admin.get(BASE).json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]


def test_update_needs_the_current_etag(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    etag = admin.get(url).headers["ETag"]
    r = admin.patch(url, {"active": False})
    assert r.status_code == 428
    r = admin.patch(url, {"active": False}, '"wstale"')
    assert r.status_code == 412
    r = admin.patch(url, {"active": False, "events": ["assessment.returned"], "description": "paused"}, etag)
    assert r.status_code == 200, r.text
    assert (r.json()["active"], r.json()["events"], r.json()["description"]) == (
        False,
        ["assessment.returned"],
        "paused",
    )
    new_etag = r.headers["ETag"]
    assert new_etag != etag
    # the old ETag is now stale: a second writer that read before the change cannot overwrite it
    assert admin.patch(url, {"active": True}, etag).status_code == 412
    assert admin.get(url).json()["active"] is False
    r = admin.patch(url, {"url": None}, new_etag)
    assert r.status_code == 422
    r = admin.patch(url, {"events": []}, new_etag)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "events"


def test_delete_removes_the_subscription_and_its_deliveries(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    enqueue()
    assert len(deliveries(admin, hook["id"])) == 1
    assert admin.delete(url).status_code == 428
    assert admin.delete(url, '"wstale"').status_code == 412
    r = admin.delete(url, admin.get(url).headers["ETag"])
    assert r.status_code == 204
    assert admin.get(url).status_code == 404
    assert admin.get(BASE).json() == []


def test_subscription_changes_are_audited_without_the_secret(admin: Api, receiver: Receiver) -> None:
    from app.audit.models import AuditEvent

    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    r = admin.patch(url, {"active": False}, admin.get(url).headers["ETag"])
    admin.delete(url, r.headers["ETag"])
    with session() as s:
        # no ORDER BY means no order (PostgreSQL returned them otherwise once): sort by the chain
        rows = s.exec(select(AuditEvent).where(AuditEvent.resource_id == hook["id"])).all()
        events = sorted(rows, key=lambda e: e.seq)
    assert [e.action for e in events] == [
        "webhook.created",
        "webhook.updated",
        "webhook.deleted",
    ]
    assert all(hook["secret"] not in str(e.before) + str(e.after) for e in events)
    assert events[0].after is not None and events[0].after["url"] == receiver.url


def test_every_route_needs_the_admin_right(client: Any, admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    writer = Api(client, make_token("091", ("read", "write")))
    url = f"{BASE}/{hook['id']}"
    etag = admin.get(url).headers["ETag"]
    for r in (
        writer.post(BASE, {"url": receiver.url, "events": ["assessment.approved"]}),
        writer.get(BASE),
        writer.get(url),
        writer.patch(url, {"active": False}, etag),
        writer.delete(url, etag),
        writer.get(f"{url}/deliveries"),
    ):
        assert r.status_code == 403, r.text
        assert "admin" in r.json()["detail"]
    assert client.get(BASE).status_code == 401


def test_another_municipality_gets_404_on_every_route(client: Any, admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    etag = admin.get(url).headers["ETag"]
    other = Api(client, make_token("092", ("read", "write", "admin")))
    for r in (
        other.get(url),
        other.patch(url, {"active": False}, etag),
        other.delete(url, etag),
        other.get(f"{url}/deliveries"),
    ):
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert other.get(BASE).json() == []
    # and the subscription is untouched
    assert admin.get(url).json()["active"] is True


def test_events_of_another_municipality_are_not_delivered_here(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    assert enqueue("092") == []
    assert deliveries(admin, hook["id"]) == []
    assert len(enqueue("091")) == 1


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://diarium.example.fi/hook", "https_required"),
        ("ftp://diarium.example.fi/hook", "https_required"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://localhost:8443/hook", "private_address"),
        ("https://10.20.30.40/hook", "private_address"),
        ("https://192.168.1.10/hook", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/hook", "private_address"),
        ("https://[fd00::1]/hook", "private_address"),
        ("https://0.0.0.0/hook", "private_address"),
        ("https://240.0.0.1/hook", "private_address"),
        ("https://user:secret@93.184.216.34/hook", "credentials"),
        ("https:///hook", "url_parsing"),
        ("https://93.184.216.34:70000/hook", "url_parsing"),
        ("https://93.184.216.34:0/hook", "url_parsing"),
        ("https://host.invalid/hook", "unresolvable"),
    ],
)
def test_urls_outside_the_rules_are_422_with_field_details(strict_urls: None, admin: Api, url: str, code: str) -> None:
    r = admin.post(BASE, {"url": url, "events": ["assessment.approved"]})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("url", code)]
    assert errors[0]["message"]


def test_a_public_https_url_is_accepted_in_strict_mode(strict_urls: None, admin: Api) -> None:
    r = admin.post(BASE, {"url": "https://93.184.216.34/hooks/livskraft", "events": ["assessment.approved"]})
    assert r.status_code == 201, r.text


def test_changing_the_url_is_checked_too(strict_urls: None, admin: Api) -> None:
    hook = subscribe(admin, "https://93.184.216.34/hook")
    url = f"{BASE}/{hook['id']}"
    r = admin.patch(url, {"url": "https://10.0.0.5/hook"}, admin.get(url).headers["ETag"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "url"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://93.184.216.34/", "events": []}, "events"),
        ({"url": "https://93.184.216.34/", "events": ["decision.created"]}, "events.0"),
        ({"url": "https://93.184.216.34/"}, "events"),
        ({"events": ["assessment.approved"]}, "url"),
        ({"url": "https://93.184.216.34/", "events": ["assessment.approved"], "secret": "mine"}, "secret"),
        ({"url": "https://93.184.216.34/\x00", "events": ["assessment.approved"]}, "url"),
    ],
)
def test_body_errors(admin: Api, body: dict[str, Any], field: str) -> None:
    r = admin.post(BASE, body)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_unknown_ids_and_bad_query(admin: Api, receiver: Receiver) -> None:
    assert admin.get(f"{BASE}/00000000-0000-4000-8000-000000000000").status_code == 404
    assert admin.get(f"{BASE}/not-a-uuid").status_code == 422
    hook = subscribe(admin, receiver.url)
    r = admin.get(f"{BASE}/{hook['id']}/deliveries", params={"limit": 0})
    assert r.status_code == 422
    r = admin.get(f"{BASE}/{hook['id']}/deliveries", params={"status": "lost"})
    assert r.status_code == 422


def test_openapi_documents_the_webhook_routes(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        (BASE, "post"),
        (BASE, "get"),
        (BASE + "/{webhook_id}", "get"),
        (BASE + "/{webhook_id}", "patch"),
        (BASE + "/{webhook_id}", "delete"),
        (BASE + "/{webhook_id}/deliveries", "get"),
    ]:
        op = paths[path][method]
        assert op["summary"] and op["description"], (path, method)
        assert {"401", "403"} <= set(op["responses"])
    assert "Livskraft-Signature" in paths[BASE]["post"]["description"]

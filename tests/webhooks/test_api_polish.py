"""The webhook routes follow the rules of every route of the API: `If-Match` lists and `*` (RFC 9110),
the text rule's wording for a refused character, cursor pages of deliveries."""

from __future__ import annotations

import pytest

from tests.api.test_api_polish_integrator import check_if_match, check_no_op
from tests.support import Api
from tests.webhooks.conftest import Receiver, enqueue, subscribe

BASE = "/api/v1/webhooks"


def test_if_match_lists_and_star_as_on_every_route(admin: Api, receiver: Receiver) -> None:
    url = f"{BASE}/{subscribe(admin, receiver.url)['id']}"
    check_if_match(url, lambda h, i: admin.patch(url, {"description": f"Diarium {i}"}, h), lambda: admin.get(url))
    # and the delete: a list naming the current tag, or *, deletes it
    assert admin.delete(url, '"v98", "v99"').status_code == 412
    assert admin.delete(url, "*").status_code == 204
    assert admin.get(url).status_code == 404
    assert admin.delete(url, "*").status_code == 404  # * is false once there is nothing


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("url", "https://diarium.example.fi/\thooks", "U+0009 CHARACTER TABULATION at character 28"),
        ("description", "Diarium\nsvenska", "U+000A LINE FEED at character 8"),
        ("description", "Diarium\r", None),  # at either end it is whitespace, stripped as spaces are
        ("description", "Dia\u202erium", "U+202E RIGHT-TO-LEFT OVERRIDE at character 4"),
        ("description", "Dia\x07rium\t", "U+0007 BELL at character 4"),  # the text rule's first
    ],
)
def test_a_refused_character_is_named_in_words(
    admin: Api, receiver: Receiver, field: str, value: str, found: str | None
) -> None:
    body = {"url": receiver.url, "events": ["assessment.approved"], field: value}
    r = admin.post(BASE, body)
    if found is None:
        assert r.status_code == 201, r.text
        return
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == field and error["code"] == "string_pattern_mismatch"
    assert error["message"].endswith(f"; found {found}"), error
    assert "pattern" not in error["message"] and "^[^" not in error["message"]
    if "U+000" in found and "BELL" not in found:
        assert error["message"].startswith("must be one line: no tab or line break")
    else:
        assert error["message"].startswith("must not contain control characters")
    # the same in a change
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    r = admin.patch(url, {field: value}, admin.get(url).headers["ETag"])
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == error["message"]


def _pages(admin: Api, first: str) -> list[list[str]]:
    """Follow the `Link: rel="next"` headers from ``first`` to the last page."""
    pages, url = [], first
    while url:
        r = admin.get(url)
        assert r.status_code == 200, r.text
        assert isinstance(r.json(), list)  # the body stays an array
        pages.append([d["id"] for d in r.json()])
        link = r.headers.get("Link")
        if link is None:
            break
        assert link.endswith('>; rel="next"') and link.startswith("</api/v1/webhooks/"), link
        url = link[1 : link.index(">")]
    return pages


def test_the_deliveries_are_paged_with_a_cursor_in_the_link_header(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url)
    for n in range(7):  # one transaction each, some of them sharing a microsecond perhaps: ties go by id
        enqueue(event="assessment.approved", n=n)
    url = f"{BASE}/{hook['id']}/deliveries"
    everything = admin.get(url, params={"limit": 200})
    assert "Link" not in everything.headers
    newest_first = [d["id"] for d in everything.json()]
    assert len(newest_first) == 7
    pages = _pages(admin, f"{url}?limit=3")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == newest_first
    assert [len(p) for p in _pages(admin, f"{url}?limit=7")] == [7]  # a full last page has no next
    # the filter is kept in the next page's link
    pages = _pages(admin, f"{url}?limit=2&status=pending")
    assert [i for p in pages for i in p] == newest_first
    # a cursor that is not this list's is refused, as on every list
    for cursor in ("garbage", pages[0][0]):
        r = admin.get(url, params={"cursor": cursor})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "query.cursor"
    assert admin.get(url, params={"limit": 201}).status_code == 422


@pytest.mark.parametrize("active", ["yes", "false", 0, 1, "true"])
def test_active_is_a_json_boolean(admin: Api, receiver: Receiver, active: object) -> None:
    r = admin.post(BASE, {"url": receiver.url, "events": ["assessment.approved"], "active": active})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["code"]) == ("active", "bool_type")
    assert error["message"].startswith("must be a JSON boolean (true or false), not ")
    assert admin.get(BASE).json() == []
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    r = admin.patch(url, {"active": active}, admin.get(url).headers["ETag"])
    assert r.status_code == 422 and r.json()["errors"] == [error]
    assert admin.get(url).json()["active"] is True


def test_a_subscription_changed_to_its_values_writes_nothing(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url, description="Diarium")
    url = f"{BASE}/{hook['id']}"
    same = {k: hook[k] for k in ("url", "events", "description", "active")}
    check_no_op(admin, url, lambda h: admin.patch(url, same, h), url)
    reordered = {"events": list(reversed(hook["events"])), "description": " Diarium "}  # stored as they are
    check_no_op(admin, url, lambda h: admin.patch(url, reordered, h), url)

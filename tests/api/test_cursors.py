"""Cursors are bound to their list and sort: one from elsewhere, or an edited one, is a 422 naming
`query.cursor` — never a 500, never silently a page of another order."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support import Api


def unsigned(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def forged(values: Any) -> str:
    """A cursor made by hand and signed with the server's key, as if the server had handed it out: the
    values are checked all the same."""
    from app.api.pagination import _b64, _mac

    payload = unsigned(values)
    return payload + "." + _b64(_mac(payload.encode()))


def refused(r: Any) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.cursor"], r.json()


def next_cursor(api: Api, path: str, **params: Any) -> str:
    r = api.get(path, params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    cursor = r.json()["next_cursor"]
    assert cursor
    return str(cursor)


@pytest.fixture
def filled(api: Api) -> Api:
    for i in range(3):
        api.create_assessment(f"KS 2026/{i:02d}")
    api.create_decision("KS 2026/99", planned_date="2026-12-14")
    return api


def test_a_cursor_of_another_sort_is_422(filled: Api) -> None:
    by_case = next_cursor(filled, "/api/v1/decisions", sort="case_number")
    for sort in ("created_at", "planned_date"):
        refused(filled.get("/api/v1/decisions", params={"limit": 2, "sort": sort, "cursor": by_case}))
    by_date = next_cursor(filled, "/api/v1/decisions", sort="planned_date")
    refused(filled.get("/api/v1/decisions", params={"sort": "case_number", "cursor": by_date}))
    # nor another order of the same sort: the page would start somewhere else
    newest = next_cursor(filled, "/api/v1/decisions")
    refused(filled.get("/api/v1/decisions", params={"order": "asc", "cursor": newest}))
    assert filled.get("/api/v1/decisions", params={"cursor": newest}).status_code == 200


def test_a_cursor_of_another_list_is_422(filled: Api) -> None:
    decisions = next_cursor(filled, "/api/v1/decisions")
    refused(filled.get("/api/v1/assessments", params={"sort": "created_at", "cursor": decisions}))
    assessments = next_cursor(filled, "/api/v1/assessments", sort="created_at")
    refused(filled.get("/api/v1/decisions", params={"sort": "created_at", "cursor": assessments}))
    audit = next_cursor(filled, "/api/v1/audit-events")
    refused(filled.get("/api/v1/decisions", params={"cursor": audit}))
    refused(filled.get("/api/v1/audit-events", params={"cursor": decisions}))
    assert filled.get("/api/v1/audit-events", params={"cursor": audit}).status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [
        "WyJ4Il0",  # ["x"]: a sequence number that is not a number
        forged(["audit-events:seq:asc", "x"]),
        forged(["audit-events:seq:asc", True]),
        forged(["audit-events:seq:asc", -1]),
        forged(["audit-events:seq:asc", 2**70]),
        forged(["audit-events:seq:asc", 1.5]),
        forged(["audit-events:seq:asc"]),
        forged([7]),  # the untagged cursors handed out before this change
        forged({"seq": 7}),
        "%%%",
        "w" * 5,
    ],
)
def test_audit_cursors_that_are_not_ours_are_422(api: Api, cursor: str) -> None:
    refused(api.get("/api/v1/audit-events", params={"cursor": cursor}))


SOME_ID = "6f1c1a3e-2b7e-4d8e-9a55-0d4b8f1e2a11"


@pytest.mark.parametrize(
    ("path", "params", "cursor"),
    [
        ("/api/v1/decisions", {}, forged(["2026-11-23T10:00:00+00:00", SOME_ID])),  # untagged (old) cursor
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", "x", SOME_ID])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", 17, SOME_ID])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", None, SOME_ID])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", "9999-12-31T23:59:59-23:59", SOME_ID])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", "2026-11-23T10:00:00+00:00", "no-id"])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", "2026-11-23T10:00:00+00:00", 5])),
        ("/api/v1/decisions", {}, forged(["decisions:created_at:desc", "2026-11-23T10:00:00+00:00"])),
        ("/api/v1/decisions", {"sort": "planned_date"}, forged(["decisions:planned_date:desc", "2026-13-45", SOME_ID])),
        ("/api/v1/decisions", {"sort": "planned_date"}, forged(["decisions:planned_date:desc", [], SOME_ID])),
        ("/api/v1/decisions", {"sort": "case_number"}, forged(["decisions:case_number:desc", 12, SOME_ID])),
        ("/api/v1/decisions", {"sort": "case_number"}, forged(["decisions:case_number:desc", "KS\u0000", SOME_ID])),
        ("/api/v1/decisions", {"sort": "case_number"}, forged(["decisions:case_number:desc", "\ud800", SOME_ID])),
        ("/api/v1/assessments", {}, forged(["assessments:updated_at:desc", "2026-02-30T00:00:00", SOME_ID])),
        ("/api/v1/assessments", {}, forged(["assessments:updated_at:desc", {"a": 1}, SOME_ID])),
        ("/api/v1/assessments", {}, forged(["assessments:updated_at:desc", "0001-01-01T00:00:00+01:00", SOME_ID])),
        ("/api/v1/assessments", {}, forged(["assessments:updated_at:desc", None, SOME_ID])),
        ("/api/v1/assessments", {}, base64.urlsafe_b64encode(b"\xff\xfe[").decode()),
        ("/api/v1/assessments", {}, base64.urlsafe_b64encode(b"[" * 5000).decode()[:500]),
    ],
)
def test_list_cursors_with_values_of_the_wrong_type_are_422(
    api: Api, path: str, params: dict[str, str], cursor: str
) -> None:
    refused(api.get(path, params={**params, "cursor": cursor}))


def test_an_edited_or_unsigned_cursor_is_422(filled: Api) -> None:
    """Cursors are signed: one that was edited, or made by hand without the server's key, is refused
    however well-formed its values are."""
    ours = next_cursor(filled, "/api/v1/decisions")
    payload, signature = ours.split(".")
    assert len(signature) == 16  # 12 bytes
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded[1] = "2030-01-01T00:00:00+00:00"
    edited = unsigned(decoded) + "." + signature
    for cursor in (edited, payload, unsigned(decoded), payload + ".", ours[:-1], ours + "A", payload + ".é"):
        refused(filled.get("/api/v1/decisions", params={"cursor": cursor}))
    assert filled.get("/api/v1/decisions", params={"cursor": ours}).status_code == 200


def test_a_signed_cursor_of_the_right_shape_pages_on(filled: Api) -> None:
    """The values are all the cursor holds: a well-formed one signed with the server's key pages like
    one handed out (with a null planned date, the NULL block at the end of the order continues by id)."""
    everything = filled.get("/api/v1/decisions", params={"sort": "planned_date"}).json()["items"]
    dated, undated = everything[0], everything[1]
    assert dated["planned_date"] == "2026-12-14" and undated["planned_date"] is None
    r = filled.get(
        "/api/v1/decisions",
        params={"sort": "planned_date", "cursor": forged(["decisions:planned_date:desc", None, undated["id"]])},
    )
    assert r.status_code == 200, r.text
    assert [d["id"] for d in r.json()["items"]] == [d["id"] for d in everything[2:]]

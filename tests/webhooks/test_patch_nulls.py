"""A null for a subscription's url, events or active is a 422 naming the field (it was a 422 with an
empty `errors` list); a null description clears it."""

from __future__ import annotations

import pytest

from tests.support import Api
from tests.webhooks.conftest import Receiver, subscribe

BASE = "/api/v1/webhooks"


@pytest.mark.parametrize("field", ["url", "events", "active"])
def test_a_null_that_would_remove_a_setting_is_422_naming_it(admin: Api, receiver: Receiver, field: str) -> None:
    hook = subscribe(admin, receiver.url)
    url = f"{BASE}/{hook['id']}"
    etag = admin.get(url).headers["ETag"]
    r = admin.patch(url, {field: None}, etag)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, "null_not_allowed")]
    assert admin.get(url).headers["ETag"] == etag


def test_a_null_description_clears_it(admin: Api, receiver: Receiver) -> None:
    hook = subscribe(admin, receiver.url, description="Diarium")
    url = f"{BASE}/{hook['id']}"
    r = admin.patch(url, {"description": None}, admin.get(url).headers["ETag"])
    assert r.status_code == 200 and r.json()["description"] == "", r.text

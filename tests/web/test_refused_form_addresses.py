"""A form refused for a stale CSRF token at an address that looks like an assessment's but names none
(36 dashes match the address pattern, and are no id) is the form-expired page, never a 500."""

from __future__ import annotations

from typing import Any

from tests.web.support import Web

SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


def test_a_stale_form_at_an_address_with_no_id_is_refused_cleanly(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official")
    for form in ("screening", "alternatives"):
        r = official.client.post(
            f"/assessments/{'-' * 36}/{form}", data={"csrf_token": "stale", "title": "Etapp 1"}, headers=SAME_ORIGIN
        )
        assert r.status_code == 403, (form, r.status_code)
        assert "Etapp 1" in r.text or form == "screening"  # what was typed is shown to be copied

"""The text rule (app/text.py) for the noncharacters U+FFFE and U+FFFF: the API refuses them by field, the
web removes them where typed text enters, and a rubric file naming one is refused by line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api
from tests.web.support import Web

NONCHARACTERS = ("\ufffe", "\uffff")


@pytest.mark.parametrize("bad", NONCHARACTERS)
def test_api_refuses_a_noncharacter_by_field(api: Api, bad: str) -> None:
    r = api.post("/api/v1/decisions", {"case_number": "KS 1", "title": f"Plan{bad}", "deciding_body": "KS"})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == "title" and error["code"] == "string_pattern_mismatch"
    # the rule in words and the character that broke it, not the pattern
    assert f"found U+{ord(bad):04X} (a noncharacter) at character 5" in error["message"]
    assert "^[^" not in error["message"]
    decision = api.create_decision(title="Detaljplan")
    etag = api.get(f"/api/v1/decisions/{decision['id']}").headers["ETag"]
    r = api.patch(f"/api/v1/decisions/{decision['id']}", {"summary": f"Sammanfattning{bad}"}, etag)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["summary"], r.text
    assert api.get(f"/api/v1/decisions/{decision['id']}").json()["summary"] in ("", None)


def test_web_removes_noncharacters_from_typed_text(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official")
    aid = official.new_assessment(title="Detalj\ufffeplan för\uffff skola")
    page = official.get(f"/assessments/{aid}").text
    assert "Detaljplan för skola" in page
    assert "\ufffe" not in page and "\uffff" not in page


def test_api_names_a_bidirectional_override_by_name_and_place(api: Api) -> None:
    r = api.post("/api/v1/decisions", {"case_number": "KS 1", "title": "Plan \u202efdp.exe", "deciding_body": "KS"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["message"].endswith("found U+202E RIGHT-TO-LEFT OVERRIDE at character 6"), error
    r = api.get("/api/v1/decisions", params={"q": "a\x01"})
    assert r.status_code == 422
    assert "found U+0001 (a control character) at character 2" in r.json()["errors"][0]["message"]

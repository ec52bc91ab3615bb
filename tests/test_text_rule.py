"""The text rule (app/text.py) for the noncharacters U+FFFE and U+FFFF: the API refuses them by field, the
web removes them where typed text enters; every refusal of the rule names the character and its place
(API, import and rubric files), not the regular expression."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from app.rubrics.loader import RubricFileError
from app.rubrics.registry import load_registry
from tests.support import Api
from tests.web.support import Web

NONCHARACTERS = ("\ufffe", "\uffff")
RUBRICS = Path(__file__).resolve().parents[1] / "rubrics"


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


def test_a_rubric_text_with_an_override_names_file_line_field_and_character(tmp_path: Path) -> None:
    root = tmp_path / "rubrics"
    shutil.copytree(RUBRICS, root)
    policy = root / "kuntaliitto-vitality/1.0.0/perspectives/policy.yaml"
    text = policy.read_text(encoding="utf-8").replace("  sv: ", "  sv: Kommunens \u202e", 1)  # the title
    policy.write_text(text, encoding="utf-8")
    line = next(i for i, line in enumerate(text.splitlines(), 1) if "\u202e" in line)
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    [problem] = [str(p) for p in info.value.problems if p.file.endswith("perspectives/policy.yaml")]
    assert problem.startswith(f"kuntaliitto-vitality/1.0.0/perspectives/policy.yaml:{line}: "), problem
    assert "found U+202E RIGHT-TO-LEFT OVERRIDE at character 11" in problem and "^[^" not in problem

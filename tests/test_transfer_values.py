"""`livskraft import` checks every row's *values* by the domain's rules, not only columns, types and
references: an edited export (a score of 99, an unknown status, a rating of a criterion its rubric does
not have, …) is refused with one line naming the file, table, row index and field, and nothing is
imported. Exports made by the app itself — the examples, an approved assessment with a follow-up, an
assessment pinning a local extension made through the API — import unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db.migrate import truncate_all
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, make_user, session

runner = CliRunner()
Edit = Callable[[dict[str, Any]], None]


def _count(table: str) -> int:
    from app.db.models import metadata

    with session() as s:
        return int(s.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one())


def _export(code: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["export", "--municipality", code])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout_bytes))


_BUILT: dict[str, dict[str, Any]] = {}


@pytest.fixture
def vaasa(client: Any) -> dict[str, Any]:
    """Built once per test process (each test starts from an empty database and imports it anew)."""
    if "905" not in _BUILT:
        _BUILT["905"] = _build(client)
    return json.loads(json.dumps(_BUILT["905"]))


def _build(client: Any) -> dict[str, Any]:
    """Vaasa's data as the app writes it: the four example assessments of 905, an approved assessment
    with a follow-up, an empty draft, and a local extension published through the API and pinned."""
    assert runner.invoke(cli, ["seed"]).exit_code == 0
    official = Api(client, make_token("905", ("read", "write"), make_user("905", "o@vasa.fi", "official").id))
    reviewer = Api(client, make_token("905", ("read", "write"), make_user("905", "r@vasa.fi", "reviewer").id))
    admin = Api(client, make_token("905", ("read", "write", "admin")))
    extension = admin.client.get("/openapi.json").json()["paths"]["/api/v1/rubric-extensions"]["post"]
    body = extension["requestBody"]["content"]["application/json"]["examples"]["vaasa"]["value"]
    r = admin.post("/api/v1/rubric-extensions", {**body, "version": "1.1.0"})
    assert r.status_code == 201, r.text
    approved = screened_and_rated(official)
    assert act(official, approved, "submit").status_code == 200
    assert act(reviewer, approved, "approve", "Godkänd").status_code == 200
    rating = official.get(f"/api/v1/assessments/{approved['id']}/ratings").json()[0]
    r = official.post(
        f"/api/v1/assessments/{approved['id']}/follow-ups", {"rating_id": rating["id"], "outcome": "better"}
    )
    assert r.status_code in (200, 201), r.text
    official.create_assessment("KS 2026/2")  # a draft without ratings
    data = _export("905")
    assert any(a.get("extensions") for a in data["tables"]["assessment"]), "an assessment pins an extension"
    assert data["tables"]["follow_up"] and data["tables"]["rubric_extension"]
    truncate_all()
    return data


def _import(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "vaasa-export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return runner.invoke(cli, ["import", str(path)])


def test_an_export_of_the_apps_own_data_imports_and_verifies(vaasa: dict[str, Any], tmp_path: Path) -> None:
    result = _import(tmp_path, vaasa)
    assert result.exit_code == 0, result.output
    assert _count("rating") == len(vaasa["tables"]["rating"]) > 100
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def _rating_index(data: dict[str, Any], pred: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, r in enumerate(data["tables"]["rating"]) if pred(r))


def _approved(data: dict[str, Any]) -> int:
    return next(i for i, a in enumerate(data["tables"]["assessment"]) if a["status"] == "approved")


def _draft(data: dict[str, Any]) -> int:
    return next(i for i, a in enumerate(data["tables"]["assessment"]) if a["status"] == "draft")


def _set(table: str, index: Callable[[dict[str, Any]], int] | int, field: str, value: Any) -> tuple[Edit, str]:
    def edit(data: dict[str, Any]) -> None:
        i = index if isinstance(index, int) else index(data)
        data["tables"][table][i][field] = value
        data["_where"] = f"tables.{table}.{i}.{field}"

    return edit, ""


def _other_criterion(data: dict[str, Any]) -> None:
    i = _rating_index(data, lambda r: r["criterion_id"].startswith("policy.firms."))
    data["tables"]["rating"][i]["criterion_id"] = "policy.firms.no-such-question"
    data["_where"] = f"tables.rating.{i}.criterion_id"


def _wrong_target(data: dict[str, Any]) -> None:
    i = _rating_index(data, lambda r: r["criterion_id"].startswith("policy.firms."))
    data["tables"]["rating"][i]["target"] = "residents"
    data["_where"] = f"tables.rating.{i}.target"


def _wrong_perspective(data: dict[str, Any]) -> None:
    i = _rating_index(data, lambda r: r["criterion_id"].startswith("policy.firms."))
    data["tables"]["rating"][i]["perspective_id"] = "logistics"
    data["_where"] = f"tables.rating.{i}.perspective_id"


def _alternative_of_another_assessment(data: dict[str, Any]) -> None:
    rating = data["tables"]["rating"][0]
    other = next(a for a in data["tables"]["alternative"] if a["assessment_id"] != rating["assessment_id"])
    rating["alternative_id"] = other["id"]
    data["_where"] = "tables.rating.0.alternative_id"


def _approved_without_reviewer(data: dict[str, Any]) -> None:
    i = _approved(data)
    data["tables"]["assessment"][i]["reviewer_name"] = ""
    data["_where"] = f"tables.assessment.{i}.reviewer_name"


def _draft_made_approved(data: dict[str, Any]) -> None:
    i = _draft(data)
    data["tables"]["assessment"][i]["status"] = "approved"
    data["_where"] = f"tables.assessment.{i}.approved_at"


EDITS: dict[str, tuple[Edit, str]] = {
    "score 99": _set("rating", 0, "score", 99),
    "score -4": _set("rating", 0, "score", -4),
    "effect 0": _set("rating", 0, "effect", 0),
    "likelihood": _set("rating", 0, "likelihood", "sure"),
    "horizon": _set("rating", 0, "horizon", "forever"),
    "certainty": _set("rating", 0, "certainty", "total"),
    "target": _set("rating", 0, "target", "everyone"),
    "rationale too long": _set("rating", 0, "rationale", "x" * 20_001),
    "control character": _set("rating", 0, "mitigation", "Bullerskydd\x1b[2J"),
    "status": _set("assessment", 0, "status", "published"),
    "reviewer_name bidi override": _set("assessment", _approved, "reviewer_name", "Riikka \u202eakkiiR"),
    "reviewer_name control character": _set("assessment", _approved, "reviewer_name", "Mallory\x07"),
    "version_no": _set("assessment", 0, "version_no", 0),
    "frozen weights": _set("assessment", _approved, "weights", {"targets": {"firms": 99}}),
    "alternative kind": _set("alternative", 0, "kind", "utopia"),
    "screening perspective": _set("screening_answer", 0, "perspective_id", "astrology"),
    "review action": _set("review_entry", 0, "action", "stamped"),
    "follow-up outcome": _set("follow_up", 0, "outcome", "great"),
    "user role": _set("user", 0, "role", "superuser"),
    "decision title empty": _set("decision", 0, "title", ""),
    "criterion not in the rubric": (_other_criterion, ""),
    "target not the criterion's": (_wrong_target, ""),
    "perspective not the criterion's": (_wrong_perspective, ""),
    "alternative of another assessment": (_alternative_of_another_assessment, ""),
    "approved without a reviewer": (_approved_without_reviewer, ""),
    "draft marked approved": (_draft_made_approved, ""),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_an_edited_value_is_refused_naming_file_table_row_and_field(
    vaasa: dict[str, Any], tmp_path: Path, case: str
) -> None:
    edit, _ = EDITS[case]
    data = json.loads(json.dumps(vaasa))
    edit(data)
    where = data.pop("_where")
    result = _import(tmp_path, data)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "vaasa-export.json" in lines[0] and where in lines[0], lines[0]
    assert _count("municipality") == 0 and _count("rating") == 0  # nothing imported


def test_the_reported_case_score_99_never_reaches_the_api(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = json.loads(json.dumps(vaasa))
    data["tables"]["rating"][0]["score"] = 99
    result = _import(tmp_path, data)
    assert result.exit_code == 1
    assert "tables.rating.0.score: must be at most 3" in result.stderr
    assert _count("rating") == 0


def test_many_value_problems_are_listed_up_to_a_cap(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = json.loads(json.dumps(vaasa))
    for r in data["tables"]["rating"][:10]:
        r["score"] = 99
    line = _import(tmp_path, data).stderr.strip()
    assert "tables.rating.0.score" in line and "tables.rating.2.score" in line and "(and 7 more)" in line
    assert "tables.rating.3.score" not in line

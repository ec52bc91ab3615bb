"""An export with several versions of an assessment imports whatever order its rows are in: the export
lists assessments by id, and a new version whose id sorts before its previous one's was inserted first
and failed the foreign key ``previous_id`` ("FOREIGN KEY constraint failed": nothing imported). A chain
of versions that leads back to itself is refused naming the row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db.migrate import truncate_all
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, make_user


def _two_versions(client: Any) -> tuple[Api, dict[str, Any]]:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "o@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "r@hel.fi", "reviewer").id))
    first = screened_and_rated(official)
    assert act(official, first, "submit").status_code == 200
    assert act(reviewer, first, "approve").status_code == 200
    r = official.post(f"/api/v1/assessments/{first['id']}/versions", {}, official.etag(first["id"]))
    assert r.status_code == 201, r.text
    second = r.json()
    assert act(official, second, "submit").status_code == 200
    assert act(reviewer, second, "approve").status_code == 200
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    return admin, second


def _import(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    truncate_all()
    return CliRunner().invoke(cli, ["import", str(path)])


def test_a_new_version_listed_before_its_previous_one_imports(client: Any, tmp_path: Path) -> None:
    admin, second = _two_versions(client)
    first_export = admin.get("/api/v1/export").content
    data = json.loads(first_export)
    rows = data["tables"]["assessment"]
    old = next(r for r in rows if r["previous_id"] is None)
    assert [r["previous_id"] for r in rows if r is not old] == [old["id"]]
    # the new version first, as an export lists them whenever its id sorts first
    rows.sort(key=lambda r: r["previous_id"] is None)
    assert rows[0]["id"] == second["id"]
    result = _import(tmp_path, data)
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.json"
    runner = CliRunner()
    assert runner.invoke(cli, ["export", "--municipality", "091", "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == first_export  # sorted by id again, byte for byte
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    reader = Api(client, make_token("091", ("read",)))  # the tokens were not exported
    shown = reader.get(f"/api/v1/assessments/{second['id']}").json()
    assert shown["status"] == "approved" and shown["previous_id"] is not None


def test_versions_that_lead_back_to_themselves_are_refused(client: Any, tmp_path: Path) -> None:
    admin, _ = _two_versions(client)
    data = admin.get("/api/v1/export").json()
    rows = data["tables"]["assessment"]
    first = next(i for i, r in enumerate(rows) if r["previous_id"] is None)
    second = 1 - first
    rows[first]["previous_id"] = rows[second]["id"]
    result = _import(tmp_path, data)
    assert result.exit_code == 1
    assert f"tables.assessment.{first}.previous_id: its earlier versions lead back to it" in result.stderr
    assert "FOREIGN KEY" not in result.stderr and "foreign key" not in result.stderr

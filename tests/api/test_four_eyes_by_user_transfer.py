"""Export and import carry the audit events' user ids (migration 0014): the round trip keeps them and the
four-eyes rule with them; an export written before the column (its events without the key) imports
with none, and its chain still verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db.migrate import truncate_all
from tests.api.test_integrity_rules import RATING
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, make_user


def _export(client: Any) -> dict[str, Any]:
    admin = Api(client, make_token("091", ("read", "write", "admin")))
    r = admin.get("/api/v1/export")
    assert r.status_code == 200
    return dict(r.json())


def _import(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    truncate_all()
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def test_the_user_ids_of_events_survive_export_and_import(client: Any, tmp_path: Path) -> None:
    official_user = make_user("091", "olli@hel.fi", "official")
    reviewer_user = make_user("091", "riikka@hel.fi", "reviewer")
    official = Api(client, make_token("091", ("read", "write"), official_user.id))
    a = screened_and_rated(official)
    reviewer = Api(client, make_token("091", ("read", "write"), reviewer_user.id))
    assert reviewer.put_ratings(a["id"], [RATING]).status_code == 200
    assert act(official, a, "submit").status_code == 200
    exported = _export(client)
    events = exported["tables"]["audit_event"]
    assert {e["actor_user_id"] for e in events if e["actor"].startswith("Riikka")} == {str(reviewer_user.id)}
    _import(tmp_path, exported)
    # the imported users have no password: a new token of the same user acts for them
    reviewer = Api(client, make_token("091", ("read", "write"), reviewer_user.id))
    assert act(reviewer, a, "approve").status_code == 403, "their change is still theirs"
    assert _export(client)["tables"]["audit_event"][: len(events)] == events


def test_an_export_from_before_the_column_imports_without_ids(client: Any, tmp_path: Path) -> None:
    system = Api(client, make_token("091", ("read", "write")))
    system.create_assessment()
    exported = _export(client)
    for row in exported["tables"]["audit_event"]:
        assert row.pop("actor_user_id") is None  # a system token's events: no person
    _import(tmp_path, exported)
    events = _export(client)["tables"]["audit_event"]
    assert events and all(e["actor_user_id"] is None for e in events[: len(exported["tables"]["audit_event"])])

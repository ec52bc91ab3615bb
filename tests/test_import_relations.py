"""`livskraft import` refuses rows that name a row they cannot belong to, naming the field, and imports
nothing: a new version of an assessment (`previous_id`) copied from an assessment of another decision,
and an audit event whose person (`actor_user_id`) is not among the export's users — the import creates
the municipality, so it has no other users; a user of another municipality is no more the actor than
an id nobody has. Null (no person acted: a system token, or an event from before 0014) stays allowed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.support import make_user
from tests.test_transfer_values import _count, _import, vaasa

__all__ = ["vaasa"]  # a fixture


TABLES = ("municipality", "user", "decision", "assessment", "rating", "audit_event")


def _refused(tmp_path: Path, data: dict[str, Any], where: str) -> str:
    before = {t: _count(t) for t in TABLES}
    result = _import(tmp_path, data)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "vaasa-export.json" in lines[0] and f"{where}: " in lines[0], lines[0]
    assert {t: _count(t) for t in TABLES} == before, "nothing imported"
    return lines[0]


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(data)))


def test_a_version_of_an_assessment_of_another_decision_is_refused(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = _copy(vaasa)
    rows = data["tables"]["assessment"]
    i, row = next((i, r) for i, r in enumerate(rows) if r["status"] == "draft")
    other = next(r for r in rows if r["decision_id"] != row["decision_id"] and r["status"] == "approved")
    row["previous_id"] = other["id"]
    line = _refused(tmp_path, data, f"tables.assessment.{i}.previous_id")
    assert "another decision" in line


def test_an_event_of_a_user_not_in_the_export_is_refused(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = _copy(vaasa)
    events = data["tables"]["audit_event"]
    i = next(i for i, e in enumerate(events) if e["actor_user_id"] is not None)
    nobody = str(uuid.uuid4())
    events[i]["actor_user_id"] = nobody
    line = _refused(tmp_path, data, f"tables.audit_event.{i}.actor_user_id")
    assert f"refers to user {nobody}, which is not in the export" in line


def test_an_event_of_another_municipalitys_user_is_refused(vaasa: dict[str, Any], tmp_path: Path) -> None:
    stranger = make_user("091", "olli@hel.fi", "official")  # a user of this database, not of Vaasa
    data = _copy(vaasa)
    events = data["tables"]["audit_event"]
    i = next(i for i, e in enumerate(events) if e["actor_user_id"] is None)
    events[i]["actor_user_id"] = str(stranger.id)
    _refused(tmp_path, data, f"tables.audit_event.{i}.actor_user_id")


def test_events_of_the_exports_users_and_of_nobody_import(vaasa: dict[str, Any], tmp_path: Path) -> None:
    events = vaasa["tables"]["audit_event"]
    users = {u["id"] for u in vaasa["tables"]["user"]}
    named = {e["actor_user_id"] for e in events} - {None}
    assert named and named <= users and any(e["actor_user_id"] is None for e in events)
    result = _import(tmp_path, vaasa)
    assert result.exit_code == 0, result.output
    assert _count("audit_event") == len(events)

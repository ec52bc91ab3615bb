"""`livskraft import` of a broken export: one clear error naming what is wrong, exit 1, nothing written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli.main import app
from tests.support import make_municipality, session

runner = CliRunner()
FORMAT = "livskraft.export/1"
M_ID = "5a0f9a3e-6c1e-4a53-9d55-0d6e1b6d2f10"
MUNICIPALITY = {
    "id": M_ID,
    "code": "905",
    "country": "FI",
    "name": "Vaasa",
    "settings": {},
    "audit_seq": 0,
    "audit_head": "",
    "created_at": "2026-01-05T10:00:00+00:00",
}
DECISION = {
    "id": "0b7c9d5e-2f41-4d8a-b1c3-6a2e9f0d4c11",
    "municipality_id": M_ID,
    "case_number": "VS 2026/1",
    "title": "Satama",
    "summary": "",
    "deciding_body": "Kaupunginhallitus",
    "planned_date": "2026-03-02",
    "source": None,
    "version": 1,
    "created_at": "2026-01-05T10:00:00+00:00",
    "updated_at": "2026-01-05T10:00:00+00:00",
}


def _export(**changes: Any) -> dict[str, Any]:
    return {"format": FORMAT, "municipality": dict(MUNICIPALITY), "tables": {"decision": [dict(DECISION)]}, **changes}


def _counts() -> dict[str, int]:
    from app.db.models import metadata

    with session() as s:
        return {
            name: s.execute(select(func.count()).select_from(metadata.tables[name])).scalar_one()
            for name in ("municipality", "user", "decision", "assessment", "audit_event")
        }


def _import(tmp_path: Path, content: Any) -> Any:
    path = tmp_path / "export.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return runner.invoke(app, ["import", str(path)])


def _one_error_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_good_export_imports(tmp_path: Path) -> None:
    """The baseline the broken ones are compared with: this file is a valid export."""
    result = _import(tmp_path, _export())
    assert result.exit_code == 0, result.output
    assert _counts()["decision"] == 1


def _without(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in keys}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"format": FORMAT, "municipality": "905"}, "not a valid export: municipality: expected an object"),
        (_export(municipality={**MUNICIPALITY, "id": "nope"}), "municipality.id"),
        (_export(municipality=_without(MUNICIPALITY, "country", "name", "settings")), "municipality.country"),
        (_export(municipality=_without(MUNICIPALITY, "id")), "municipality.id"),
        (_export(municipality={**MUNICIPALITY, "code": 905}), "municipality.code"),
        (_export(municipality={**MUNICIPALITY, "country": "FIN"}), "municipality.country"),
        (_export(tables=[]), "tables: expected an object"),
        (_export(tables={"decision": {"id": "x"}}), "tables.decision: expected a list"),
        (_export(tables={"decision": ["x"]}), "tables.decision.0: expected an object"),
        (_export(tables={"secrets": []}), "tables.secrets: unknown table"),
        (_export(tables={"decision": [{**DECISION, "colour": "red"}]}), "tables.decision.0.colour: unknown column"),
        (_export(tables={"decision": [{**DECISION, "id": "nope"}]}), "tables.decision.0.id"),
        (_export(tables={"decision": [{**DECISION, "planned_date": "2.3.2026"}]}), "tables.decision.0.planned_date"),
        (_export(tables={"decision": [{**DECISION, "created_at": "eilen"}]}), "tables.decision.0.created_at"),
        (_export(tables={"decision": [{**DECISION, "version": "one"}]}), "tables.decision.0.version"),
        (_export(tables={"decision": [{**DECISION, "title": 7}]}), "tables.decision.0.title"),
        (_export(tables={"decision": [{**DECISION, "title": None}]}), "tables.decision.0.title"),
        (
            _export(municipality={**MUNICIPALITY, "settings": None}),
            "municipality.settings: must not be null",
        ),
        (_export(tables={"decision": [_without(DECISION, "case_number")]}), "tables.decision.0.case_number"),
        (_export(tables={"decision": [{**DECISION, "case_number": "x" * 65}]}), "tables.decision.0.case_number"),
        (
            _export(tables={"decision": [{**DECISION, "municipality_id": str(uuid.uuid4())}]}),
            "tables.decision.0.municipality_id",
        ),
        (_export(extra=1), "extra"),
        (["not", "an", "export"], "not a valid export"),
        (_export(format="livskraft.export/2"), "format"),
    ],
)
def test_a_broken_export_is_refused_with_one_clear_line(tmp_path: Path, content: Any, expected: str) -> None:
    make_municipality("091")  # an existing municipality the broken file must not touch
    before = _counts()
    line = _one_error_line(_import(tmp_path, content))
    assert expected in line
    assert _counts() == before


def test_rows_of_one_table_with_different_columns_import(tmp_path: Path) -> None:
    second = {**_without(DECISION, "source", "version"), "id": str(uuid.uuid4()), "case_number": "VS 2026/2"}
    result = _import(tmp_path, _export(tables={"decision": [dict(DECISION), second]}))
    assert result.exit_code == 0, result.output
    assert _counts()["decision"] == 2


def test_a_row_of_another_assessment_is_refused(tmp_path: Path) -> None:
    answer = {"assessment_id": str(uuid.uuid4()), "perspective_id": "policy", "relevant": True, "reason": ""}
    line = _one_error_line(_import(tmp_path, _export(tables={"screening_answer": [answer]})))
    assert "tables.screening_answer.0.assessment_id" in line
    assert _counts()["municipality"] == 0


def test_many_problems_are_counted_on_the_same_line(tmp_path: Path) -> None:
    rows = [{**DECISION, "id": f"bad-{i}"} for i in range(5)]
    line = _one_error_line(_import(tmp_path, _export(tables={"decision": rows})))
    assert "tables.decision.0.id" in line and "tables.decision.2.id" in line and "(and 2 more)" in line
    assert "tables.decision.3.id" not in line


@pytest.mark.parametrize("content", ["", "{", "[" * 100_000 + "]" * 100_000])
def test_a_file_that_is_not_json_is_refused(tmp_path: Path, content: str) -> None:
    line = _one_error_line(_import(tmp_path, content))
    assert "export.json" in line
    assert _counts()["municipality"] == 0


def test_a_nul_character_is_refused_where_the_database_cannot_store_it(tmp_path: Path) -> None:
    from app.db.engine import get_engine

    row = {**DECISION, "source": {"ids": {"native_id": "n\x00"}}}
    result = _import(tmp_path, _export(tables={"decision": [row]}))
    if get_engine().dialect.name == "postgresql":
        line = _one_error_line(result)
        assert "tables.decision.0.source.ids.native_id: contains a NUL character" in line
        assert _counts()["municipality"] == 0
    else:  # SQLite stores it, and the export it came from was made there
        assert result.exit_code == 0, result.output
        assert _counts()["decision"] == 1


def test_a_row_the_database_refuses_rolls_back_the_whole_import(tmp_path: Path) -> None:
    assert _import(tmp_path, _export()).exit_code == 0
    before = _counts()
    # the same rows again under another municipality: valid on its own, but the decision id is taken
    other = _export(municipality={**MUNICIPALITY, "id": str(uuid.uuid4()), "code": "091", "name": "Helsinki"})
    other["tables"]["decision"][0]["municipality_id"] = other["municipality"]["id"]
    line = _one_error_line(_import(tmp_path, other))
    assert "the database refused it" in line
    assert _counts() == before

"""`livskraft import` checks an assessment's ``decision_snapshot`` (the decision's details as approved)
like every other value: exactly its six keys, each as the decision itself may hold it, an object for an
approved or superseded assessment and null for a draft or submitted one. A broken one is refused with
one line naming the file, table, row and field, and nothing is imported. An export made before the
snapshot existed (the key absent) gives its approved assessments the decision's details from the
export, as migration 0013 did in a database.

Free text is imported as the API stores it: the API neither normalises Unicode nor refuses text that is
not NFC (it refuses control and bidirectional characters, ``app/text.py``), so an import does the same
— decomposed ``å`` (``a`` + U+030A) comes back byte for byte, and exporting again gives identical bytes.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.assessments.models import Assessment, Decision
from tests.support import Api, session
from tests.test_transfer_values import _approved, _count, _draft, _export, _import, vaasa

__all__ = ["vaasa"]  # a fixture

Edit = Callable[[dict[str, Any]], Any]
KEYS = ("case_number", "title", "summary", "deciding_body", "planned_date", "version")


def _snapshot_of(data: dict[str, Any], index: int) -> dict[str, Any]:
    snap = data["tables"]["assessment"][index]["decision_snapshot"]
    assert isinstance(snap, dict) and tuple(sorted(snap)) == tuple(sorted(KEYS)), snap
    return snap


def _field(field: str, value: Any) -> tuple[Edit, str]:
    """The approved assessment's snapshot with ``field`` set to ``value``."""

    def edit(data: dict[str, Any]) -> str:
        i = _approved(data)
        _snapshot_of(data, i)[field] = value
        return f"tables.assessment.{i}.decision_snapshot.{field}"

    return edit, field


def _whole(value: Any, pick: Callable[[dict[str, Any]], int] = _approved) -> tuple[Edit, str]:
    def edit(data: dict[str, Any]) -> str:
        i = pick(data)
        data["tables"]["assessment"][i]["decision_snapshot"] = value
        return f"tables.assessment.{i}.decision_snapshot"

    return edit, ""


def _without(key: str) -> tuple[Edit, str]:
    def edit(data: dict[str, Any]) -> str:
        i = _approved(data)
        del _snapshot_of(data, i)[key]
        return f"tables.assessment.{i}.decision_snapshot.{key}"

    return edit, ""


def _without_all() -> tuple[Edit, str]:
    def edit(data: dict[str, Any]) -> str:
        i = _approved(data)
        data["tables"]["assessment"][i]["decision_snapshot"] = {}
        return f"tables.assessment.{i}.decision_snapshot.case_number"  # the first of six missing keys

    return edit, ""


def _draft_with_snapshot(data: dict[str, Any]) -> str:
    """A valid snapshot (the approved assessment's) on a draft, which has approved nothing."""
    i = _draft(data)
    data["tables"]["assessment"][i]["decision_snapshot"] = dict(_snapshot_of(data, _approved(data)))
    return f"tables.assessment.{i}.decision_snapshot"


def _extra_key(data: dict[str, Any]) -> str:
    i = _approved(data)
    _snapshot_of(data, i)["source"] = {"system": "ahjo"}
    return f"tables.assessment.{i}.decision_snapshot.source"


def _superseded_null(data: dict[str, Any]) -> str:
    i = _approved(data)
    data["tables"]["assessment"][i]["status"] = "superseded"
    data["tables"]["assessment"][i]["decision_snapshot"] = None
    return f"tables.assessment.{i}.decision_snapshot"


EDITS: dict[str, tuple[Edit, str]] = {
    "not an object": _whole("KS 2026/77"),
    "a list": _whole([KEYS]),
    "empty object": _without_all(),
    "null on an approved assessment": _whole(None),
    "null on a superseded assessment": (_superseded_null, ""),
    "an object on a draft": (_draft_with_snapshot, ""),
    "missing case_number": _without("case_number"),
    "missing planned_date": _without("planned_date"),
    "unknown key": (_extra_key, ""),
    "case_number empty": _field("case_number", ""),
    "case_number too long": _field("case_number", "K" * 65),
    "case_number with a newline": _field("case_number", "KS 2026/1\n"),
    "case_number a number": _field("case_number", 77),
    "title empty": _field("title", ""),
    "title too long": _field("title", "x" * 301),
    "title with a bidi override": _field("title", "Plan \u202enalP"),
    "summary too long": _field("summary", "x" * 20_001),
    "summary null": _field("summary", None),
    "deciding_body empty": _field("deciding_body", ""),
    "deciding_body control character": _field("deciding_body", "Styrelsen\x07"),
    "planned_date not ISO": _field("planned_date", "16.3.2026"),
    "planned_date not a day": _field("planned_date", "2026-02-30"),
    "planned_date a time": _field("planned_date", "2026-03-16T00:00:00"),
    "planned_date a number": _field("planned_date", 20260316),
    "version 0": _field("version", 0),
    "version a string": _field("version", "1"),
    "version a fraction": _field("version", 1.5),
    "version true": _field("version", True),
    "version null": _field("version", None),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_a_broken_snapshot_is_refused_naming_file_table_row_and_field(
    vaasa: dict[str, Any], tmp_path: Path, case: str
) -> None:
    edit, _ = EDITS[case]
    data = json.loads(json.dumps(vaasa))
    where = edit(data)
    result = _import(tmp_path, data)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "vaasa-export.json" in lines[0] and f"{where}:" in lines[0], lines[0]
    assert _count("municipality") == 0 and _count("assessment") == 0  # nothing imported


def test_the_messages_say_what_is_wrong(vaasa: dict[str, Any], tmp_path: Path) -> None:
    cases = {
        "planned_date not a day": "must be a date as YYYY-MM-DD, or null",
        "null on an approved assessment": "is approved: it keeps the decision's details as approved",
        "an object on a draft": "has not been approved",
        "unknown key": "unknown key",
        "case_number too long": "is longer than 64 characters",
        "version 0": "must be at least 1",
    }
    for case, message in cases.items():
        data = json.loads(json.dumps(vaasa))
        EDITS[case][0](data)
        line = _import(tmp_path, data).stderr
        assert message in line, (case, line)


def _rows() -> dict[uuid.UUID, tuple[str, Any, dict[str, Any]]]:
    with session() as s:
        found = s.execute(select(Assessment, Decision).join(Decision, Decision.id == Assessment.decision_id)).all()
        return {
            a.id: (
                a.status,
                a.decision_snapshot,
                {
                    "case_number": d.case_number,
                    "title": d.title,
                    "summary": d.summary,
                    "deciding_body": d.deciding_body,
                    "planned_date": d.planned_date.isoformat() if d.planned_date else None,
                    "version": d.version,
                },
            )
            for a, d in found
        }


def test_a_valid_snapshot_is_imported_as_it_is(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = json.loads(json.dumps(vaasa))
    i = _approved(data)
    kept = {**_snapshot_of(data, i), "title": "Som det godkändes", "planned_date": None}
    data["tables"]["assessment"][i]["decision_snapshot"] = kept
    result = _import(tmp_path, data)
    assert result.exit_code == 0, result.output
    rows = _rows()
    assert rows[uuid.UUID(data["tables"]["assessment"][i]["id"])][1] == kept
    for status, snap, _ in rows.values():
        assert (snap is not None) == (status in ("approved", "superseded"))


def test_an_export_from_before_the_snapshot_gets_the_decisions_details(vaasa: dict[str, Any], tmp_path: Path) -> None:
    data = json.loads(json.dumps(vaasa))
    for a in data["tables"]["assessment"]:
        del a["decision_snapshot"]  # as a server before migration 0013 exported it
    approved = [a["id"] for a in data["tables"]["assessment"] if a["status"] == "approved"]
    assert approved and len(approved) < len(data["tables"]["assessment"])
    result = _import(tmp_path, data)
    assert result.exit_code == 0, result.output
    for status, snap, decision in _rows().values():
        if status in ("approved", "superseded"):
            assert snap == decision
        else:
            assert snap is None
    # exporting again writes them, as a server since 0013 does
    again = _export("905")
    assert [a["decision_snapshot"] is not None for a in again["tables"]["assessment"]] == [
        a["status"] in ("approved", "superseded") for a in again["tables"]["assessment"]
    ]


def test_text_is_imported_as_the_api_stores_it(vaasa: dict[str, Any], tmp_path: Path) -> None:
    """Not normalised to NFC, not refused: as the API, which stores decomposed text as it is sent."""
    data = json.loads(json.dumps(vaasa))
    decomposed = unicodedata.normalize("NFD", "Ändring av skolnätet i Åkerby")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    data["tables"]["decision"][0]["title"] = decomposed
    data["tables"]["rating"][0]["rationale"] = decomposed
    i = _approved(data)
    _snapshot_of(data, i)["summary"] = decomposed
    path = tmp_path / "vaasa-export.json"
    result = _import(tmp_path, data)
    assert result.exit_code == 0, result.output
    exported = _export("905")
    assert exported["tables"]["decision"][0]["title"] == decomposed
    assert exported["tables"]["rating"][0]["rationale"] == decomposed
    assert exported["tables"]["assessment"][i]["decision_snapshot"]["summary"] == decomposed
    assert json.dumps(exported, sort_keys=True) == json.dumps(json.loads(path.read_text("utf-8")), sort_keys=True)


def test_the_api_stores_decomposed_text_as_sent(api: Api) -> None:
    """What the import matches: the API's text rule refuses control and bidirectional characters only."""
    decomposed = unicodedata.normalize("NFD", "Ändring av skolnätet i Åkerby")
    decision = api.create_decision("KS 2026/9", title=decomposed)
    assert decision["title"] == decomposed
    assert api.get(f"/api/v1/decisions/{decision['id']}").json()["title"] == decomposed

"""Rubric file mistakes left over from the exploration of December 5th: two files of one extension
version, a duplicate criterion id reported at the wrong line, and a numeric YAML key reported at the top
of the file. Each is refused with the file, the line and the field the author has to change."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from app.rubrics.loader import RubricFileError, RubricProblem
from app.rubrics.registry import load_registry
from tests.rubrics.test_explore_dec5 import ROOT, VAASA, _line, _rubrics
from tests.rubrics.test_extensions import EXTENSION, _admin
from tests.support import Api
from tests.test_transfer_values import _count, _import, vaasa

__all__ = ["vaasa"]  # a fixture

FOLDER = "extensions/905/vaasa-programme"


def _problems(root: Path) -> list[RubricProblem]:
    with pytest.raises(RubricFileError) as caught:
        load_registry(root)
    return caught.value.problems


def test_two_files_of_one_extension_version_are_refused_at_the_second(tmp_path: Path) -> None:
    """``01.0.0.yaml`` and ``1.0.0.yaml`` compare as the same version: both were loaded, and which one an
    assessment pinning 1.0.0 got was a guess."""
    root = _rubrics(tmp_path)
    text = (ROOT / VAASA).read_text(encoding="utf-8")
    (root / FOLDER / "01.0.0.yaml").write_text(text.replace("version: 1.0.0", "version: 01.0.0"), encoding="utf-8")
    assert _problems(root) == [
        RubricProblem(
            VAASA,
            _line(text, "version:"),
            "version",
            f"1.0.0 is the same version as {FOLDER}/01.0.0.yaml: keep one of the two files",
        )
    ]


def test_a_duplicate_criterion_id_is_reported_at_the_duplicate(tmp_path: Path) -> None:
    """The problem named the line of the list (the first criterion), not the criterion to change."""
    root = _rubrics(tmp_path)
    text = (ROOT / VAASA).read_text(encoding="utf-8")
    ids = [line for line in text.splitlines(True) if line.startswith("  - id: ")]
    (root / VAASA).write_text(text.replace(ids[2], ids[0], 1), encoding="utf-8")
    first = ids[0].removeprefix("  - id: ").strip()
    assert _problems(root) == [
        RubricProblem(VAASA, _line(text, "  - id: ", 2), "criteria.2.id", f"duplicate criterion id {first!r}")
    ]


def test_the_api_still_refuses_a_duplicate_criterion_id(api: Api) -> None:
    twice = copy.deepcopy(EXTENSION)
    twice["criteria"].append(copy.deepcopy(twice["criteria"][0]))
    r = _admin(api).post("/api/v1/rubric-extensions", twice)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["message"], e["code"]) for e in r.json()["errors"]] == [
        ("criteria.1.id", "duplicate criterion id 'hki-port.cruise-traffic'", "duplicate")
    ]
    assert api.get("/api/v1/rubric-extensions").json() == []


def test_an_import_still_refuses_a_duplicate_criterion_id(vaasa: dict[str, Any], tmp_path: Path) -> None:
    """The check stays in the model, so an edited export is refused too (not only files and the API)."""
    data = copy.deepcopy(vaasa)
    [row] = data["tables"]["rubric_extension"]
    criteria = row["content"]["criteria"]
    criteria.append(copy.deepcopy(criteria[0]))
    result = _import(tmp_path, data)
    assert result.exit_code == 1, result.output
    where = f"tables.rubric_extension.0.content.criteria.{len(criteria) - 1}.id"
    assert where in result.stderr and "duplicate criterion id" in result.stderr, result.stderr
    assert _count("municipality") == 0


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "  en: Vaasa – goals of the business programme\n",
            "  en: Vaasa – goals of the business programme\n  1: x\n",
            "title.1",
        ),
        ("criteria:\n", "2026: x\ncriteria:\n", "2026"),  # a key of the top level
    ],
)
def test_a_numeric_key_is_reported_at_its_line(tmp_path: Path, old: str, new: str, field: str) -> None:
    """YAML reads ``1: x`` as the number 1 while the file's lines are kept by the key's text: the problem
    named the top of the file, or the first key of the mapping."""
    root = _rubrics(tmp_path)
    text = (ROOT / VAASA).read_text(encoding="utf-8").replace(old, new, 1)
    (root / VAASA).write_text(text, encoding="utf-8")
    numeric = next(line for line in new.splitlines() if line.endswith(": x"))
    [problem] = _problems(root)
    assert (problem.file, problem.line, problem.field) == (VAASA, _line(text, numeric), field), problem

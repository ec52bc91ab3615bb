"""Every rubric file validates against the published JSON Schema; problems name file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema_rs
import pytest

from app.rubrics.loader import parse_yaml
from app.rubrics.schema import rubric_file_schema
from tests.rubrics.schema_check import rubric_files, schema_problems

ROOT = Path(__file__).resolve().parents[2] / "rubrics"


def test_every_rubric_file_matches_the_schema() -> None:
    files = rubric_files(ROOT)
    kinds = {p.name for p in files}
    assert {"rubric.yaml", "migration.yaml", "policy.yaml"} <= kinds
    assert any("extensions" in p.parts for p in files)
    problems = [str(p) for path in files for p in schema_problems(path, ROOT)]
    assert problems == []


def test_every_file_matches_the_top_level_schema_as_published(api) -> None:
    published = api.get("/api/v1/rubrics/schema").json()
    assert published == rubric_file_schema()
    validator = jsonschema_rs.validator_for(published)
    for path in rubric_files(ROOT):
        data, _ = parse_yaml(path)
        assert validator.is_valid(data), path


def _broken_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    return root


def test_a_text_without_finnish_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path)
    path = root / "kuntaliitto-vitality/1.1.0/perspectives/policy.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    # the Finnish question of the first criterion
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: policy.organisation.strategy-fit")
    fi = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("fi:"))
    del lines[fi]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = schema_problems(path, root)
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "kuntaliitto-vitality/1.1.0/perspectives/policy.yaml"
    assert p.field == "criteria.0.question.fi"
    assert p.line == fi  # 1-based: the line where the mapping that lacks fi starts (its `sv:` line)
    assert "fi" in p.message and "required" in p.message


def test_a_misspelt_key_is_named(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path)
    path = root / "extensions/905/vaasa-programme/1.0.0.yaml"
    text = path.read_text(encoding="utf-8").replace("    perspective: policy\n", "    perspektive: policy\n")
    path.write_text(text, encoding="utf-8")
    fields = {(p.field, p.line) for p in schema_problems(path, root)}
    line = 1 + text.splitlines().index("    perspektive: policy")
    assert ("criteria.2.perspektive", line) in fields
    assert any(f == "criteria.2.perspective" for f, _ in fields)  # and the missing key


@pytest.mark.parametrize(
    ("name", "bad", "field"),
    [
        ("kuntaliitto-vitality/1.1.0/migration.yaml", ("from_version: 1.0.0", "from_version: one"), "from_version"),
        ("kuntaliitto-vitality/1.1.0/rubric.yaml", ("version: 1.1.0", "version: 1.1"), "version"),
    ],
)
def test_other_file_kinds_are_checked(tmp_path: Path, name: str, bad: tuple[str, str], field: str) -> None:
    root = _broken_copy(tmp_path)
    path = root / name
    path.write_text(path.read_text(encoding="utf-8").replace(*bad, 1), encoding="utf-8")
    problems = schema_problems(path, root)
    assert [p.field for p in problems] == [field]
    assert problems[0].line is not None and problems[0].file == name

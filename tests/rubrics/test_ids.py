"""Ids are unique and stable: a released version keeps every criterion id (and its text, by hash), ids
follow the naming rule, and an id that a newer version drops is accounted for in its migration map."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.rubrics.loader import RubricFileError
from app.rubrics.models import LANGUAGES, Text
from app.rubrics.registry import load_registry

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
RELEASED = sorted(Path(__file__).parent.glob("ids-*.txt"))
HEADER = re.compile(r"^# Criterion ids of ([a-z0-9-]+)@(\d+\.\d+\.\d+),")


def _released(path: Path) -> tuple[str, str, str, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    m = HEADER.match(lines[0])
    assert m, f"{path.name}: first line must name the rubric version"
    digest = next(line.split()[-1] for line in lines if line.startswith("# content_hash "))
    return m[1], m[2], digest, [line for line in lines if line and not line.startswith("#")]


def test_there_are_released_id_lists() -> None:
    assert [p.name for p in RELEASED][:2] == ["ids-1.0.0.txt", "ids-1.1.0.txt"]


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.name)
def test_a_released_version_keeps_its_ids_and_text(registry, path: Path) -> None:
    rubric_id, version, digest, ids = _released(path)
    rubric = registry.get(rubric_id, version)
    assert rubric is not None, f"released version {rubric_id}@{version} can no longer be loaded"
    current = [c.id for _, c in rubric.criteria()]
    assert sorted(set(ids) - set(current)) == [], "criterion ids of a released version disappeared"
    assert sorted(set(current) - set(ids)) == [], "a released version gained criteria: make a new version"
    assert rubric.content_hash == digest, (
        f"the text of released {rubric.key} changed; assessments pinned its hash. Publish a new version instead."
    )


def test_ids_are_unique_and_follow_the_naming_rule(registry) -> None:
    for rubric_id in registry.ids():
        for rubric in registry.versions(rubric_id):
            ids = [c.id for _, c in rubric.criteria()]
            assert len(ids) == len(set(ids))
            for p, c in rubric.criteria():
                assert c.id.startswith(f"{p.id}.{c.target.value}."), f"{rubric.key}: {c.id}"
                assert not c.local
    for ext in registry.extensions:
        assert all(c.id.startswith(f"{ext.id}.") for c in ext.criteria)


def test_every_text_of_every_version_and_extension_has_three_languages(registry) -> None:
    def walk(obj: object, path: str, seen: list[str]) -> None:
        if isinstance(obj, Text):
            seen.append(path)
            for lang in LANGUAGES:
                assert getattr(obj, lang).strip(), f"{path} lacks {lang}"
        elif hasattr(type(obj), "model_fields"):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}", seen)
        elif isinstance(obj, list | tuple):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]", seen)
        elif isinstance(obj, dict):
            for key, item in obj.items():
                walk(item, f"{path}.{key}", seen)

    texts: list[str] = []
    for rubric_id in registry.ids():
        for rubric in registry.versions(rubric_id):
            walk(rubric, rubric.key, texts)
            walk(registry.migration(rubric_id, rubric.version), f"{rubric.key}/migration", texts)
    for ext in registry.extensions:
        walk(ext, ext.key, texts)
    assert len(texts) > 2 * 111 * 5


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    return root


def _drop_criterion(path: Path, criterion_id: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {criterion_id}\n")
    end = text.find("\n  - id: ", start + 1)
    path.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), encoding="utf-8")


def test_an_id_dropped_without_the_map_fails_to_load(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _drop_criterion(root / "kuntaliitto-vitality/1.1.0/perspectives/mergers.yaml", "mergers.residents.periphery")
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    problem = info.value.problems[0]
    assert problem.file == "kuntaliitto-vitality/1.1.0/migration.yaml"
    assert "mergers.residents.periphery" in problem.message and "renamed, merged or removed" in problem.message


def test_without_any_map_a_dropped_id_names_the_missing_map(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "kuntaliitto-vitality/1.1.0/migration.yaml").unlink()
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    assert "need a migration map from 1.0.0" in str(info.value)
    assert "logistics.residents.service-access" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "  cross-sector.residents.culture-community: cross-sector.residents.place-attachment",
            "  cross-sector.residents.culture-community: cross-sector.residents.nowhere",
            "merged.cross-sector.residents.culture-community",
            "is not a criterion of kuntaliitto-vitality@1.1.0",
        ),
        (
            "      - rural-services.residents.access",
            "      - rural-services.residents.gone",
            "removed.0.see.1",
            "'rural-services.residents.gone' is not a criterion",
        ),
        (
            "  cross-sector.residents.culture-community: cross-sector.residents.place-attachment",
            "  cross-sector.residents.culture-community: cross-sector.firms.skills-supply",
            "merged.cross-sector.residents.culture-community",
            "is about residents",
        ),
        ("from_version: 1.0.0", "from_version: 0.9.0", "from_version", "is not installed"),
    ],
)
def test_a_wrong_map_names_file_line_and_field(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    root = _copy(tmp_path)
    path = root / "kuntaliitto-vitality/1.1.0/migration.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    found = [p for p in info.value.problems if p.field == field]
    assert found, [str(p) for p in info.value.problems]
    assert found[0].file == "kuntaliitto-vitality/1.1.0/migration.yaml"
    assert message in found[0].message
    line = 1 + new_line_index(path, new)
    assert found[0].line == line


def new_line_index(path: Path, line: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(line)

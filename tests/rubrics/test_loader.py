"""Rubric files: the shipped rubric is complete; broken files name file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.rubrics.loader import RubricFileError, parse_yaml_text
from app.rubrics.models import LANGUAGES, PERSPECTIVE_IDS, Target
from app.rubrics.registry import load_registry

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
PRODUCT_TITLES_SV = {
    "policy": "Livskraftspolitikens dimensioner och organiseringen av näringspolitiken",
    "mergers": "Livskraften vid kommunsammanslagningar",
}


def test_shipped_rubric_has_nine_perspectives_with_fixed_ids(registry) -> None:
    rubric = registry.default()
    assert [p.id for p in rubric.perspectives] == list(PERSPECTIVE_IDS)
    for pid, title in PRODUCT_TITLES_SV.items():
        p = rubric.perspective(pid)
        assert p is not None
        assert p.title.sv == title


def test_every_perspective_has_criteria_for_every_target(registry) -> None:
    for p in registry.default().perspectives:
        for target in Target:
            n = len(p.criteria_for(target))
            assert 3 <= n <= 6, f"{p.id}/{target}: {n} criteria"


def test_every_text_in_three_languages(registry) -> None:
    def walk(obj: object, path: str) -> None:
        from app.rubrics.models import Text

        if isinstance(obj, Text):
            for lang in LANGUAGES:
                assert getattr(obj, lang).strip(), f"{path} lacks {lang}"
        elif hasattr(type(obj), "model_fields"):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}")
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]")

    walk(registry.default(), "rubric")


def _copy_rubric(tmp_path: Path) -> Path:
    dst = tmp_path / "rubrics"
    shutil.copytree(ROOT, dst)
    return dst


def test_missing_language_names_file_line_and_field(tmp_path: Path) -> None:
    root = _copy_rubric(tmp_path)
    path = root / "kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, line in enumerate(lines) if line.strip().startswith("fi:") and i > 10)
    del lines[idx]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    problem = info.value.problems[0]
    assert problem.file.endswith("perspectives/logistics.yaml")
    # a missing key is reported at the line of the mapping that lacks it
    indent = len(lines[idx]) - len(lines[idx].lstrip())
    parent = max(i for i in range(idx) if len(lines[i]) - len(lines[i].lstrip()) < indent and lines[i].strip())
    assert problem.line == parent + 1
    assert problem.field.endswith(".fi")


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    root = _copy_rubric(tmp_path)
    path = root / "kuntaliitto-vitality/1.0.0/perspectives/policy.yaml"
    text = path.read_text(encoding="utf-8").replace("purpose:", "purpose: [unclosed", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    assert "invalid YAML" in str(info.value)
    assert info.value.problems[0].line is not None


def test_aliases_and_bombs_are_refused() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(RubricFileError, match="anchors and aliases are not allowed"):
        parse_yaml_text(bomb, "bomb.yaml")


def test_duplicate_criterion_ids_are_refused(tmp_path: Path) -> None:
    root = _copy_rubric(tmp_path)
    path = root / "kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "logistics.firms.transport-costs", "logistics.firms.affected-firms", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricFileError, match="duplicate criterion id"):
        load_registry(root)


def test_content_hash_is_stable(registry) -> None:
    again = load_registry(ROOT)
    assert again.default().content_hash == registry.default().content_hash
    assert len(registry.default().content_hash) == 64


def test_duplicate_keys_are_refused_with_line() -> None:
    with pytest.raises(RubricFileError, match="appears twice") as info:
        parse_yaml_text("id: a\ntitle: x\nid: b\n", "dup.yaml")
    assert info.value.problems[0].line == 3

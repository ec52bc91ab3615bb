"""The rubric loader fed broken YAML: a clear RubricFileError (file, line, field) or success — never an
unexpected exception, never unbounded time or memory."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rubrics.loader import RubricFileError, load_model, parse_yaml, parse_yaml_text, validate_data
from app.rubrics.models import Perspective

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

ROOT = Path(__file__).resolve().parents[2] / "rubrics" / "kuntaliitto-vitality" / "1.0.0" / "perspectives"
YAML_BITS = st.sampled_from(
    [
        "id: x\n",
        "title: [\n",
        "  - a\n",
        "&a [x]\n",
        "*a\n",
        "!!python/object:os.system ls\n",
        "? {a: 1}\n",
        ": :\n",
        "criteria:\n",
        "- id: a\n  target: firms\n",
        "\t",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "'\n",
        '"\\x\n',
        "sv: å\n",
        "key: &k v\nother: *k\n",
        "{" * 50,
        "[" * 50,
        "id: 1\nid: 2\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.lists(YAML_BITS, max_size=30).map("".join), st.text(max_size=400)))
def test_any_text_gives_a_clear_error_or_data(text: str) -> None:
    problems = []
    try:
        data, lines = parse_yaml_text(text, "fuzz.yaml")
        validate_data(Perspective, data, lines, "fuzz.yaml")
    except RubricFileError as exc:
        problems = exc.problems
    assert all(p.file == "fuzz.yaml" and str(p) for p in problems)


def test_billion_laughs_is_refused_quickly_in_bounded_memory() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "\n".join(lines)
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(RubricFileError, match="anchors and aliases"):
        parse_yaml_text(bomb, "bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 1.0
    assert peak < 5_000_000


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['touch /tmp/livskraft-pwned']\n", encoding="utf-8")
    with pytest.raises(RubricFileError, match="invalid YAML"):
        parse_yaml(path, "evil.yaml")
    assert not Path("/tmp/livskraft-pwned").exists()


def test_wrong_types_name_the_field() -> None:
    text = (ROOT / "policy.yaml").read_text(encoding="utf-8").replace("target: firms", "target: 42", 1)
    with pytest.raises(RubricFileError) as info:
        validate_data(Perspective, *parse_yaml_text(text, "policy.yaml"), "policy.yaml")
    problem = info.value.problems[0]
    assert problem.field.endswith(".target") and problem.line is not None


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * 2_100_000)
    with pytest.raises(RubricFileError, match="larger than"):
        load_model(Perspective, path)


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: Närpes\n".encode("latin-1"))
    with pytest.raises(RubricFileError, match="UTF-8"):
        load_model(Perspective, path)

"""Broken rubric files that used to escape the loader's rules: each names file and line, never a traceback.

Deep nesting used to end in a RecursionError without a file name (and `serve` would crash on it); a NUL
byte gave PyYAML's "position 832" instead of a line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.rubrics.loader import RubricFileError, parse_yaml_text
from app.rubrics.registry import load_registry

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
POLICY = "kuntaliitto-vitality/1.0.0/perspectives/policy.yaml"


def _copy_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    (root / POLICY).write_text(text, encoding="utf-8")
    return root


def _policy_problem(root: Path) -> str:
    """The one problem reported for the broken file (others follow from it, e.g. a version without it)."""
    with pytest.raises(RubricFileError) as info:
        load_registry(root)
    [problem] = [p for p in info.value.problems if p.file.endswith("perspectives/policy.yaml")]
    return str(problem)


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "}" * 5000, "- " * 3000 + "x\n"])
def test_deep_nesting_names_file_and_line(tmp_path: Path, text: str) -> None:
    message = _policy_problem(_copy_with(tmp_path, text))
    assert "nested too deeply" in message
    assert message.startswith(f"{POLICY}:1: "), message


def test_deep_nesting_reports_the_line_where_it_gets_too_deep() -> None:
    text = "id: policy\ncriteria:\n" + "".join("  " * i + "-\n" for i in range(400)) + "  " * 400 + "x\n"
    with pytest.raises(RubricFileError, match="nested too deeply") as info:
        parse_yaml_text(text, "deep.yaml")
    [problem] = info.value.problems
    assert problem.file == "deep.yaml"
    assert problem.line is not None and 3 <= problem.line <= 403


def test_a_document_nested_below_the_limit_still_loads() -> None:
    data, lines = parse_yaml_text("a: " + "[" * 40 + "1" + "]" * 40 + "\n", "ok.yaml")
    depth, node = 0, data["a"]
    while isinstance(node, list):
        depth, node = depth + 1, node[0]
    assert (depth, node) == (40, 1)
    assert lines[("a",)] == 1


def test_deep_nesting_is_reported_by_rubrics_check_and_serve_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy_with(tmp_path, "[" * 5000 + "]" * 5000)
    result = CliRunner().invoke(cli, ["rubrics", "check", str(root)])
    assert result.exit_code == 1
    assert not isinstance(result.exception, RecursionError)
    assert f"{POLICY}:1: invalid YAML" in result.stderr and "nested too deeply" in result.stderr
    assert "Traceback" not in result.output
    # `serve` checks the rubrics before it starts; a broken file is an error message, not a crash
    from app.settings import get_settings

    monkeypatch.setenv("LIVSKRAFT_RUBRICS_DIR", str(root))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", "1"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert not isinstance(result.exception, RecursionError)
    assert "nested too deeply" in result.stderr


def test_a_nul_byte_names_the_line_and_the_character(tmp_path: Path) -> None:
    original = (ROOT / POLICY).read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    lines[9] = lines[9].rstrip("\n") + "\x00\n"  # line 10
    message = _policy_problem(_copy_with(tmp_path, "".join(lines)))
    assert message.startswith(f"{POLICY}:10: "), message
    assert "U+0000" in message
    assert "position" not in message


@pytest.mark.parametrize(
    ("text", "line", "char"),
    [
        ("\x00", 1, "U+0000"),
        ("id: a\r\ntitle: b\x07\n", 2, "U+0007"),
        ("id: a\n\n\ntitle: b\n# \x1b\n", 5, "U+001B"),
        ("id: a\rtitle: b\x0e\n", 2, "U+000E"),
        ("id: a\ntitle: \ufffe\n", 2, "U+FFFE"),
    ],
)
def test_unacceptable_characters_name_their_line(text: str, line: int, char: str) -> None:
    with pytest.raises(RubricFileError) as info:
        parse_yaml_text(text, "bad.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line) == ("bad.yaml", line)
    assert char in problem.message and "position" not in problem.message


def test_running_out_of_stack_is_still_a_rubric_file_error() -> None:
    """The depth limit normally stops nesting first; on a stack that is already nearly used up (a deep
    caller), the RecursionError itself is turned into the same clear problem."""
    import inspect
    import sys

    text = "id: x\nitems:\n  " + "[" * 90 + "]" * 90 + "\n"  # below MAX_DEPTH
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 80)
    try:
        with pytest.raises(RubricFileError) as info:
            parse_yaml_text(text, "deep.yaml")
    finally:
        sys.setrecursionlimit(limit)
    [problem] = info.value.problems
    assert problem.file == "deep.yaml" and "nested too deeply" in problem.message
    assert problem.line == 3


def _rubrics_check(root: Path) -> str:
    result = CliRunner().invoke(cli, ["rubrics", "check", str(root)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip() == text)


def test_a_perspective_outside_the_nine_is_refused_with_its_line(tmp_path: Path) -> None:
    """The nine perspective ids are fixed (the API, stored ratings and screening rely on them): a header
    that lists another id, leaves one out or lists one twice is named by file, line and field."""
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    header = root / "kuntaliitto-vitality/1.0.0/rubric.yaml"
    text = header.read_text(encoding="utf-8")
    assert "\n  - mergers\n" in text and "\n  - logistics\n" in text
    header.write_text(text.replace("\n  - mergers\n", "\n  - logistics\n"), encoding="utf-8")
    errors = _rubrics_check(root)
    last = max(
        i for i, line in enumerate(header.read_text(encoding="utf-8").splitlines(), 1) if line == "  - logistics"
    )
    assert (
        f"kuntaliitto-vitality/1.0.0/rubric.yaml:{last}: perspectives.{8}: perspective 'logistics' is listed twice"
        in errors
    )
    assert "perspectives: every base rubric has the nine perspectives: 'mergers' missing" in errors

    shutil.copy(root / "kuntaliitto-vitality/1.0.0/perspectives/mergers.yaml", tmp_path / "mergers.yaml")
    header.write_text(text.replace("\n  - mergers\n", "\n  - tourism\n"), encoding="utf-8")
    (root / "kuntaliitto-vitality/1.0.0/perspectives/tourism.yaml").write_text(
        (tmp_path / "mergers.yaml").read_text(encoding="utf-8").replace("id: mergers", "id: tourism", 1),
        encoding="utf-8",
    )
    errors = _rubrics_check(root)
    assert (
        f"kuntaliitto-vitality/1.0.0/rubric.yaml:{_line_of(header, '- tourism')}: perspectives.8: "
        "unknown perspective 'tourism'" in errors
    )


def test_a_criterion_named_for_another_perspective_or_target_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    path = root / "kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("- id: logistics.firms.transport-costs", "- id: logistics.residents.transport-costs"),
        encoding="utf-8",
    )
    errors = _rubrics_check(root)
    line = _line_of(path, "- id: logistics.residents.transport-costs")
    expected = (
        f"kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml:{line}: criteria.5.id: a criterion of this "
        "perspective and target is named logistics.firms.<slug>, found 'logistics.residents.transport-costs'"
    )
    assert expected in errors


def test_too_few_criteria_for_a_target_are_refused(tmp_path: Path) -> None:
    """Each target has 3 to 6 criteria in every perspective of a base rubric."""
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    path = root / "kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: logistics.residents.commuting")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:"))
    residents = sum(1 for line in lines if line.startswith("  - id: logistics.residents."))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    if residents - 1 >= 3:  # remove a second one if the shipped file has four
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith("  - id: logistics.residents."))
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:")), len(lines))
        path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    errors = _rubrics_check(root)
    line = _line_of(path, "criteria:") + 1  # where the list starts
    assert (
        f"kuntaliitto-vitality/1.0.0/perspectives/logistics.yaml:{line}: criteria: "
        "2 criteria for the target 'residents'; each target has 3 to 6" in errors
    )

"""`livskraft rubrics check` given the file an author wrote, or a folder inside the rubric folder: it
checks the rubric folder that holds it (a file is checked against the base rubric and the other files),
instead of "rubric folder does not exist" for a file that exists or "905/vaasa-programme/rubric.yaml:
cannot read file" for the extensions folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app as cli

ROOT = Path(__file__).resolve().parents[1] / "rubrics"
VAASA = "extensions/905/vaasa-programme/1.0.0.yaml"


def _check(target: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rubrics", "check", str(target)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def rubrics(tmp_path: Path) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    return root


@pytest.mark.parametrize("inside", [VAASA, "extensions", "extensions/905/vaasa-programme", "kuntaliitto-vitality"])
def test_a_file_or_folder_inside_the_rubric_folder_checks_that_folder(rubrics: Path, inside: str) -> None:
    code, out, err = _check(rubrics / inside)
    assert code == 0, err
    assert f"checking the rubric folder {rubrics}, which holds {rubrics / inside}" in err
    assert "extension vaasa-programme@1.0.0 for 905: 3 criteria" in out


def test_a_broken_extension_file_checked_by_its_own_name_names_file_line_and_field(rubrics: Path) -> None:
    path = rubrics / VAASA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    target: firms\n", "    target: companies\n", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "    target: firms")
    code, _, err = _check(path)
    assert code == 1
    assert f"{VAASA}:{line}: criteria.0.target: Input should be 'organisation', 'firms' or 'residents'" in err


def test_a_file_outside_any_rubric_folder_is_refused_with_what_to_give(tmp_path: Path) -> None:
    stray = tmp_path / "1.0.0.yaml"
    stray.write_text("id: x\n", encoding="utf-8")
    code, out, err = _check(stray)
    assert code == 1 and out == ""
    assert f"error: {stray} is not in a rubric folder: give the folder that holds the rubric versions" in err


def test_a_path_that_does_not_exist_is_still_said_so(rubrics: Path) -> None:
    code, _, err = _check(rubrics / "extensions/905/vaasa-programme/1.1.0.yaml")
    assert code == 1
    assert "1.1.0.yaml: rubric folder does not exist" in err


@pytest.fixture
def broken_rubrics(rubrics: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configured rubric folder with an extension whose id breaks its pattern (a message with
    ``[a-z0-9]`` in it)."""
    from app.settings import get_settings

    path = rubrics / VAASA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(".energy-cluster", ".Energy-Cluster", 1), encoding="utf-8")
    monkeypatch.setenv("LIVSKRAFT_RUBRICS_DIR", str(rubrics))
    get_settings.cache_clear()
    yield rubrics
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "args",
    [
        ("seed",),
        ("import", "{export}"),
        ("report", "assessment", "00000000-0000-0000-0000-000000000000", "-o", "{pdf}"),
        ("report", "portfolio", "--municipality", "905", "--from", "2026-01-01", "--to", "2026-12-31", "-o", "{pdf}"),
    ],
)
def test_broken_rubric_files_are_named_not_a_traceback(
    broken_rubrics: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """`seed`, `import` and `report` printed a Rich traceback of RubricFileError (exit code 1) when an
    author's extension file was broken; now what `serve` says of them."""
    from tests.support import make_municipality

    make_municipality("905")
    export = tmp_path / "export.json"
    export.write_text("{}", encoding="utf-8")
    argv = [a.format(export=export, pdf=tmp_path / "out.pdf") for a in args]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "╭" not in result.stderr
    rows = (ROOT / VAASA).read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(rows, 1) if ".energy-cluster" in row)
    assert result.stderr.splitlines() == [
        "error: the rubric files are broken:",
        f"{VAASA}:{line}: criteria.0.id: String should match pattern '^[a-z0-9]+(?:[-.][a-z0-9]+)*$'",
    ]


def test_rubrics_diff_shows_a_pattern_as_written(broken_rubrics: Path) -> None:
    """Rich read ``[a-z0-9]`` in the message as markup and dropped it: "pattern '^+(?:[-.]+)*$'"."""
    result = CliRunner().invoke(cli, ["rubrics", "diff", "kuntaliitto-vitality@1.0.0", "kuntaliitto-vitality@1.1.0"])
    assert result.exit_code == 1
    assert "'^[a-z0-9]+(?:[-.][a-z0-9]+)*$'" in result.stderr

"""Mistakes a municipality's author makes in an extension file, found by exploring `livskraft rubrics
check`: each is refused with file, line and field, in words the author can act on."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app as cli
from tests.rubrics.test_extensions import EXTENSION, _admin
from tests.support import Api

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
VAASA = "extensions/905/vaasa-programme/1.0.0.yaml"


def _rubrics(tmp_path: Path) -> Path:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    return root


def _check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rubrics", "check", str(root)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _changed(old: str, new: str) -> str:
    text = (ROOT / VAASA).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line(text: str, start: str, nth: int = 0) -> int:
    """The number of the ``nth`` line of ``text`` that begins with ``start``."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start)][nth]


def _check_with(root: Path, relative: str, text: str) -> tuple[int, str]:
    """``rubrics check`` of ``root`` with the extension file ``relative`` added, holding ``text``."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return _check(root)


@pytest.mark.parametrize("name", ["1.1.0.yml", "1.1.0.YAML"])
def test_a_new_version_saved_as_yml_is_refused_not_left_out(tmp_path: Path, name: str) -> None:
    """The loader reads ``*.yaml`` only: ``1.1.0.yml`` was left out and the check passed, so the author's
    new questions never appeared and nothing said why."""
    root = _rubrics(tmp_path)
    (root / "extensions/905/vaasa-programme" / name).write_text(
        _changed("version: 1.0.0", "version: 1.1.0"), encoding="utf-8"
    )
    code, out = _check(root)
    assert code == 1
    assert f"extensions/905/vaasa-programme/{name}: not loaded: extension files end in .yaml" in out
    assert "rename it to 1.1.0.yaml" in out


@pytest.mark.parametrize("code", ["999", "0905"])
def test_an_extension_for_a_code_no_municipality_has_is_refused(tmp_path: Path, code: str) -> None:
    """No municipality can be created with the code (``municipalities create`` refuses it), so the
    extension would never be used; the check passed it."""
    root = _rubrics(tmp_path)
    text = _changed('municipality: "905"', f'municipality: "{code}"')
    status, out = _check_with(root, f"extensions/{code}/vaasa-programme/1.0.0.yaml", text)
    assert status == 1
    line = _line(text, "municipality:")
    assert f"extensions/{code}/vaasa-programme/1.0.0.yaml:{line}: municipality: '{code}' is not an official" in out


def test_a_misspelt_base_names_the_base_field(tmp_path: Path) -> None:
    """It named ``base_version`` (the line below), which the author had written correctly."""
    root = _rubrics(tmp_path)
    text = _changed("base: kuntaliitto-vitality", "base: kuntaliito-vitality")
    (root / VAASA).write_text(text, encoding="utf-8")
    code, out = _check(root)
    assert code == 1
    assert (
        f"{VAASA}:{_line(text, 'base:')}: base: no base rubric 'kuntaliito-vitality' is installed "
        "(installed: 'kuntaliitto-vitality')"
    ) in out
    assert "base_version" not in out


@pytest.mark.parametrize(
    ("old", "new", "field", "read_as"),
    [
        ('municipality: "905"', "municipality: 905", "municipality", "905 as a number"),
        ("version: 1.0.0", "version: 1.0", "version", "1.0 as a number"),
        ("version: 1.0.0", "version: 2026-01-01", "version", "2026-01-01 as a date"),
        ("  en: Vaasa – goals of the business programme", "  en: yes", "title.en", "as true or false"),
    ],
)
def test_an_unquoted_value_read_as_no_text_says_to_put_it_in_quotes(
    tmp_path: Path, old: str, new: str, field: str, read_as: str
) -> None:
    """ "Input should be a valid string" alone: the author sees a string in the file."""
    root = _rubrics(tmp_path)
    text = _changed(old, new)
    (root / VAASA).write_text(text, encoding="utf-8")
    code, out = _check(root)
    assert code == 1
    line = _line(text, new)
    assert (
        f"{VAASA}:{line}: {field}: Input should be a valid string "
        f"(YAML reads the unquoted value {read_as}: put it in quotes)"
    ) in out


def test_a_bad_extension_id_is_one_problem_not_two(tmp_path: Path) -> None:
    """An id over 80 characters also drew "criterion id … must start with the extension id: '.'" about
    criteria that were right."""
    root = _rubrics(tmp_path)
    (root / VAASA).write_text(_changed("id: vaasa-programme\n", "id: " + "a" * 81 + "\n"), encoding="utf-8")
    code, out = _check(root)
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith(VAASA)] == [
        f"{VAASA}:5: id: String should have at most 80 characters"
    ]


def test_a_duplicate_criterion_id_reads_without_pydantic_s_prefix(tmp_path: Path) -> None:
    root = _rubrics(tmp_path)
    text = (ROOT / VAASA).read_text(encoding="utf-8")
    ids = [line for line in text.splitlines(True) if line.startswith("  - id: ")]
    (root / VAASA).write_text(text.replace(ids[1], ids[0], 1), encoding="utf-8")
    code, out = _check(root)
    assert code == 1
    second = _line(text, "  - id: ", 1)
    assert f"{VAASA}:{second}: criteria.1.id: duplicate criterion id" in out  # at the duplicate (leftovers)
    assert "Value error" not in out


def test_two_extensions_cannot_share_a_criterion_id(tmp_path: Path) -> None:
    """``a.b.c`` fits both the extensions ``a`` and ``a.b``: a new assessment pinned both and got two
    questions of one id."""
    root = _rubrics(tmp_path)
    (root / VAASA).write_text(
        _changed("  - id: vaasa-programme.energy-cluster", "  - id: vaasa-programme.x.energy-cluster"),
        encoding="utf-8",
    )
    other = (ROOT / VAASA).read_text(encoding="utf-8").replace("vaasa-programme", "vaasa-programme.x")
    for slug in ("skills", "business"):  # only the first criterion clashes
        other = other.replace(f"vaasa-programme.x.{slug}", f"vaasa-programme.x.{slug}-2")
    code, out = _check_with(root, "extensions/905/vaasa-programme.x/1.0.0.yaml", other)
    assert code == 1
    assert (
        f"extensions/905/vaasa-programme.x/1.0.0.yaml:{_line(other, '  - id: ')}: criteria.0.id: "
        "'vaasa-programme.x.energy-cluster' is already a criterion of the extension vaasa-programme@1.0.0"
    ) in out


def test_the_api_refuses_a_criterion_id_of_another_extension(api: Api) -> None:
    admin = _admin(api)
    first = copy.deepcopy(EXTENSION)
    first["criteria"][0]["id"] = "hki-port.cruise.traffic"
    assert admin.post("/api/v1/rubric-extensions", first).status_code == 201
    clash = copy.deepcopy(first) | {"id": "hki-port.cruise"}
    r = admin.post("/api/v1/rubric-extensions", clash)
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == "criteria.0.id" and "hki-port@1.0.0" in error["message"]


def test_an_extension_id_that_is_a_perspective_id_is_refused(tmp_path: Path, api: Api) -> None:
    """The base rubric's ids begin with a perspective id (``green-economy.firms.…``), so an extension named
    ``green-economy`` could hold an id a newer base version adds, and the service would then refuse to
    start; docs/rubric.md promises the ids never clash."""
    root = _rubrics(tmp_path)
    text = (ROOT / VAASA).read_text(encoding="utf-8").replace("vaasa-programme", "green-economy")
    code, out = _check_with(root, "extensions/905/green-economy/1.0.0.yaml", text)
    assert code == 1
    assert (
        f"extensions/905/green-economy/1.0.0.yaml:{_line(text, 'id:')}: id: an extension id must not begin "
        "with the perspective id 'green-economy', as the base rubric's ids do"
    ) in out
    published = copy.deepcopy(EXTENSION) | {"id": "logistics.port"}
    published["criteria"][0]["id"] = "logistics.port.cruise-traffic"
    r = _admin(api).post("/api/v1/rubric-extensions", published)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["id"]

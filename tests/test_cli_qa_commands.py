"""Operator mistakes found by exploratory testing of `livskraft`, each through the real command on the
migrated test database:

* `tokens list` cut the token id to "a706fa93-5…" in its table when piped or in 80 columns, so the id
  `tokens revoke` needs could not be read from it;
* `backup` onto the database file itself (or its -wal) "succeeded" and replaced the live database
  under the service; onto a folder it was a raw "[Errno 21]" naming a temporary file;
* `restore` of a file that does not exist first asked whether to replace the database by it;
* `seed --dir` of a folder that does not exist loaded nothing and exited 0; a file in it that is not
  UTF-8 was a traceback;
* `report ID -o -` wrote a file named "-" into the working folder; a failed report left its progress
  bar below the error;
* `report` and `export` on a full disk (or over a quota) left a cut file, also in place of a good one
  written before; `backup` there was a traceback;
* `users create` / `reset-password` with nothing on standard input (cron, /dev/null) said the password
  was shorter than 12 characters.
"""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.settings import get_settings
from tests.server import ROOT, VENV_BIN
from tests.support import Api, make_municipality

runner = CliRunner()


def test_tokens_list_piped_gives_whole_ids_that_revoke_takes() -> None:
    make_municipality("091")
    name = "integration with the case management system of the city (diarium), production"
    created = runner.invoke(
        app, ["tokens", "create", "--municipality", "091", "--scopes", "read,write,admin", "--name", name]
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["tokens", "list", "--municipality", "091"], terminal_width=80)
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.splitlines()
    token_id, token_name, prefix, scopes, _created, revoked = line.split("\t")
    assert len(token_id) == 36 and "…" not in line
    assert (token_name, scopes, revoked) == (name, "admin,read,write", "")
    assert created.stdout.startswith(prefix)
    revoke = runner.invoke(app, ["tokens", "revoke", "--municipality", "091", token_id])
    assert revoke.exit_code == 0, revoke.output
    [line] = runner.invoke(app, ["tokens", "list", "--municipality", "091"]).stdout.splitlines()
    assert line.split("\t")[5] != ""


def _sqlite_database() -> Path:
    from app.db.engine import sqlite_path

    url = get_settings().effective_database_url
    if not url.startswith("sqlite"):
        pytest.skip("the database is a file on SQLite only")
    path = sqlite_path(url)
    assert path is not None
    return path


def test_backup_onto_the_database_itself_is_refused_and_leaves_it_alone(api: Api, tmp_path: Path) -> None:
    db = _sqlite_database()
    api.create_assessment()
    before = os.stat(db)
    for target in (db, Path(f"{db}-wal"), db.parent / ".." / db.parent.name / db.name):
        result = runner.invoke(app, ["backup", str(target)])
        assert result.exit_code == 1, (target, result.output)
        assert (
            result.stderr.strip()
            == f"error: cannot write {target}: it is the database itself; name a backup file beside it"
        )
    after = os.stat(db)
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev), "the live database was replaced"
    folder = runner.invoke(app, ["backup", str(tmp_path)])
    assert folder.exit_code == 1 and folder.stderr.strip() == f"error: cannot write {tmp_path}: it is a folder"
    assert list(tmp_path.parent.glob(f".{tmp_path.name}.*.tmp")) == []
    good = runner.invoke(app, ["backup", str(tmp_path / "livskraft.backup")])
    assert good.exit_code == 0, good.output


def test_restore_of_a_file_that_is_not_there_says_so_without_asking(tmp_path: Path) -> None:
    missing = tmp_path / "livskraft.backup"
    result = runner.invoke(app, ["restore", str(missing)], input="y\n")
    assert result.exit_code == 1, result.output
    assert "Replace the database" not in result.output
    assert result.stderr.strip() == f"error: cannot restore {missing}: it does not exist"
    folder = runner.invoke(app, ["restore", str(tmp_path), "--yes"])
    assert folder.exit_code == 1 and folder.stderr.strip() == f"error: cannot restore {tmp_path}: it is a folder"


def test_seed_from_a_folder_that_is_not_there_or_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "examples"
    result = runner.invoke(app, ["seed", "--dir", str(missing)])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"error: cannot read {missing}: it does not exist"
    missing.mkdir()
    (missing / "exported-from-excel.json").write_bytes(b"\xff\xfe{\x00}\x00")  # UTF-16, as Windows tools save
    result = runner.invoke(app, ["seed", "--dir", str(missing)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a traceback
    assert result.stderr.strip() == f"error: {missing / 'exported-from-excel.json'}: cannot read it: not UTF-8 text"


def test_report_to_standard_output_and_a_failed_report_ends_with_its_error(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    a = api.create_assessment()
    result = runner.invoke(app, ["report", a["id"], "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert result.stderr.strip().splitlines()[-1].startswith("standard output  ")
    assert list(tmp_path.iterdir()) == [], "no file named '-' in the working folder"

    unknown = "00000000-0000-0000-0000-000000000000"
    failed = runner.invoke(app, ["report", unknown, "-o", "x.pdf"])
    assert failed.exit_code == 1, failed.output
    assert failed.stderr.strip().splitlines()[-1] == f"error: assessment {unknown} does not exist", failed.stderr
    assert "Loading assessments" not in failed.stderr
    assert list(tmp_path.iterdir()) == []


def _livskraft_with_file_size_limit(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process that may write no file beyond ``limit`` bytes (RLIMIT_FSIZE:
    the write fails with EFBIG, as one on a full disk or over a quota fails part-way)."""

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [str(VENV_BIN / "livskraft"), *args]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, preexec_fn=limit_files
    )


def test_a_write_that_fails_part_way_leaves_the_earlier_file_whole_and_nothing_cut(api: Api, tmp_path: Path) -> None:
    a = api.create_assessment()
    export, pdf = tmp_path / "091.json", tmp_path / "report.pdf"
    assert runner.invoke(app, ["export", "--municipality", "091", "-o", str(export)]).exit_code == 0
    assert runner.invoke(app, ["report", a["id"], "-o", str(pdf)]).exit_code == 0
    earlier = {export: export.read_bytes(), pdf: pdf.read_bytes()}
    for path, args in (
        (export, ("export", "--municipality", "091", "-o", str(export), "--force")),
        (pdf, ("report", a["id"], "-o", str(pdf))),
    ):
        proc = _livskraft_with_file_size_limit(len(earlier[path]) // 2, *args)
        assert proc.returncode == 1, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip().splitlines()[-1] == f"error: cannot write {path}: File too large", proc.stderr
        assert path.read_bytes() == earlier[path], f"{path.name} was cut"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["091.json", "report.pdf"], "a temporary file was left"


def test_no_password_on_standard_input_says_so() -> None:
    make_municipality("905")
    args = ["users", "create", "--municipality", "905", "--email", "anna@vaasa.fi", "--name", "Anna Berg"]
    for given in ("", "\n"):
        result = runner.invoke(app, args, input=given)
        assert result.exit_code == 1, result.output
        expected = "error: no password on standard input: pipe it as one line, or use --password-env VARIABLE"
        assert result.stderr.strip() == expected, result.stderr
    result = runner.invoke(app, ["users", "reset-password", "--email", "anna@vaasa.fi"], input="")
    assert result.exit_code == 1 and "no password on standard input" in result.stderr, result.output

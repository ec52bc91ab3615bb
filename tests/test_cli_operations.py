"""Operator QA of the `livskraft` CLI: gaps an operator runs into when following docs/operations.md —
a backup written over an earlier one, output piped into `head`, arguments checked only after the
database, usage lines with `{file}`, and a mistyped SQLite URL that made a new, empty database. Through
the real command (Typer's runner, or its own process where pipes and exit codes matter), on the test
database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from app.cli.main import app
from tests.server import ROOT, VENV_BIN, free_port
from tests.support import make_municipality
from tests.test_cli_qa_database import livskraft, one_error_line  # the CLI as a process; one clean error line

runner = CliRunner()

# --- backup never replaces a file unless told to ---------------------------------------------------


def test_backup_refuses_to_overwrite_an_existing_file_unless_forced(tmp_path: Path) -> None:
    """`livskraft backup FILE` replaced an existing FILE silently: yesterday's backup, under a name
    reused by mistake (a date format without the time), was gone."""
    make_municipality("091")
    earlier = tmp_path / "livskraft.backup"
    earlier.write_bytes(b"yesterday's backup")
    refused = runner.invoke(app, ["backup", str(earlier)])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip() == (
        f"error: {earlier} exists already: name a new backup file, or give --force to replace it"
    )
    assert earlier.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["livskraft.backup"]  # no temporary file left behind

    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    assert runner.invoke(app, ["backup", str(link)]).exit_code == 1
    assert not (tmp_path / "nowhere").exists()

    forced = runner.invoke(app, ["backup", "--force", str(earlier)])
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.strip() == str(earlier.resolve())
    assert earlier.read_bytes() != b"yesterday's backup"
    new = tmp_path / "new.backup"
    assert runner.invoke(app, ["backup", str(new)]).exit_code == 0 and new.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "livskraft.backup", "new.backup"]


def test_backup_never_replaces_a_file_that_appears_while_it_runs(tmp_path: Path) -> None:
    """The check before the copy is not the only guard: the finished copy gets its name with link(),
    which refuses a name that exists (a second backup started at the same minute)."""
    from app.db.backup import BackupError, backup
    from app.settings import get_settings

    target = tmp_path / "same-minute.backup"
    target.write_bytes(b"the other backup")
    with pytest.raises(BackupError, match="exists already"):
        backup(get_settings().effective_database_url, target, replace=False)
    assert target.read_bytes() == b"the other backup"
    assert [p.name for p in tmp_path.iterdir()] == ["same-minute.backup"]


# --- output piped into head -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "rubrics diff kuntaliitto-vitality@1.0.0 @1.1.0",  # Rich output
        "rubrics check",
        "rubrics diff kuntaliitto-vitality@1.0.0 @1.1.0 --json",  # print()
        "municipalities list",
        "export --municipality 091",  # bytes
        "report portfolio --municipality 091 --from 2026-01-01 --to 2026-12-31 -o -",  # a PDF, after a bar
    ],
)
def test_output_piped_into_a_reader_that_stops_early_exits_0_quietly(command: str) -> None:
    """`livskraft rubrics diff … | head` exited 1 (Click's and Rich's handling of a broken pipe), so a
    script with `set -o pipefail` failed. A reader that stops early is not an error, for Unix tools."""
    make_municipality("091")
    # `true` reads nothing and exits at once: the command always writes into a closed pipe
    script = f"set -o pipefail; {VENV_BIN / 'livskraft'} {command} | true"
    proc = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


# --- arguments before the database ------------------------------------------------------------------


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lang", "de"], "error: unsupported report language\n  lang: 'de' is not one of sv, fi, en"),
        (["--variant", "a4"], "error: unsupported PDF variant"),
        (["-o", "kommentarer.doc"], "error: cannot write kommentarer.doc: name the file .docx for the Word copy"),
    ],
)
def test_report_arguments_are_checked_before_the_database_is_opened(args: list[str], expected: str) -> None:
    """`livskraft report ID -o FILE --lang de` opened the database (and checked its schema) first: with
    the database away the operator was told about the database, not the typo."""
    port = free_port()  # nothing listens there
    away = f"postgresql://livskraft@127.0.0.1:{port}/livskraft"
    base = ["report", "00000000-0000-4000-8000-000000000000", "-o", "x.pdf"]
    proc = livskraft(*base, *args, LIVSKRAFT_DATABASE_URL=away)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(expected) and "database" not in proc.stderr, proc.stderr
    portfolio = livskraft(
        "report", "portfolio", "--municipality", "091", "--to", "2026-01-31", "--from", "2026-02-01",
        LIVSKRAFT_DATABASE_URL=away,
    )  # fmt: skip
    assert one_error_line(portfolio) == "error: --from must not be after --to"
    lang = livskraft(
        "report", "portfolio", "--municipality", "091", "--from", "2026-01-01", "--to", "2026-01-31", "--lang", "en_GB",
        LIVSKRAFT_DATABASE_URL=away,
    )  # fmt: skip
    assert lang.returncode == 1 and "unsupported report language" in lang.stderr, lang.stderr


# --- readable usage lines ---------------------------------------------------------------------------


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.database_independent  # help opens no database: tests/conftest.py
def test_every_help_shows_readable_metavars() -> None:
    """Usage lines showed Typer's `{file}` and `{assessment_id}`, and the portfolio's dates
    `<%Y-%m-%d>`. Now: `FILE`, `[DIRECTORY]`, `YYYY-MM-DD`, as other Unix tools write them."""
    commands = _commands(get_command(app))
    assert ("backup",) in commands and ("report", "portfolio") in commands and len(commands) > 20
    usages = {}
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], prog_name="livskraft", env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        usage = next(line.strip() for line in result.stdout.splitlines() if "Usage:" in line)
        assert "{" not in usage and "}" not in usage, usage
        assert "<%" not in result.stdout, (path, result.stdout)
        usages[path] = usage
    assert usages[("backup",)] == "Usage: livskraft backup [OPTIONS] FILE"
    assert usages[("import",)] == "Usage: livskraft import [OPTIONS] FILE"
    assert usages[("rubrics", "check")] == "Usage: livskraft rubrics check [OPTIONS] [DIRECTORY]"
    assert usages[("rubrics", "diff")] == "Usage: livskraft rubrics diff [OPTIONS] OLD NEW"
    assert usages[("report", "assessment")] == "Usage: livskraft report assessment [OPTIONS] ASSESSMENT_ID"
    portfolio = runner.invoke(app, ["report", "portfolio", "--help"], env={"COLUMNS": "200"}).stdout
    assert "YYYY-MM-DD" in portfolio and "--body" in portfolio and "--BODY" not in portfolio


# --- a mistyped SQLite URL ----------------------------------------------------------------------------


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
@pytest.mark.parametrize(
    "args",
    [
        ("municipalities", "list"),
        ("audit", "verify"),
        ("export", "--municipality", "091"),
        ("seed",),
        ("serve", "--port", "1"),
        ("backup", "never-written.backup"),
    ],
)
def test_a_sqlite_database_file_that_does_not_exist_is_refused_and_not_created(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A mistyped `LIVSKRAFT_DATABASE_URL` (sqlite:////var/lib/livskraf/…) made the folder and a new,
    empty database file, and the operator was told to migrate it. Now only `migrate` makes one."""
    url = f"sqlite:///{tmp_path}/livskraf/livskraft.sqlite3"
    line = one_error_line(livskraft(*args, LIVSKRAFT_DATABASE_URL=url))
    assert line == (
        f"error: the database file {tmp_path}/livskraf/livskraft.sqlite3 does not exist "
        f"(LIVSKRAFT_DATABASE_URL/DATABASE_URL is {url}: check it), or create a new database with `livskraft migrate`"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
def test_only_migrate_creates_a_sqlite_database_and_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new/livskraft.sqlite3"
    created = livskraft("migrate", LIVSKRAFT_DATABASE_URL=url)
    assert created.returncode == 0, created.stderr
    assert created.stderr.startswith(f"created a new database file {tmp_path}/new/livskraft.sqlite3\n")
    again = livskraft("migrate", LIVSKRAFT_DATABASE_URL=url)
    assert again.returncode == 0 and "created" not in again.stderr, again.stderr
    assert livskraft("municipalities", "list", LIVSKRAFT_DATABASE_URL=url).returncode == 0
    default = livskraft("municipalities", "list", LIVSKRAFT_DATABASE_URL="", LIVSKRAFT_DATA_DIR=str(tmp_path / "d"))
    assert "LIVSKRAFT_DATABASE_URL/DATABASE_URL is not set" in one_error_line(default)
    assert not (tmp_path / "d").exists()


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
def test_the_service_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    """The web service started by uvicorn (the container's way, no CLI check) on a file that is not there
    (a volume not mounted) answers 503 and leaves no folder or empty database behind."""
    url = f"sqlite:///{tmp_path}/not-mounted/livskraft.sqlite3"
    status, _ = _serve_until_healthz({"LIVSKRAFT_ENV": "test", "LIVSKRAFT_DATABASE_URL": url}, uvicorn=True)
    assert status == 503
    assert list(tmp_path.iterdir()) == []


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
def test_the_engine_never_creates_a_missing_sqlite_file(tmp_path: Path) -> None:
    """Below the CLI: the web service's engine on a file that is not there (a volume not mounted) fails
    to connect (503 in the service) instead of making an empty database."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from app.db.engine import engine_for

    missing = tmp_path / "livskraft.sqlite3"
    with pytest.raises(OperationalError, match="does not exist"), engine_for(f"sqlite:///{missing}").connect() as conn:
        conn.execute(text("SELECT 1"))
    assert not missing.exists()


# --- serve, restore and import: what an operator following docs/operations.md ran into ---------------


def test_serve_refuses_a_database_behind_this_version_and_says_how_to_migrate(tmp_path: Path) -> None:
    """`livskraft serve` started on a database with migrations pending (a restored older backup, an
    upgrade without `migrate`): every page touching a new column then failed with 500."""
    from app.db.migrate import resolve

    url = f"sqlite:///{tmp_path}/livskraft.sqlite3"
    assert livskraft("migrate", "--revision", "0010", LIVSKRAFT_DATABASE_URL=url).returncode == 0
    line = one_error_line(livskraft("serve", "--port", str(free_port()), LIVSKRAFT_DATABASE_URL=url))
    assert (
        line
        == f"error: the database is at revision 0010, this version needs {resolve('head')}: run `livskraft migrate`"
    )


def _serve_until_healthz(env: dict[str, str], uvicorn: bool = False) -> tuple[int, str]:
    """Start `livskraft serve` (or uvicorn, as the container does), wait for /healthz to answer; its
    status and what the process said meanwhile."""
    import time

    import httpx

    port = free_port()
    command = [str(VENV_BIN / "livskraft"), "serve", "--port", str(port)]
    if uvicorn:
        command = [str(VENV_BIN / "uvicorn"), "app.main:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise TimeoutError("serve did not answer")
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    return status, stderr


def test_serve_starts_on_a_current_database_and_on_one_that_is_away() -> None:
    """The check before serving refuses only what would fail every request: the test database (at
    head) is served; a PostgreSQL server that is down is noted and served (503 until it returns)."""
    status, said = _serve_until_healthz({"LIVSKRAFT_ENV": "test"})
    assert status == 200 and "warning" not in said and "error" not in said, said
    away = f"postgresql://livskraft@127.0.0.1:{free_port()}/livskraft"
    status, said = _serve_until_healthz({"LIVSKRAFT_ENV": "test", "LIVSKRAFT_DATABASE_URL": away})
    assert status == 503, said
    assert said.startswith("warning: cannot use the database postgresql+psycopg://livskraft@127.0.0.1:"), said


def test_restore_without_an_answer_or_declined_says_so_and_changes_nothing(tmp_path: Path) -> None:
    """`livskraft restore FILE` from cron or with `</dev/null` ended with Click's bare "Aborted."."""
    make_municipality("091")
    backup = tmp_path / "livskraft.backup"
    assert runner.invoke(app, ["backup", str(backup)]).exit_code == 0
    make_municipality("905")
    nobody = runner.invoke(app, ["restore", str(backup)], input="")
    assert nobody.exit_code == 1
    assert nobody.stderr.strip().endswith(
        "error: no answer to the question on standard input: give --yes to restore without asking"
    ), nobody.stderr
    declined = runner.invoke(app, ["restore", str(backup)], input="n\n")
    assert declined.exit_code == 1 and declined.stderr.strip().endswith(
        "error: not restored: the database is as it was"
    )
    listed = runner.invoke(app, ["municipalities", "list"])
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["091", "905"]


def test_a_backup_of_the_other_kind_of_database_is_named_as_such(tmp_path: Path) -> None:
    """An SQLite backup restored onto PostgreSQL was only "not a pg_dump archive in custom format"; a
    pg_dump archive onto SQLite only "not an SQLite database": true, but not what it is, nor what to do."""
    from app.settings import get_settings

    other = tmp_path / "other.backup"
    if get_settings().is_sqlite:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))
        expected = (
            f"error: {other} is not an SQLite database but a PostgreSQL backup (pg_dump): restore it into PostgreSQL"
        )
    else:
        other.write_bytes(b"SQLite format 3\x00" + bytes(200))
        expected = f"error: {other} is not a pg_dump archive but an SQLite database: restore it into SQLite"
    result = runner.invoke(app, ["restore", "--yes", str(other)])
    assert result.exit_code == 1 and result.stderr.strip() == expected, result.stderr


def test_import_of_a_file_that_cannot_be_read_names_the_reason_plainly(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["import", str(tmp_path / "vaasa.json")])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"error: cannot read {tmp_path / 'vaasa.json'}: No such file or directory"
    folder = runner.invoke(app, ["import", str(tmp_path)])
    assert folder.stderr.strip() == f"error: cannot read {tmp_path}: Is a directory"


def test_a_report_that_fails_ends_with_its_error_line(tmp_path: Path) -> None:
    """The progress bar on stderr left an empty line below the error (stderr not a terminal: a log)."""
    missing = "00000000-0000-4000-8000-000000000000"
    proc = livskraft("report", missing, "-o", str(tmp_path / "x.pdf"))
    assert proc.returncode == 1
    assert proc.stderr == f"error: assessment {missing} does not exist\n"
    assert list(tmp_path.iterdir()) == []

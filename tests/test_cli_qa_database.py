"""A database that cannot be reached, a database URL that is none Livskraft can use, and settings the
service refuses: every `livskraft` command that opens the database said so with a Rich traceback of
SQLAlchemy's, psycopg's or pydantic's internals (several screens, exit code 1) — also `migrate`, the
first command an operator runs against a new server. Now: one line naming the database (never its
password) and what to check, exit code 1. Through the real command in its own process, with the
environment an operator would have."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.server import ROOT, VENV_BIN, free_port


def livskraft(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    command = [str(VENV_BIN / "livskraft"), *args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "╭" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert proc.stdout == ""
    return lines[0]


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
@pytest.mark.parametrize(
    "args",
    [
        ("municipalities", "list"),
        ("tokens", "list", "--municipality", "091"),
        ("migrate",),
        ("export", "--municipality", "091"),
        ("webhooks", "deliver"),
    ],
)
def test_a_postgresql_server_that_does_not_answer_is_one_line_naming_it(args: tuple[str, ...]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://livskraft:s3cret-password@127.0.0.1:{port}/livskraft"
    line = one_error_line(livskraft(*args, LIVSKRAFT_DATABASE_URL=url))
    assert f"cannot use the database postgresql+psycopg://livskraft:***@127.0.0.1:{port}/livskraft" in line
    assert "Connection refused" in line and "LIVSKRAFT_DATABASE_URL" in line
    assert "s3cret-password" not in line


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("garbage", "is not a database URL: 'garbage'"),
        ("mysql://root@db/livskraft", "names a mysql database, Livskraft runs on PostgreSQL or SQLite"),
    ],
)
def test_a_database_url_livskraft_cannot_use_is_one_line(url: str, expected: str) -> None:
    for args in (("municipalities", "list"), ("migrate",)):
        assert expected in one_error_line(livskraft(*args, LIVSKRAFT_DATABASE_URL=url))
    assert livskraft("rubrics", "check", LIVSKRAFT_DATABASE_URL=url).returncode == 0  # needs no database


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
def test_settings_the_service_refuses_are_one_line_naming_the_variable() -> None:
    line = one_error_line(livskraft("migrate", LIVSKRAFT_ENV="production", LIVSKRAFT_SECRET_KEY="short"))
    assert line == (
        "error: the settings are refused: LIVSKRAFT_SECRET_KEY must be set to a random value of at least 32 characters"
    )
    line = one_error_line(livskraft("rubrics", "check", LIVSKRAFT_ENV="staging"))
    assert line.startswith("error: the settings are refused: LIVSKRAFT_ENV: "), line
    assert livskraft("migrate", "--help", LIVSKRAFT_ENV="staging").returncode == 0  # help needs no settings


@pytest.mark.database_independent  # its own database URL, not the suite's: tests/conftest.py
def test_an_sqlite_file_that_cannot_be_opened_is_one_line_naming_it(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "livskraft.conf"
    not_a_folder.write_text("a file where the database's folder should be\n")
    url = f"sqlite:///{not_a_folder}/livskraft.sqlite3"
    for args in (("municipalities", "list"), ("migrate",)):
        line = one_error_line(livskraft(*args, LIVSKRAFT_DATABASE_URL=url))
        assert line.startswith(f"error: cannot use the database {url}: "), line
        assert line.endswith("(check LIVSKRAFT_DATABASE_URL/DATABASE_URL)"), line
    assert not_a_folder.read_text().startswith("a file")

"""``livskraft backup FILE`` and ``livskraft restore FILE`` (logic: app/db/backup.py).

    livskraft backup FILE [--force]  # SQLite: online copy while the service runs; PostgreSQL: pg_dump -Fc
    livskraft restore FILE [--yes]   # SQLite: with the service stopped; PostgreSQL: pg_restore, one transaction

Exit codes: 0 done, 1 refused or failed (the message says why), 2 the PostgreSQL tools are missing
(the documented route is printed instead).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import check_output, err, fail, missing_database_file, out, shown_url
from app.settings import get_settings

PG_ROUTE = """PostgreSQL backups use the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client,
the same major version as the server or newer); see docs/operations.md:

  backup:   PGPASSWORD=… pg_dump --format=custom --file=livskraft.dump --dbname=postgresql://USER@HOST:5432/DB
  restore:  PGPASSWORD=… pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \\
                --exit-on-error --dbname=postgresql://USER@HOST:5432/DB livskraft.dump"""


def _pg_tools_missing(exc: Exception) -> typer.Exit:
    err.print(f"[yellow]{exc}[/yellow]", highlight=False)
    err.print(PG_ROUTE, highlight=False, markup=False)
    return typer.Exit(2)


def backup_command(
    file: Annotated[Path, typer.Argument(help="The backup file to write")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists")] = False,
) -> None:
    """Back up the database to FILE (SQLite: online backup API; PostgreSQL: pg_dump --format=custom).
    An existing FILE is kept (refused) unless --force is given."""
    from app.db.backup import BackupError, ToolMissing, backup
    from app.db.engine import sqlite_path

    check_output(file)
    if missing := missing_database_file():
        raise fail(missing)
    url = get_settings().effective_database_url
    db = sqlite_path(url) if url.startswith("sqlite") else None
    if db is not None and file.resolve() in {Path(f"{db.resolve()}{end}") for end in ("", "-wal", "-shm", "-journal")}:
        # the copy would replace the live database (or its log) under the running service
        raise fail(f"cannot write {file}: it is the database itself; name a backup file beside it")
    if not force and (file.exists() or file.is_symlink()):  # before the copy, which may take minutes
        raise fail(f"{file} exists already: name a new backup file, or give --force to replace it")
    try:
        snapshot = backup(url, file, replace=force)
    except ToolMissing as exc:
        raise _pg_tools_missing(exc) from exc
    except (BackupError, OSError) as exc:
        raise fail(str(exc)) from exc
    except sqlite3.Error as exc:  # e.g. the disk is full; the partial copy is removed
        raise fail(f"cannot write {file}: {exc}") from exc
    counts = ", ".join(f"{n} {t}" for t, n in snapshot.rows.items() if t in ("decision", "assessment", "audit_event"))
    out.print(f"{snapshot.path}", highlight=False)
    err.print(f"backup written: schema revision {snapshot.revision}" + (f"; {counts}" if counts else ""))


def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup written by `livskraft backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing the database")] = False,
) -> None:
    """Replace the database by the backup FILE, after checking that FILE is an intact Livskraft database.

    SQLite: stop the service first (a database in use is refused); the replaced file is kept beside it.
    PostgreSQL: pg_restore in a single transaction (all or nothing).
    """
    from app.db.backup import BackupError, ToolMissing, restore

    if not file.is_file():  # before asking to replace anything
        raise fail(f"cannot restore {file}: " + ("it is a folder" if file.is_dir() else "it does not exist"))
    url = get_settings().effective_database_url
    if not yes:
        try:
            confirmed = typer.confirm(f"Replace the database ({shown_url(url)}) by {file}?", err=True)
        except typer.Abort as exc:  # no answer (cron, </dev/null): Click said only "Aborted."
            raise fail("no answer to the question on standard input: give --yes to restore without asking") from exc
        if not confirmed:
            raise fail("not restored: the database is as it was")
    try:
        snapshot = restore(file, url)
    except ToolMissing as exc:
        raise _pg_tools_missing(exc) from exc
    except (BackupError, OSError) as exc:
        raise fail(str(exc)) from exc
    except sqlite3.Error as exc:  # e.g. the disk is full
        raise fail(f"cannot restore {file}: {exc}") from exc
    err.print(f"restored from {file}: schema revision {snapshot.revision}")
    if snapshot.replaced is not None:
        err.print(f"the replaced database is kept as {snapshot.replaced}")
    if not snapshot.at_head:
        err.print("the backup has an older schema: run `livskraft migrate` before starting the service")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)

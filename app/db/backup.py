"""Backup and restore of the database (``livskraft backup`` / ``livskraft restore``).

SQLite: the online backup API copies a consistent snapshot while the service runs and writes go on
(WAL readers never block the writer); the copy is a single self-contained file, checked with
``integrity_check`` before it replaces the target name atomically. A restore checks the backup the
same way, refuses anything that is not an intact Livskraft database of a known schema revision,
refuses while a process has the database open, keeps the replaced file beside it, and swaps the new
file in with one ``rename``.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --single-transaction``
(all or nothing); the password goes to the tools through ``PGPASSWORD``, never the command line. Both
routes are in docs/operations.md.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from app.db.engine import sqlite_path
from app.db.migrate import alembic_config, current_revision

CORE_TABLES = frozenset({"alembic_version", "municipality", "decision", "assessment", "rating", "audit_event"})
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"  # pg_dump --format=custom
SHM_DMS_BYTE = 128  # SQLite holds a shared lock on this byte of "-shm" while it has the database open


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why."""


class ToolMissing(BackupError):
    """pg_dump or pg_restore is not on PATH."""


@dataclass
class Snapshot:
    path: Path
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    replaced: Path | None = None
    """Restore only: where the database that was replaced was kept."""

    @property
    def at_head(self) -> bool:
        return self.revision in ScriptDirectory.from_config(alembic_config()).get_heads()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


# --- SQLite ---------------------------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_sqlite(path: Path) -> Snapshot:
    """Refuse a file that is not an intact Livskraft database; else its revision and row counts."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as f:
        header = f.read(16)
    if header.startswith(PG_DUMP_HEADER):
        raise BackupError(
            f"{path} is not an SQLite database but a PostgreSQL backup (pg_dump): restore it into PostgreSQL"
        )
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not an SQLite database")
    # quoted: a '#' or '?' in the file name would end the path of the URI (and drop mode=ro)
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if check != ["ok"]:
            raise BackupError(f"{path} is damaged: " + "; ".join(check[:5]))
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            raise BackupError(f"{path} has rows whose foreign keys point nowhere")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if missing := CORE_TABLES - tables:
            raise BackupError(f"{path} is not a Livskraft database (missing {', '.join(sorted(missing))})")
        revision = str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
        rows = {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in sorted(tables)}  # noqa: S608
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a database: {exc}") from exc
    finally:
        conn.close()
    if revision not in known_revisions():
        raise BackupError(f"{path} has schema revision {revision}, which this version of Livskraft does not know")
    return Snapshot(path, revision, rows)


def _copy_sqlite(source: Path, target: Path, journal_mode: str) -> None:
    """Online copy of ``source`` to a new file ``target`` (fsynced), in ``journal_mode``."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
    except sqlite3.Error as exc:
        src.close()
        raise BackupError(f"cannot write {target}: {exc} (does {target.parent} exist, and may it be written?)") from exc
    try:
        src.backup(dst)  # one step: a consistent snapshot under a read transaction; writers go on
        dst.execute(f"PRAGMA journal_mode={journal_mode}")
        dst.commit()
    finally:
        dst.close()
        src.close()
    with target.open("rb+") as f:
        os.fsync(f.fileno())


def _put(tmp: Path, target: Path, replace: bool) -> None:
    """Give the complete, checked file ``tmp`` the name ``target`` in one step: ``rename`` over an
    existing file with ``replace``, else ``link``, which refuses (atomically) a name that exists."""
    if replace:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError as exc:
        raise BackupError(f"{target} exists already: name a new backup file, or give --force to replace it") from exc


def backup_sqlite(db: Path, target: Path, replace: bool = True) -> Snapshot:
    if not db.is_file():
        raise BackupError(f"the database {db} does not exist")
    target = target.resolve()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _copy_sqlite(db, tmp, "DELETE")  # a single file, no -wal beside it
        snapshot = check_sqlite(tmp)
        _put(tmp, target, replace)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    snapshot.path = target
    return snapshot


def sqlite_in_use(db: Path) -> bool:
    """True while some process has the (WAL-mode) database open: it holds SQLite's lock on "-shm".

    Call it before this process opens the database: POSIX locks do not conflict within a process, and
    closing any handle of the file drops the process's own locks.
    """
    shm = Path(f"{db}-shm")
    if not shm.exists():
        return False
    with shm.open("rb+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(f, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
    return False


def _kept_name(db: Path) -> Path:
    """``NAME.replaced-TIME``, with ``-2``, ``-3``… when restores follow within the same second."""
    stem = f"{db.name}.replaced-{time.strftime('%Y%m%dT%H%M%S')}"
    candidate, n = db.with_name(stem), 1
    while candidate.exists():
        n += 1
        candidate = db.with_name(f"{stem}-{n}")
    return candidate


def restore_sqlite(source: Path, db: Path) -> Snapshot:
    """Replace ``db`` by the backup ``source``; the replaced file is kept as ``NAME.replaced-TIME``."""
    check_sqlite(source)
    if sqlite_in_use(db):
        raise BackupError(f"the database {db} is in use; stop the Livskraft service (and other tools) first")
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(f".{db.name}.restore-{os.getpid()}.tmp")
    replaced = None
    try:
        _copy_sqlite(source, tmp, "DELETE")  # the service switches it to WAL when it opens it
        snapshot = check_sqlite(tmp)
        if db.exists():
            conn = sqlite3.connect(db)  # fold the WAL into the file, so the kept copy is complete
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            replaced = _kept_name(db)
            os.link(db, replaced)
        for leftover in (Path(f"{db}-wal"), Path(f"{db}-shm")):  # they belong to the replaced file
            leftover.unlink(missing_ok=True)
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(db.parent)
    snapshot.path, snapshot.replaced = db, replaced
    return snapshot


# --- PostgreSQL -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not on PATH")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """(connection URI without the password, environment with PGPASSWORD) for the PostgreSQL tools."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {proc.stderr.strip()[:2000]}")
    return proc


def backup_postgres(url: str, target: Path, replace: bool = True) -> Snapshot:
    dsn, env = _libpq(url)
    target = target.resolve()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _run([_tool("pg_dump"), "--format=custom", f"--file={tmp}", f"--dbname={dsn}"], env)
        snapshot = check_postgres_dump(tmp)
        _put(tmp, target, replace)
    finally:
        tmp.unlink(missing_ok=True)
    snapshot.path = target
    return snapshot


def check_postgres_dump(path: Path) -> Snapshot:
    """Refuse a file that is not a pg_dump archive of a Livskraft database of a known revision."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as f:
        if f.read(16) == SQLITE_HEADER:
            raise BackupError(f"{path} is not a pg_dump archive but an SQLite database: restore it into SQLite")
    env = dict(os.environ)
    pg_restore = _tool("pg_restore")
    try:
        listing = _run([pg_restore, "--list", str(path)], env).stdout
    except BackupError as exc:
        raise BackupError(f"{path} is not a pg_dump archive in custom format") from exc
    tables = {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}
    if missing := CORE_TABLES - tables:
        raise BackupError(f"{path} is not a Livskraft database (missing {', '.join(sorted(missing))})")
    data = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], env).stdout.splitlines()
    start = next((i for i, line in enumerate(data) if line.startswith("COPY public.alembic_version")), None)
    revision = data[start + 1].strip() if start is not None and start + 1 < len(data) else ""
    if revision not in known_revisions():
        raise BackupError(f"{path} has schema revision {revision or '(none)'}, which this version does not know")
    return Snapshot(path, revision)


def _newer(revision: str, than: str) -> bool:
    order = [rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()]  # head first
    return revision in order and than in order and order.index(revision) < order.index(than)


def restore_postgres(source: Path, url: str) -> Snapshot:
    """All or nothing: ``--single-transaction`` rolls back everything if any statement fails. Refused
    over a database of a newer schema than the backup's: ``--clean`` drops only what the archive holds,
    so the later migrations' tables would stay behind, and the next ``migrate`` would fail on them."""
    snapshot = check_postgres_dump(source)
    current = current_revision(url)
    if current is not None and _newer(current, snapshot.revision):
        raise BackupError(
            f"the database has schema revision {current}, newer than the backup's {snapshot.revision}: "
            "restore it into an empty database (createdb, then restore there), or into this one after "
            "dropping its tables, then run `livskraft migrate`"
        )
    dsn, env = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(source),
        ],
        env,
    )
    return snapshot


def _sqlite_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupError("an in-memory database has nothing to back up or restore")
    return path


def backup(url: str, target: Path, replace: bool = True) -> Snapshot:
    """Back up the database at ``url`` (SQLite or PostgreSQL) to the file ``target``; an existing
    ``target`` is replaced only with ``replace`` (else :class:`BackupError`, and it is left as it was)."""
    if url.startswith("sqlite"):
        return backup_sqlite(_sqlite_file(url), target, replace)
    return backup_postgres(url, target, replace)


def restore(source: Path, url: str) -> Snapshot:
    """Replace the database at ``url`` by the backup ``source``."""
    if url.startswith("sqlite"):
        return restore_sqlite(source, _sqlite_file(url))
    return restore_postgres(source, url)

"""Engines, created lazily per URL (never at import time) with durable SQLite settings."""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from app.settings import get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged commit
    # survive a crash of the process or the machine; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _unicode_lower(value: Any) -> Any:
    """SQL ``lower()`` as Python's ``str.lower``: every letter, not only A–Z (``Ä`` → ``ä``)."""
    if value is None or isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else str(value)).lower()


def _sqlite_functions(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's built-in lower() folds ASCII only, so lower('Ändring') stayed 'Ändring' while a search
    # is lower-cased in Python ('ändring'): no title with a capital Ä, Ö or Å was ever found. Replacing
    # lower() on each connection (SQLite lets an application function overload a built-in one) makes
    # every func.lower() of the app — the searches of titles and case numbers, by the web and the API —
    # fold as Python does. Deterministic, as the built-in is; no index or view of the schema uses it.
    # PostgreSQL's lower() already folds every letter (and keeps its indexes).
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _sqlite_no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN would defer the write lock).
    dbapi_connection.isolation_level = None


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, also in URI form (``sqlite:///file:/path/db?mode=ro&uri=true``)."""
    database = make_url(url).database or ""
    if database.startswith("file:"):
        database = database.removeprefix("file:")
    return Path(database) if database and database != ":memory:" else None


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _watch_sqlite_file(engine: Engine, path: Path) -> None:
    """Reconnect when the path no longer names the file a pooled connection opened.

    An open connection keeps its file handle when the file is moved, removed or replaced (a restore,
    a volume that went away), and would go on reading and writing the old file. Checking on every
    checkout (one ``stat``) makes the pool open the path again: the new file after a restore, or a
    clear "unable to open database file" (503) while the path is gone.
    """

    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info["sqlite_file"] = _file_identity(path)

    def on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _file_identity(path) != record.info.get("sqlite_file"):
            raise DisconnectionError(f"the database file {path} was moved, replaced or removed")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)


def _refuse_missing_file(engine: Engine, path: Path) -> None:
    """Never make a database by connecting to it: SQLite creates a missing file (and the service and the
    CLI then found an empty database with no schema, e.g. under a mistyped ``LIVSKRAFT_DATABASE_URL``).
    Only :func:`create_sqlite_file` (``livskraft migrate``) makes one."""

    def on_do_connect(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if not path.is_file():
            raise sqlite3.OperationalError(f"unable to open database file: {path} does not exist")

    event.listen(engine, "do_connect", on_do_connect)


def create_sqlite_file(url: str) -> Path | None:
    """Migrating only: create the (empty) SQLite database of ``url`` and its folder when the file is not
    there. Returns the file when it was created; None when it existed, or ``url`` is no SQLite file."""
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is None or path.exists() or "mode=ro" in url:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()
    return path


_created: list[Engine] = []
SQLITE_POOL = {"pool_size": 5, "max_overflow": 10}
POSTGRES_POOL = {"pool_size": 20, "max_overflow": 0}
"""Twenty kept connections, none made for the moment: an overflow connection is closed when it comes
back to a full pool, so under steady load above ten requests at once the pool opened and closed
PostgreSQL connections all the time (a backend started for each), and with two busy workers some of
those connections took longer than ``connect_timeout`` (docs/benchmarks.md). The most a process opens
is the same twenty (``pool_capacity``)."""


def pool_capacity(url: str) -> int:
    """Connections one process opens at most (``app/db/gate.py`` admits no more requests at once)."""
    pool = SQLITE_POOL if url.startswith("sqlite") else POSTGRES_POOL
    return pool["pool_size"] + pool["max_overflow"]


def dispose_all() -> None:
    """Close every pooled connection and forget the engines (tests, forked workers, restarts)."""
    for engine in _created:
        engine.dispose()
    _created.clear()
    engine_for.cache_clear()


@lru_cache(maxsize=8)
def engine_for(url: str, write: bool = False) -> Engine:
    """One engine per URL. On SQLite, ``write=True`` begins with ``BEGIN IMMEDIATE``.

    SQLite upgrades a deferred read transaction to a write lock only on the first write, and two
    transactions that both read first then write deadlock (one fails with "database is locked" at once).
    Taking the write lock at BEGIN makes writers queue on ``busy_timeout`` instead; readers in WAL mode
    never wait for it. PostgreSQL uses one engine for both.
    """
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **SQLITE_POOL)
        if path is not None:
            _refuse_missing_file(engine, path)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_functions)
        if path is not None:
            _watch_sqlite_file(engine, path)
        event.listen(engine, "connect", _sqlite_no_implicit_begin)
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        _created.append(engine)
        return engine
    if write:
        return engine_for(url, write=False)
    engine = create_engine(
        url, pool_pre_ping=True, pool_timeout=5, connect_args={"connect_timeout": 5}, **POSTGRES_POOL
    )
    _created.append(engine)
    return engine


def get_engine(write: bool = True) -> Engine:
    return engine_for(get_settings().effective_database_url, write)

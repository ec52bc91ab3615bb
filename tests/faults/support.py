"""Helpers of the fault tests: a database of their own, row snapshots, integrity checks, a TCP proxy.

Every fault test runs the real server (``tests.server.running_server``) against a database created for
it: an SQLite file in the test's temporary folder, or a PostgreSQL database created next to the one
named in ``LIVSKRAFT_TEST_DATABASE_URL`` and dropped afterwards. The shared PostgreSQL server is never
stopped; "PostgreSQL is unreachable" goes through :class:`TcpProxy`.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from tests.server import ROOT, VENV_BIN
from tests.support import reset_caches


def postgres_base_url() -> str | None:
    url = os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@dataclass
class FaultDatabase:
    """A migrated database of one test. ``url`` is what the server gets as LIVSKRAFT_DATABASE_URL."""

    url: str
    data_dir: Path
    sqlite_file: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_file is not None

    @property
    def server_env(self) -> dict[str, str]:
        return {"LIVSKRAFT_DATABASE_URL": self.url, "LIVSKRAFT_DATA_DIR": str(self.data_dir)}

    def engine(self) -> Engine:
        """A plain engine for checks from the test (not the app's engine, so no app behaviour hides faults)."""
        return create_engine(psycopg_url(self.url))


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Point the in-process settings (``make_token``, ``upgrade``, ``seed_examples``) at ``url``."""
    old = os.environ["LIVSKRAFT_DATABASE_URL"]
    os.environ["LIVSKRAFT_DATABASE_URL"] = url
    reset_caches()
    try:
        yield
    finally:
        os.environ["LIVSKRAFT_DATABASE_URL"] = old
        reset_caches()


@contextmanager
def fault_database(tmp_path: Path, migrate: bool = True) -> Iterator[FaultDatabase]:
    """Create (and migrate) a database for one test; the in-process settings point at it meanwhile."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    pg = postgres_base_url()
    if pg is None:
        path = tmp_path / "db" / "livskraft.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        db = FaultDatabase(f"sqlite:///{path}", data_dir, path)
        with using_database(db.url):
            if migrate:
                from app.db.migrate import upgrade

                upgrade()
            yield db
        return
    name = f"livskraft_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(psycopg_url(pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = FaultDatabase(make_url(pg).set(database=name).render_as_string(hide_password=False), data_dir)
    try:
        with using_database(db.url):
            if migrate:
                from app.db.migrate import upgrade

                upgrade()
            yield db
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- what is in the database ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


Rows = dict[str, list[dict[str, Any]]]


def every_row(engine: Engine, tables: set[str] | None = None) -> Rows:
    """Every row of every table (or of ``tables``) as plain values, rows sorted: equal means same data."""
    meta = MetaData()
    meta.reflect(engine)
    result: Rows = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if tables is not None and name not in tables:
                continue
            rows = [{k: _plain(v) for k, v in row.items()} for row in conn.execute(select(table)).mappings()]
            result[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return result


def rows_of(db: FaultDatabase, tables: set[str] | None = None) -> Rows:
    engine = db.engine()
    try:
        return every_row(engine, tables)
    finally:
        engine.dispose()


def without_columns(rows: Rows, dropped: dict[str, set[str]]) -> Rows:
    """``rows`` without the given columns of the given tables (what a downgrade removes)."""
    return {
        name: sorted(
            ({k: v for k, v in row.items() if k not in dropped.get(name, set())} for row in table_rows),
            key=lambda r: json.dumps(r, sort_keys=True, default=str),
        )
        for name, table_rows in rows.items()
    }


def orphan_rows(engine: Engine) -> list[str]:
    """Row check on both dialects: children whose foreign key names no parent row."""
    meta = MetaData()
    meta.reflect(engine)
    problems: list[str] = []
    with engine.connect() as conn:
        for table in meta.tables.values():
            for fk in table.foreign_key_constraints:
                child = [c.name for c in fk.columns]
                parent = [e.column.name for e in fk.elements]
                ptable = fk.elements[0].column.table.name
                join = " AND ".join(f'p."{p}" = c."{c}"' for c, p in zip(child, parent, strict=True))
                present = " AND ".join(f'c."{c}" IS NOT NULL' for c in child)
                # Names come from the reflected schema, not from input.
                where = f'{present} AND NOT EXISTS (SELECT 1 FROM "{ptable}" p WHERE {join})'  # noqa: S608
                sql = f'SELECT count(*) FROM "{table.name}" c WHERE {where}'  # noqa: S608
                n = conn.execute(text(sql)).scalar_one()
                if n:
                    problems.append(f"{table.name}.{','.join(child)} → {ptable}: {n} orphan rows")
    return problems


def sqlite_integrity(path: Path) -> tuple[list[str], list[Any]]:
    """(``PRAGMA integrity_check`` lines, ``PRAGMA foreign_key_check`` rows) of an SQLite file."""
    conn = sqlite3.connect(path)
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return check, fks


def postgres_integrity(engine: Engine) -> list[str]:
    """amcheck over every table and B-tree index of the database (heap and index corruption)."""
    problems: list[str] = []
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        conn.commit()
        tables = conn.execute(
            text(
                "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        ).all()
        for oid, name in tables:
            for row in conn.execute(text("SELECT blkno, msg FROM verify_heapam(:oid)"), {"oid": oid}).all():
                problems.append(f"{name}: block {row[0]}: {row[1]}")
        indexes = conn.execute(
            text(
                "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
                "WHERE n.nspname = 'public' AND a.amname = 'btree'"
            )
        ).all()
        for oid, name in indexes:
            try:
                conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            except Exception as exc:
                problems.append(f"{name}: {exc}")
                conn.rollback()
    return problems


def integrity_problems(db: FaultDatabase) -> list[str]:
    """Everything wrong with the database's structure; empty when it is intact."""
    engine = db.engine()
    try:
        problems = orphan_rows(engine)
        if db.sqlite_file is not None:
            check, fks = sqlite_integrity(db.sqlite_file)
            if check != ["ok"]:
                problems += check
            problems += [f"foreign_key_check: {row}" for row in fks]
        else:
            problems += postgres_integrity(engine)
    finally:
        engine.dispose()
    return problems


def cli_here(*args: str) -> tuple[int, str]:
    """Run ``livskraft ARGS`` in this process (against the database ``using_database`` points at)."""
    from typer.testing import CliRunner

    from app.cli.main import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``livskraft ARGS`` as its own process with the test environment plus ``env``."""
    full = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}", **env}
    return subprocess.run(
        [str(VENV_BIN / "livskraft"), *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout
    )


# --- HTTP -----------------------------------------------------------------------------------------------


def api_client(url: str, token: str, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def create_assessment(client: httpx.Client, case_number: str) -> str:
    r = client.post(
        "/api/v1/decisions", json={"case_number": case_number, "title": "Fjärrvärme", "deciding_body": "KS"}
    )
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/decisions/{r.json()['id']}/assessments", json={})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def rating(rationale: str, score: int = 1) -> dict[str, Any]:
    return {
        "criterion_id": "policy.organisation.strategy-fit",
        "target": "organisation",
        "score": score,
        "likelihood": "likely",
        "rationale": rationale,
    }


def saved_rationales(client: httpx.Client, assessment_id: str) -> list[str]:
    """The rationale of every ``ratings.saved`` event of the assessment's audit trail, oldest first."""
    r = client.get(f"/api/v1/assessments/{assessment_id}/history")
    assert r.status_code == 200, r.text
    return [
        change["after"]["rationale"]
        for event in r.json()
        if event["action"] == "ratings.saved"
        for change in event["after"]["changes"]
    ]


def wait_until(predicate: Any, timeout: float = 60.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(interval)


def healthz_status(url: str) -> int | None:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code
    except httpx.TransportError:
        return None


# --- PostgreSQL behind a proxy that can be switched off ----------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; ``stop()`` closes the listener and every open connection.

    To the app this is PostgreSQL going away (pooled connections break, new ones are refused) and
    coming back (``start()``), without touching the PostgreSQL server other tests share.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for conn in list(self._conns):
                with suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _accept(self, listener: socket.socket) -> None:
        listener.settimeout(0.1)
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    client.close()
                    upstream.close()
                    break
                self._conns |= {client, upstream}
            upstream.settimeout(None)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)

"""``livskraft backup`` and ``livskraft restore``: a round trip that compares every row of every table.

The example assessments are loaded and the server runs. One backup is taken while a client keeps
writing (online: SQLite's backup API beside a live writer; pg_dump's snapshot on PostgreSQL), one with
the service idle; then more changes are made. After ``restore`` of the idle backup every row of every
table equals what it was at the backup; after ``restore`` of the busy backup every decision
acknowledged before that backup began is there and nothing that was never attempted. Both times the
database is intact and the audit chain verifies. Refused: a file that is not a Livskraft backup, and
(SQLite) a restore while the service has the database open. The commands run as their own processes,
as an operator would run them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from app.cli.seed import seed_examples
from tests.faults.support import (
    FaultDatabase,
    api_client,
    cli,
    cli_here,
    create_assessment,
    integrity_problems,
    rating,
    rows_of,
)
from tests.server import ROOT, VENV_BIN, running_server
from tests.support import make_token, reset_caches

pytestmark = pytest.mark.slow


class Writer(threading.Thread):
    """Creates decisions until stopped; remembers which were acknowledged."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.client = api_client(url, token)
        self.acked: list[str] = []
        self.attempted: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            case = f"BUSY 2026/{n}"
            self.attempted.append(case)
            r = self.client.post("/api/v1/decisions", json={"case_number": case, "title": "T", "deciding_body": "KS"})
            if r.status_code == 201:
                self.acked.append(case)
            n += 1


def _cases(db: FaultDatabase) -> set[str]:
    return {row["case_number"] for row in rows_of(db, {"decision"})["decision"]}


def _restore(db: FaultDatabase, backup: Path) -> None:
    r = cli(db.server_env, "restore", "--yes", str(backup))
    assert r.returncode == 0, r.stdout + r.stderr
    assert integrity_problems(db) == []
    code, output = cli_here("audit", "verify")
    reset_caches()  # close this process's connections again
    assert code == 0, output


def test_backup_restore_round_trip_compares_every_row(fault_db: FaultDatabase, tmp_path: Path) -> None:
    seed_examples(ROOT / "assessments")
    token = make_token("091")
    env = fault_db.server_env
    busy, quiet = tmp_path / "busy.backup", tmp_path / "quiet.backup"
    with running_server(env) as (url, _proc):
        writer = Writer(url, token)
        writer.start()
        while len(writer.acked) < 20:
            writer.join(timeout=0.05)
        acked_before = set(writer.acked)
        r = cli(env, "backup", str(busy))
        writer.stop.set()
        writer.join(timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.strip() == str(busy)
        reset_caches()
        before = rows_of(fault_db)
        r = cli(env, "backup", str(quiet))
        assert r.returncode == 0, r.stdout + r.stderr
        client = api_client(url, token)  # changes after the backup, which the restore must undo
        assessment_id = create_assessment(client, "AFTER 2026/1")
        etag = client.get(f"/api/v1/assessments/{assessment_id}").headers["ETag"]
        r2 = client.put(
            f"/api/v1/assessments/{assessment_id}/ratings",
            json={"ratings": [rating("Efter säkerhetskopian.")]},
            headers={"If-Match": etag},
        )
        assert r2.status_code == 200, r2.text
        if fault_db.is_sqlite:
            refused = cli(env, "restore", "--yes", str(quiet))
            assert refused.returncode == 1
            assert "in use" in refused.stderr and "stop the Livskraft service" in refused.stderr
    assert rows_of(fault_db) != before
    reset_caches()  # this process's pooled connections count as "in use" too

    _restore(fault_db, quiet)
    after = rows_of(fault_db)
    changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    assert changed == [], f"tables differ after the round trip: {changed}"
    print(f"\nround trip: {sum(len(v) for v in before.values())} rows in {len(before)} tables equal")

    _restore(fault_db, busy)
    cases = _cases(fault_db)
    busy_cases = {c for c in cases if c.startswith("BUSY")}
    assert acked_before <= busy_cases <= set(writer.attempted)
    print(
        f"online backup: {len(busy_cases)} of {len(writer.attempted)} writes, {len(acked_before)} acknowledged before"
    )


def test_restore_refuses_what_is_not_a_livskraft_backup(fault_db: FaultDatabase, tmp_path: Path) -> None:
    make_token("091")
    reset_caches()
    before = rows_of(fault_db)
    text_file = tmp_path / "notes.backup"
    text_file.write_text("not a backup\n")
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE decision (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    not_ours = "not a Livskraft database" if fault_db.is_sqlite else "not a pg_dump archive"
    for bad, words in ((text_file, "not"), (other, not_ours), (tmp_path / "missing", "does not exist")):
        code, output = cli_here("restore", "--yes", str(bad))
        assert code == 1, output
        assert words in " ".join(output.split()), output
    reset_caches()
    assert rows_of(fault_db) == before
    assert integrity_problems(fault_db) == []


@pytest.mark.skipif(not os.environ.get("LIVSKRAFT_TEST_DATABASE_URL"), reason="the PostgreSQL route")
def test_postgres_route_is_printed_when_the_tools_are_missing(fault_db: FaultDatabase, tmp_path: Path) -> None:
    r = cli({**fault_db.server_env, "PATH": str(VENV_BIN)}, "backup", str(tmp_path / "x.dump"))
    assert r.returncode == 2
    assert "pg_dump is not on PATH" in r.stderr
    assert "pg_dump --format=custom" in r.stderr and "pg_restore --clean" in r.stderr
    assert not (tmp_path / "x.dump").exists()


def test_restores_within_one_second_keep_every_replaced_file(tmp_path: Path) -> None:
    """Two restores in the same second once failed with 'File exists' (CI, 2 Dec 2026)."""
    from app.db.backup import _kept_name

    db = tmp_path / "livskraft.sqlite3"
    first = _kept_name(db)
    first.touch()
    second = _kept_name(db)
    assert second != first and not second.exists() and second.name.startswith("livskraft.sqlite3.replaced-")


def test_a_backup_to_a_place_it_cannot_write_or_named_with_a_hash_sign(fault_db: FaultDatabase, tmp_path: Path) -> None:
    """A missing folder was an SQLite traceback; a '#' in the name cut the path (and left a stray file)."""
    if not fault_db.is_sqlite:
        pytest.skip("the SQLite route")
    make_token("091")
    reset_caches()
    code, output = cli_here("backup", str(tmp_path / "no-such-folder" / "x.backup"))
    assert code == 1 and "cannot write" in " ".join(output.split()) and "Traceback" not in output, output
    folder = tmp_path / "backups"
    folder.mkdir()
    named = folder / "kväll#1?.backup"
    code, output = cli_here("backup", str(named))
    assert code == 0, output
    assert sorted(p.name for p in folder.iterdir()) == [named.name], "no stray file beside it"
    code, output = cli_here("restore", "--yes", str(named))
    reset_caches()
    assert code == 0, output


@pytest.mark.skipif(not os.environ.get("LIVSKRAFT_TEST_DATABASE_URL"), reason="the PostgreSQL route")
def test_an_older_backup_is_not_restored_over_a_newer_schema(fault_db: FaultDatabase, tmp_path: Path) -> None:
    """``pg_restore --clean`` drops only what the archive holds: over a newer schema the later tables
    stayed, the revision went back, and the next ``migrate`` failed on them. Refused now, nothing changed."""
    from app.db.migrate import current_revision, downgrade, upgrade

    make_token("091")
    reset_caches()
    head = current_revision()
    downgrade("-1")
    older = current_revision()
    old_backup = tmp_path / "older.backup"
    code, output = cli_here("backup", str(old_backup))
    assert code == 0, output
    upgrade("head")
    reset_caches()
    before = rows_of(fault_db)
    code, output = cli_here("restore", "--yes", str(old_backup))
    reset_caches()
    assert code == 1 and f"schema revision {head}, newer than the backup's {older}" in " ".join(output.split()), output
    assert current_revision() == head and rows_of(fault_db) == before

"""SQLite on a read-only or full disk: a clear error, reads still work, no corruption.

The tests run as root, and root ignores file permissions, so both faults are made where root cannot
get around them:

- *read-only*: the server opens the database read-only through an SQLite URI
  (``sqlite:///file:PATH?mode=ro&uri=true``), which is what a read-only mount gives it. Writes get 503
  problem+json saying the database is read-only; reads work.
- *full disk*: the server runs with ``RLIMIT_FSIZE`` (and SIGXFSZ ignored), so a write past the limit
  fails with ``EFBIG`` exactly where a full disk fails with ``ENOSPC``. SQLite reports it as a failed
  write (``SQLITE_IOERR_WRITE``; ``SQLITE_FULL`` on a real full disk), and the API answers 507
  problem+json saying the database cannot be written. Reads keep working.

Afterwards the file passes ``integrity_check`` and ``foreign_key_check``, every write acknowledged
before the fault is there, none of the refused ones is, and without the fault the database takes
writes again. (Data is set up through the in-process app; the faults hit the server process.)
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.faults.support import FaultDatabase, api_client, cli_here, integrity_problems, rating
from tests.server import VENV_BIN, free_port, running_server
from tests.support import Api, make_token, reset_caches

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "").startswith("postgres"),
        reason="disk faults of the SQLite file; PostgreSQL manages its own storage",
    ),
]
BIG = "Fjärrvärme och biobränsle. " * 700  # about 19 kB: a summary near its 20,000-character limit


def _decision(case: str, summary: str = "") -> dict[str, Any]:
    return {"case_number": case, "title": "Fjärrvärme", "deciding_body": "KS", "summary": summary}


def _cases(db: FaultDatabase) -> set[str]:
    engine = db.engine()
    with engine.connect() as conn:
        cases = set(conn.execute(text("SELECT case_number FROM decision")).scalars())
    engine.dispose()
    return cases


def _assert_cannot_write(r: httpx.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert words in body["detail"] and "nothing was saved" in body["detail"]


def test_read_only_database_refuses_writes_clearly_and_still_reads(fault_db: FaultDatabase, client: Any) -> None:
    assert fault_db.sqlite_file is not None
    api = Api(client, make_token("091"))
    assessment_id = api.create_assessment("RO 2026/1")["id"]  # also marks the token as used
    token = api.token
    reset_caches()
    read_only = {
        **fault_db.server_env,
        "LIVSKRAFT_DATABASE_URL": f"sqlite:///file:{fault_db.sqlite_file}?mode=ro&uri=true",
    }
    with running_server(read_only) as (url, _proc):
        http = api_client(url, token)
        assert http.get("/healthz").status_code == 200  # the database answers
        assert http.get(f"/api/v1/assessments/{assessment_id}").status_code == 200
        assert http.get(f"/api/v1/assessments/{assessment_id}/summary").status_code == 200
        r = http.post("/api/v1/decisions", json=_decision("RO 2026/2"))
        _assert_cannot_write(r, 503, "read-only")
        assert r.headers["Retry-After"] == "5"
        etag = http.get(f"/api/v1/assessments/{assessment_id}").headers["ETag"]
        r = http.put(
            f"/api/v1/assessments/{assessment_id}/ratings",
            json={"ratings": [rating("Stärker fjärrvärmenätet.")]},
            headers={"If-Match": etag},
        )
        _assert_cannot_write(r, 503, "read-only")
    assert _cases(fault_db) == {"RO 2026/1"}
    assert integrity_problems(fault_db) == []


def _limited_server(limit: int, port: int) -> list[str]:
    """The uvicorn command, started through a tiny launcher that sets RLIMIT_FSIZE and ignores SIGXFSZ
    (both survive ``exec``), so the limit applies to the server process only."""
    launcher = (
        "import os, resource, signal, sys;"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY));"
        "os.execv(sys.argv[1], sys.argv[2:])"
    )
    uvicorn = str(VENV_BIN / "uvicorn")
    args = ["app.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"]
    return [sys.executable, "-c", launcher, uvicorn, uvicorn, *args]


def test_full_disk_refuses_writes_clearly_keeps_reads_and_data(fault_db: FaultDatabase, client: Any) -> None:
    assert fault_db.sqlite_file is not None
    api = Api(client, make_token("091"))
    assessment_id = api.create_assessment("FULL 2026/0")["id"]
    token = api.token
    reset_caches()
    # All connections are closed: the WAL is checkpointed into the file. Allow ~600 kB of new writes.
    files = [fault_db.sqlite_file, fault_db.sqlite_file.with_name(fault_db.sqlite_file.name + "-wal")]
    limit = max(f.stat().st_size for f in files if f.exists()) + 600_000
    port = free_port()
    acknowledged: list[str] = []
    with running_server(fault_db.server_env, _limited_server(limit, port), port) as (url, _proc):
        http = api_client(url, token)
        refused = None
        for n in range(1, 60):
            r = http.post("/api/v1/decisions", json=_decision(f"FULL 2026/{n}", BIG))
            if r.status_code != 201:
                refused = (f"FULL 2026/{n}", r)
                break
            acknowledged.append(f"FULL 2026/{n}")
        assert refused is not None, "the size limit was never reached"
        _assert_cannot_write(refused[1], 507, "cannot be written")
        assert refused[1].json()["type"].endswith("/insufficient-storage")
        # Still full: a second write is refused the same way; reads work.
        _assert_cannot_write(http.post("/api/v1/decisions", json=_decision("FULL 2026/x", BIG)), 507, "disk")
        assert http.get(f"/api/v1/assessments/{assessment_id}").status_code == 200
        listed = http.get("/api/v1/decisions", params={"limit": 200}).json()["items"]
        assert {d["case_number"] for d in listed} == {"FULL 2026/0", *acknowledged}
    print(f"\nfull disk: {len(acknowledged)} writes acknowledged before the limit, then 507")
    assert len(acknowledged) >= 1
    assert integrity_problems(fault_db) == []
    assert _cases(fault_db) == {"FULL 2026/0", *acknowledged}
    code, output = cli_here("audit", "verify")
    assert code == 0, output
    # Space again: the same database takes writes.
    r = api.post("/api/v1/decisions", _decision("FULL 2026/after"))
    assert r.status_code == 201, r.text
    reset_caches()
    assert integrity_problems(fault_db) == []


def test_postgres_read_only_standby_maps_to_read_only_problem() -> None:
    """A write on a PostgreSQL hot standby fails with SQLSTATE 25006: same answer as a read-only SQLite."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import InternalError

    from app.api.problems import database_problem

    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with engine.connect() as conn:
        conn.execute(text("SET TRANSACTION READ ONLY"))
        with pytest.raises(InternalError) as info:
            conn.execute(text("CREATE TEMP TABLE livskraft_ro_probe (x int)"))
    engine.dispose()
    status, slug, _ = database_problem(info.value)
    assert (status, slug) == (503, "database-read-only")

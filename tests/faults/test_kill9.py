"""``kill -9`` of the server during a stream of 1,000 writes loses no acknowledged write.

Two client threads write through the real HTTP stack of a uvicorn process: one creates decisions
(POST), one saves a rating again and again with ``If-Match`` (PUT, each write chained on the ETag of the
previous answer). The server is killed with SIGKILL twice, mid-stream, and started again on the same
port. A write is *acknowledged* when its 2xx answer reached the client; a write in flight at the kill is
*unknown* (it may or may not have committed). Afterwards every acknowledged write is in the database
and in the audit trail, nothing was applied twice, the database passes its integrity checks (SQLite
``integrity_check`` + ``foreign_key_check``; PostgreSQL amcheck on every table and index; orphan-row
checks on both), and ``livskraft audit verify`` passes.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import text

from tests.faults.support import (
    FaultDatabase,
    api_client,
    cli,
    create_assessment,
    healthz_status,
    integrity_problems,
    rating,
    saved_rationales,
    wait_until,
)
from tests.server import free_port, running_server
from tests.support import make_token

pytestmark = pytest.mark.slow
WRITES = 1000
KILL_AT = (300, 650)  # acknowledged writes (both threads together) before each kill -9


@dataclass
class Stream:
    url: str
    token: str
    acked: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, bucket: list[str], item: str) -> None:
        with self.lock:
            bucket.append(item)

    def wait_back(self) -> None:
        wait_until(lambda: healthz_status(self.url) == 200, timeout=120, interval=0.05)


def _decisions(stream: Stream, count: int) -> None:
    client = api_client(stream.url, stream.token)
    for n in range(count):
        case = f"KILL 2026/{n}"
        try:
            r = client.post("/api/v1/decisions", json={"case_number": case, "title": "T", "deciding_body": "KS"})
        except httpx.TransportError:
            stream.note(stream.unknown, case)
            stream.wait_back()
            continue
        stream.note(stream.acked if r.status_code == 201 else stream.refused, case)


def _ratings(stream: Stream, assessment_id: str, count: int) -> None:
    client = api_client(stream.url, stream.token)
    path = f"/api/v1/assessments/{assessment_id}"
    etag = client.get(path).headers["ETag"]
    for n in range(count):
        rationale = f"write {n}"
        try:
            r = client.put(path + "/ratings", json={"ratings": [rating(rationale)]}, headers={"If-Match": etag})
        except httpx.TransportError:
            stream.note(stream.unknown, rationale)
            stream.wait_back()
            etag = client.get(path).headers["ETag"]
            continue
        if r.status_code == 200:
            stream.note(stream.acked, rationale)
            etag = r.headers["ETag"]
        else:
            stream.note(stream.refused, f"{rationale}: {r.status_code} {r.text[:200]}")


def _guarded(stream: Stream, target: object, *args: object) -> threading.Thread:
    def run() -> None:
        try:
            target(stream, *args)  # type: ignore[operator]
        except BaseException as exc:
            stream.errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _kill_9(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def test_kill_9_during_1000_writes_loses_no_acknowledged_write(fault_db: FaultDatabase) -> None:
    token = make_token("091")
    port = free_port()
    env = fault_db.server_env
    threads: list[threading.Thread] = []
    started = time.monotonic()
    with running_server(env, port=port) as (url, proc):
        stream = Stream(url, token)
        assessment_id = create_assessment(api_client(url, token), "KILL 2026/rated")
        threads.append(_guarded(stream, _decisions, WRITES // 2))
        threads.append(_guarded(stream, _ratings, assessment_id, WRITES - WRITES // 2))
        wait_until(lambda: len(stream.acked) >= KILL_AT[0] or bool(stream.errors), timeout=120)
        _kill_9(proc)
    for threshold in (*KILL_AT[1:], None):
        with running_server(env, port=port) as (url, proc):
            if threshold is not None:
                wait_until(lambda t=threshold: len(stream.acked) >= t or bool(stream.errors), timeout=120)
                _kill_9(proc)
                continue
            for thread in threads:
                thread.join(timeout=300)
            client = api_client(url, token)
            rationales = saved_rationales(client, assessment_id)
            current = client.get(f"/api/v1/assessments/{assessment_id}/ratings").json()
            version = int(client.get(f"/api/v1/assessments/{assessment_id}").headers["ETag"].strip('"v'))
    elapsed = time.monotonic() - started

    assert not stream.errors, stream.errors
    assert stream.refused == []
    attempted = len(stream.acked) + len(stream.unknown)
    assert attempted == WRITES
    print(
        f"\n{WRITES} writes, 2 × kill -9: {len(stream.acked)} acknowledged, {len(stream.unknown)} in flight "
        f"({stream.unknown}), {elapsed:.1f} s"
    )

    # Every acknowledged decision is there; nothing else but unknown ones.
    engine = fault_db.engine()
    with engine.connect() as conn:
        cases = set(conn.execute(text("SELECT case_number FROM decision")).scalars())
    engine.dispose()
    acked_cases = {a for a in stream.acked if a.startswith("KILL")}
    unknown_cases = {u for u in stream.unknown if u.startswith("KILL")}
    assert acked_cases <= cases, f"lost acknowledged decisions: {sorted(acked_cases - cases)}"
    assert cases - acked_cases - {"KILL 2026/rated"} <= unknown_cases

    # Every acknowledged rating write is in the audit trail once, in order; every applied write moved
    # the version by one; the saved rating is the last write applied.
    acked_writes = [a for a in stream.acked if a.startswith("write")]
    unknown_writes = {u for u in stream.unknown if u.startswith("write")}
    assert [r for r in rationales if r in acked_writes] == acked_writes
    assert set(rationales) - set(acked_writes) <= unknown_writes
    assert len(rationales) == len(set(rationales))
    assert version == 1 + len(rationales)  # created at v1, one claim per applied write
    assert [r["rationale"] for r in current] == [rationales[-1]]

    assert integrity_problems(fault_db) == []
    verified = cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "091\tok\t" in verified.stdout

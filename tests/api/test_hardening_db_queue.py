"""A request waits for its turn at the database gate (``app/db/gate.py``) at most
``LIVSKRAFT_DB_QUEUE_TIMEOUT`` seconds; then it is answered 503 with ``Retry-After`` — problem+json in
the API, the error page on the web — and has not run. Without the bound it waited as long as the
requests ahead of it, however long (longer than an Idempotency-Key reservation's 10-minute lease).

Real concurrency: the gate is filled with real writes held by a lock this test takes in the database
(on SQLite the one write lock, on PostgreSQL the municipality's audit-chain head), one more request is
sent, and the lock is released only after it was answered."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.support import Api, make_token

QUEUE_TIMEOUT = 0.5


@pytest.fixture
def quick_app(environment: dict[str, str], registry: Any) -> Iterator[Any]:
    """The app with a short queue timeout (settings are read when the app is made)."""
    from app.main import create_app
    from app.settings import get_settings

    os.environ["LIVSKRAFT_DB_QUEUE_TIMEOUT"] = str(QUEUE_TIMEOUT)
    get_settings.cache_clear()
    try:
        yield create_app(registry)
    finally:
        os.environ.pop("LIVSKRAFT_DB_QUEUE_TIMEOUT", None)
        get_settings.cache_clear()


@contextmanager
def writes_held(database_url: str) -> Iterator[Callable[[], int]]:
    """Hold the writes of municipality 091 until the block ends. Yields a function telling how many
    requests of the app wait for the lock (-1 on SQLite, which cannot tell)."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the one write lock: app writers busy-wait for it
        try:
            yield lambda: -1
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as holder, engine.connect() as watcher:
            # the chain head every audited write locks (FOR NO KEY UPDATE) before it commits
            holder.execute(text("SELECT id FROM municipality WHERE code = '091' FOR NO KEY UPDATE")).one()

            def waiting() -> int:
                query = (
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                count = int(watcher.execute(text(query)).scalar_one())
                watcher.rollback()  # a transaction sees one snapshot of pg_stat_activity
                return count

            try:
                yield waiting
            finally:
                holder.rollback()
    finally:
        engine.dispose()


def test_a_request_that_waits_too_long_for_the_database_gets_503(quick_app: Any, database_url: str) -> None:
    from app.db.engine import pool_capacity
    from app.settings import get_settings

    settings = get_settings()
    assert settings.db_queue_timeout == QUEUE_TIMEOUT
    # the writes that fill the gate: SQLite admits one writing request at a time, PostgreSQL a pool's worth
    held = 1 if settings.is_sqlite else pool_capacity(settings.effective_database_url)
    with TestClient(quick_app) as client, ThreadPoolExecutor(held + 2) as pool:
        api = Api(client, make_token("091", ("read", "write")))

        def decision(n: int) -> Any:
            body = {"case_number": f"KS 2026/{n}", "title": "Skolnät", "deciding_body": "Kommunstyrelsen"}
            return api.post("/api/v1/decisions", body)

        first: list[Future[Any]] = []
        late: dict[str, Future[Any]] = {}
        try:
            with writes_held(database_url) as waiting:
                first = [pool.submit(decision, n) for n in range(held)]
                deadline, at_lock = time.monotonic() + 30, waiting()
                if at_lock < 0:  # SQLite cannot tell who waits for its lock: give them time to get there
                    time.sleep(1.5)
                while 0 <= at_lock < held and time.monotonic() < deadline:
                    time.sleep(0.05)
                    at_lock = waiting()
                assert at_lock < 0 or at_lock >= held, f"{at_lock} of {held} writes reached the lock"
                assert not any(f.done() for f in first), [f.result().text for f in first if f.done()]
                started = time.monotonic()
                late["api"] = pool.submit(decision, held)
                late["web"] = pool.submit(client.post, "/login", data={"email": "a@b.fi", "password": "x"})
                late["static"] = pool.submit(client.get, "/static/livskraft.css")  # needs no database
                late["sso"] = pool.submit(client.get, "/login/sso")  # single sign-on's start: no database
                answers = {name: f.result(timeout=20) for name, f in late.items()}
                waited = time.monotonic() - started
                assert not any(f.done() for f in first), "the requests in the gate were still held"
        finally:
            for f in first:
                f.result(timeout=60)
        held_answers = [f.result() for f in first]
        total = api.get("/api/v1/decisions").json()["total"]
        retried = decision(held)

    assert QUEUE_TIMEOUT <= waited < 10, waited
    r = answers["api"]
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"] == "5"
    problem = r.json()
    assert problem["status"] == 503 and problem["type"].endswith("/service-unavailable")
    assert problem["instance"] == "/api/v1/decisions" and "waited" in problem["detail"]
    page = answers["web"]
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert page.headers["Retry-After"] == "5"
    assert answers["static"].status_code == 200, "a static file does not queue for the database"
    assert answers["sso"].status_code == 404, "single sign-on's start (off here) does not queue either"

    # the requests in the gate ran once the lock was gone; the one turned away did not run at all
    assert [a.status_code for a in held_answers] == [201] * held, [a.text for a in held_answers]
    assert total == held
    assert retried.status_code == 201, retried.text


def test_the_queue_timeout_is_bounded_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    monkeypatch.delenv("LIVSKRAFT_DB_QUEUE_TIMEOUT", raising=False)
    assert Settings().db_queue_timeout == 30
    monkeypatch.setenv("LIVSKRAFT_DB_QUEUE_TIMEOUT", "300")
    assert Settings().db_queue_timeout == 300
    for bad in ("0", "-1", "301", "soon"):
        monkeypatch.setenv("LIVSKRAFT_DB_QUEUE_TIMEOUT", bad)
        with pytest.raises(ValidationError):
            Settings()

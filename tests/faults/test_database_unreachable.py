"""The database goes away and comes back: 503 problem+json meanwhile, recovery without a restart.

PostgreSQL: the server reaches the database through a TCP proxy in the test (:class:`TcpProxy`);
stopping the proxy closes every open connection and refuses new ones — to the app exactly like the
database server going down — while the PostgreSQL server that other tests share keeps running.

SQLite: the folder holding the database file is renamed away and back. Semantics: a rename is what
an unmounted or detached volume looks like to ``open()`` — the path no longer resolves, for root too
(permissions would not stop root). Connections that are already open keep their file handles and
could go on using the moved file, so the engine checks on every pool checkout that the path still
names the file the connection opened (``app/db/engine.py``) and otherwise opens it again; that fails
with "unable to open database file" while the folder is away. When the folder is back, the same file
is found and requests succeed; nothing written before is lost and nothing is written meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.faults.support import FaultDatabase, TcpProxy, api_client, create_assessment, integrity_problems
from tests.server import running_server
from tests.support import make_token

pytestmark = pytest.mark.slow


@contextmanager
def switchable_database(db: FaultDatabase) -> Iterator[tuple[dict[str, str], Callable[[], None], Callable[[], None]]]:
    """(server environment, take the database away, bring it back)."""
    if db.sqlite_file is not None:
        folder = db.sqlite_file.parent
        away = folder.with_name(folder.name + "-away")

        def take_away() -> None:
            os.rename(folder, away)

        def bring_back() -> None:
            os.rename(away, folder)

        yield db.server_env, take_away, bring_back
        if away.exists():
            os.rename(away, folder)
        return
    url = make_url(db.url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        yield {**db.server_env, "LIVSKRAFT_DATABASE_URL": proxied}, proxy.stop, proxy.start
    finally:
        proxy.stop()


def _assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"] == "5"
    body = r.json()
    assert body["status"] == 503
    assert body["type"].endswith("/service-unavailable")
    assert "database" in body["detail"]


def test_database_away_gives_503_and_service_recovers_without_restart(fault_db: FaultDatabase) -> None:
    token = make_token("091")
    with switchable_database(fault_db) as (env, take_away, bring_back), running_server(env) as (url, proc):
        client = api_client(url, token, timeout=30)
        assessment_id = create_assessment(client, "GONE 2026/1")
        assert client.get("/healthz").status_code == 200

        take_away()
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.headers["content-type"] == "application/problem+json"
        assert health.json()["database"] == "unreachable"
        _assert_unavailable(client.get(f"/api/v1/assessments/{assessment_id}"))
        _assert_unavailable(client.get("/api/v1/assessments"))
        _assert_unavailable(
            client.post("/api/v1/decisions", json={"case_number": "GONE 2026/2", "title": "T", "deciding_body": "KS"})
        )
        assert client.get("/healthz").status_code == 503  # still away: no stale success

        bring_back()
        assert client.get("/healthz").status_code == 200
        assert client.get(f"/api/v1/assessments/{assessment_id}").status_code == 200
        r = client.post("/api/v1/decisions", json={"case_number": "GONE 2026/3", "title": "T", "deciding_body": "KS"})
        assert r.status_code == 201, r.text
        cases = sorted(d["case_number"] for d in client.get("/api/v1/decisions").json()["items"])
        assert proc.poll() is None  # the same process throughout
    assert cases == ["GONE 2026/1", "GONE 2026/3"]
    assert integrity_problems(fault_db) == []

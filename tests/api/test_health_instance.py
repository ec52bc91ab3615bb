"""`GET /healthz` with the database away answers 503 problem+json with the members every other problem
carries (`instance` and `errors` too), `Retry-After`, and `"database": "unreachable"`. The database is
really away: an app configured with a PostgreSQL URL on a port where nothing listens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server import free_port
from tests.support import reset_caches

URL_KEYS = ("LIVSKRAFT_DATABASE_URL", "DATABASE_URL")


@pytest.fixture
def unreachable(registry: Any) -> Iterator[TestClient]:
    """A new app whose database URL names a closed port (no lifespan: nothing is opened at start)."""
    from app.main import create_app

    old = {k: os.environ.get(k) for k in URL_KEYS}
    os.environ["LIVSKRAFT_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/livskraft"
    os.environ.pop("DATABASE_URL", None)
    reset_caches()
    try:
        yield TestClient(create_app(registry))
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()


def test_healthz_503_carries_instance_like_every_problem(unreachable: TestClient) -> None:
    r = unreachable.get("/healthz")
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"] == "5"
    body = r.json()
    assert body["instance"] == "/healthz"
    assert body["type"].endswith("/service-unavailable") and body["status"] == 503
    assert body["title"] == "Service temporarily unavailable"
    assert body["detail"] == "the database is not reachable" and body["database"] == "unreachable"
    assert body["errors"] == []
    other = unreachable.get("/api/v1/no-such-thing").json()  # any other problem (no route: no database)
    assert set(other) <= set(body), "the same members as every other problem"
    assert set(body) - set(other) == {"database"}


def test_healthz_with_the_query_string_names_the_path_alone(unreachable: TestClient) -> None:
    r = unreachable.get("/healthz?probe=1")
    assert r.status_code == 503 and r.json()["instance"] == "/healthz"


def test_healthz_200_when_the_database_answers(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}

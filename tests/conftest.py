"""Test set-up: a real database built by migrating, emptied after every test; no mocks of our parts.

``LIVSKRAFT_TEST_DATABASE_URL`` selects PostgreSQL (a fresh database per test worker is created next to
the one named in the URL and dropped at the end); otherwise each worker gets an SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support import Api, reset_caches

ROOT = Path(__file__).resolve().parent.parent


def _on_postgresql() -> bool:
    return os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "").startswith("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``database_independent`` run on SQLite only: they do not use the suite's database
    (their subject is the markup of every page, presentation in the browser, rubric files, pure functions,
    the packaging, or a database URL of their own), so the PostgreSQL run of the suite would repeat them
    to the letter (the accessibility walk alone is about two minutes of CI)."""
    if not _on_postgresql():
        return
    once = pytest.mark.skip(reason="does not use the suite's database: run once, in the SQLite run")
    for item in items:
        if item.get_closest_marker("database_independent") is not None:
            item.add_marker(once)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pg = os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "")
    if pg.startswith("postgres"):
        base = make_url(pg.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"livskraft_test_{_worker()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # Tests never crash PostgreSQL itself, so skipping the WAL flush per commit loses nothing
            # they check (an app process killed mid-write still finds every acknowledged commit).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        url = base.set(database=name).render_as_string(hide_password=False)
        yield url
        reset_caches()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "livskraft.sqlite3"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session", autouse=True)
def environment(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("data")
    env = {
        "LIVSKRAFT_DATABASE_URL": database_url,
        "LIVSKRAFT_ENV": "test",
        "LIVSKRAFT_DATA_DIR": str(data_dir),
        "LIVSKRAFT_RUBRICS_DIR": str(ROOT / "rubrics"),
        "LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    reset_caches()
    from app.db.migrate import upgrade

    upgrade()
    yield env
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(autouse=True)
def clean_database(environment: dict[str, str]) -> Iterator[None]:
    """Every test starts from an empty (migrated) database."""
    yield
    from app.db.migrate import truncate_all

    truncate_all()


@pytest.fixture(scope="session")
def registry() -> Any:
    from app.rubrics.registry import load_registry

    return load_registry(ROOT / "rubrics")


@pytest.fixture(scope="session")
def app(environment: dict[str, str], registry: Any) -> Any:
    from app.main import create_app

    return create_app(registry)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(client: Any) -> Api:
    """An API client of municipality 091 (Helsinki) with a read/write system token."""
    return Api.for_new_municipality(client, "091")

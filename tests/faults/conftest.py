"""Fixtures of the fault tests: each test gets a migrated database of its own (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.support import FaultDatabase, fault_database


@pytest.fixture
def fault_db(tmp_path: Path) -> Iterator[FaultDatabase]:
    with fault_database(tmp_path) as db:
        yield db

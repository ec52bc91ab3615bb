"""The per-process cache of representations stays within its bounds: entries and bytes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.assessments import representation_cache as cache

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only


@pytest.fixture(autouse=True)
def _empty() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def pdf(n: int, size: int) -> tuple[cache.Key, cache.Representation]:
    return cache.pdf_key(uuid.UUID(int=n), "head", "sv", "ua"), cache.Representation(b"%" * size, None)


def test_the_least_recently_used_go_first_when_the_bytes_run_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 250)
    entries = [pdf(n, 100) for n in range(3)]
    cache.put(*entries[0])
    cache.put(*entries[1])
    assert cache.get(entries[0][0]) is not None  # now the most recently used
    cache.put(*entries[2])  # 300 bytes > 250: the least recently used (1) goes
    assert cache.get(entries[1][0]) is None
    assert cache.get(entries[0][0]) == entries[0][1] and cache.get(entries[2][0]) == entries[2][1]


def test_replacing_an_entry_counts_its_bytes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 250)
    first, second = pdf(1, 100), pdf(2, 100)
    cache.put(*first)
    for _ in range(5):
        cache.put(first[0], cache.Representation(b"%" * 100, None))
    cache.put(*second)
    assert cache.get(first[0]) is not None and cache.get(second[0]) is not None


def test_at_most_max_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    entries = [pdf(n, 1) for n in range(3)]
    for k, v in entries:
        cache.put(k, v)
    assert [cache.get(k) is not None for k, _ in entries] == [False, True, True]

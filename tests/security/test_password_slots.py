"""Password hashes are computed a bounded number at a time (each takes 64 MiB): a burst of sign-ins
waits for a slot instead of taking a worker's memory past its budget."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from argon2 import PasswordHasher

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only


class CountingHasher(PasswordHasher):
    """argon2's hasher (the library's, not ours) that records how many computations overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def _enter(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.05)  # long enough for every thread to arrive while one computes

    def _leave(self) -> None:
        with self.lock:
            self.now -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._enter()
        try:
            return super().hash(password, salt=salt)
        finally:
            self._leave()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self._enter()
        try:
            return super().verify(hash, password)
        finally:
            self._leave()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> CountingHasher:
    from app.auth import passwords

    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


def burst(work: Any, n: int = 6) -> None:
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_one_hash_at_a_time_by_default(counting: CountingHasher) -> None:
    from app.auth.passwords import hash_password, verify_password

    stored = hash_password("correct horse battery staple")
    results: list[bool] = []
    burst(lambda: results.append(verify_password(stored, "correct horse battery staple")))
    burst(lambda: results.append(verify_password(stored, "wrong horse battery staple")))
    assert results == [True] * 6 + [False] * 6, "every sign-in is still checked, in turn"
    assert counting.most == 1


def test_the_number_of_slots_is_a_setting(counting: CountingHasher, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.auth.passwords import hash_password
    from app.settings import get_settings

    monkeypatch.setenv("LIVSKRAFT_PASSWORD_HASHING_SLOTS", "3")
    get_settings.cache_clear()
    try:
        burst(lambda: hash_password("correct horse battery staple"))
    finally:
        monkeypatch.delenv("LIVSKRAFT_PASSWORD_HASHING_SLOTS")
        get_settings.cache_clear()
    assert counting.most == 3

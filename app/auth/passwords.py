"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

Each hash takes 64 MiB of memory for its computation, so a burst of sign-ins computed side by side in
the thread pool would take 64 MiB each (eight at once took a worker from 180 to 620 MB). At most
``password_hashing_slots`` hashes are computed at once per process; the rest wait for a slot.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.settings import get_settings

_hasher = PasswordHasher()
MIN_LENGTH = 12


@lru_cache(maxsize=1)
def _slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


def slots() -> threading.BoundedSemaphore:
    """The process's hashing slots (one semaphore per configured count)."""
    return _slots(get_settings().password_hashing_slots)


def hash_password(password: str) -> str:
    with slots():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with slots():
            return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_hasher.check_needs_rehash(password_hash))


# A valid hash of a random string: verifying against it when the user does not exist keeps the
# response time of a failed login the same whether or not the e-mail address is known.
DUMMY_HASH = _hasher.hash("not-a-real-password-0f7c2b")  # at import: before any settings are read

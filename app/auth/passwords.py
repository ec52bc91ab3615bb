"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

Each hash takes 64 MiB of memory for its computation, so a burst of sign-ins computed side by side in
the thread pool would take 64 MiB each (eight at once took a worker from 180 to 620 MB). At most
``password_hashing_slots`` hashes are computed at once per process; the rest wait for a slot.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

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


# --- what a new password must not be (NIST SP 800-63B 5.1.1.2) ------------------------------------
# No composition rules (no "a digit and a capital"): a new password is refused only when it is known to
# be common, is a repetition or a run of characters, or is made of words of the context (the product,
# the municipality, the person's address or name) with little else.

COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
PRODUCT_WORDS = ("livskraft",)
LOCAL_COMMON = frozenset(
    {
        # Swedish and Finnish words that end up as passwords, missing from the (English-heavy) list
        *("lösenord", "losenord", "salasana", "välkommen", "valkommen", "tervetuloa", "kommun", "kunta"),
        *("sommar", "vinter", "våren", "hösten", "kesä", "talvi", "kevät", "syksy", "suomi", "sverige"),
    }
)
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list (``common_passwords.txt``, its source and licence beside it), read once."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#")) | LOCAL_COMMON


def _core(text: str) -> str:
    """``text`` in lower case without the digits, punctuation and spaces at its ends
    (``Sommar2026!`` → ``sommar``)."""
    return _ENDS.sub("", text)


def _repeats(text: str) -> str | None:
    """The unit ``text`` repeats (``abcabcabc`` → ``abc``), or None."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return None


def _run(text: str) -> bool:
    """Every character one after the other, up or down (``abcdefghijkl``, ``987654321098``)."""
    steps = {(ord(b) - ord(a)) for a, b in itertools.pairwise(text)}
    return steps <= {1, -9} or steps <= {-1, 9}


def weakness(password: str, context: Iterable[str] = ()) -> str | None:
    """Why ``password`` is too easy to guess, or None: ``common`` (in the bundled list, or a listed word
    with digits or symbols around it: ``password1234``), ``pattern`` (one character or a short unit
    repeated, a run like ``123456789012``) or ``context`` (the product's name, the municipality's, the
    person's e-mail address or name, with little else). ``context``: those words, any case."""
    text = unicodedata.normalize("NFKC", password).casefold()
    common = common_passwords()
    squeezed = re.sub(r"\s+", "", text)
    unit = _repeats(squeezed)
    if unit is not None and (len(unit) < 5 or unit in common or _core(unit) in common):
        return "pattern"
    if _run(squeezed):
        return "pattern"
    if text in common or squeezed in common or _core(text) in common or _core(squeezed) in common:
        return "common"
    words = {unicodedata.normalize("NFKC", c).casefold().strip() for c in (*PRODUCT_WORDS, *context)}
    rest = squeezed
    for word in sorted((w for w in words if len(w) >= 3), key=len, reverse=True):
        rest = rest.replace(re.sub(r"\s+", "", word), " ")
    if rest != squeezed:
        letters = "".join(ch for ch in rest if ch.isalpha())
        if len(letters) < 5 or _core(rest.strip()) in common:
            return "context"
    return None


def context_words(email: str, *names: str) -> list[str]:
    """The words a person's password should not be made of: the e-mail address's local part and its
    pieces, and each name given (the person's, the municipality's) with its words."""
    local = email.split("@", 1)[0]
    words = [local, *re.split(r"[._+-]+", local)]
    for name in names:
        words += [name, *name.split()]
    return [w for w in words if len(w) >= 3]

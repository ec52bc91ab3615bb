"""Signatures of webhook deliveries: ``Livskraft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC (key: the subscription's secret) is computed over ``"<t>.<body>"``, the timestamp and the exact
body bytes, so a receiver can reject both tampered bodies and replays older than its tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Livskraft-Signature"
EVENT_HEADER = "Livskraft-Event"
DELIVERY_HEADER = "Livskraft-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a visible prefix, not a secret
DEFAULT_TOLERANCE = 300
"""Seconds a receiver should accept between the signature's timestamp and its own clock."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """What a receiver does: parse the header, check the age, compare in constant time.

    Several ``v1=`` values are allowed (e.g. during a secret rotation); one match is enough.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)

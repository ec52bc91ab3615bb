"""Signatures of webhook deliveries: ``Livskraft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC (key: the subscription's secret) is computed over ``"<t>.<body>"``, the timestamp and the exact
body bytes, so a receiver can reject both tampered bodies and replays older than its tolerance.

A subscription has one secret for its whole life, so a header carries exactly one ``v1=``: there is no
secret rotation (to change the secret, subscribe anew and delete the old subscription, docs/webhooks.md).
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

    The server sends one ``v1=`` value; like the receiver's example in docs/webhooks.md this accepts
    several and one match is enough, so a receiver keeps working should a later version sign with more
    than one secret at once (it does not today: there is no secret rotation).
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

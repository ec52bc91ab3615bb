"""Append audit events, hash-chained per municipality, and verify the chain.

``hash = sha256(prev_hash || canonical JSON of the event)``; editing or deleting any row breaks the link
of the row after it, and :func:`verify` reports the first broken link.

The acting user's id (``actor_user_id``, migration 0014) is part of the canonical event when it is set,
and left out when it is NULL: an event recorded before the column existed (or by a system actor) hashes
as it always did, so old chains verify unchanged, and a user id set on an event cannot be changed,
added or removed without breaking the chain (the four-eyes rule relies on it: ``review.changed_by``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.audit import repository
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.db.base import utcnow

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "municipality_id": str(event.municipality_id),
        "seq": event.seq,
        "at": _ts(event.at),
        "actor": event.actor,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "before": event.before,
        "after": event.after,
    }
    if event.actor_user_id is not None:
        payload["actor_user_id"] = str(event.actor_user_id)
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


def jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if data is None else json.loads(json.dumps(data, default=str))


def record(
    session: Session,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    head = repository.lock_chain(session, actor.municipality_id)
    event = new_event(actor, action, resource_type, resource_id, before, after, head.audit_seq, head.audit_head)
    head.audit_seq, head.audit_head = event.seq, event.hash
    session.add(event)
    session.add(head)
    session.flush()
    return event


def new_event(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    head_seq: int,
    head_hash: str,
) -> AuditEvent:
    """The event that follows the chain's head (``head_seq``, ``head_hash``, read under its row lock)."""
    event = AuditEvent(
        municipality_id=actor.municipality_id,
        seq=head_seq + 1,
        at=utcnow(),
        actor=actor.label,
        actor_user_id=actor.user_id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head_hash,
        hash="",
    )
    event.hash = compute_hash(event.prev_hash, event)
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify(session: Session, municipality_id: uuid.UUID) -> tuple[int, ChainBreak | None]:
    """Walk the chain and compare its end with the head; returns (events checked, first break or None)."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in repository.chain(session, municipality_id):
        count += 1
        if event.seq != expected_seq:
            return count, ChainBreak(expected_seq, f"event {expected_seq} is missing (found {event.seq})")
        if event.prev_hash != prev:
            return count, ChainBreak(event.seq, "prev_hash does not match the previous event's hash")
        if compute_hash(prev, event) != event.hash:
            return count, ChainBreak(event.seq, "the event's content does not match its hash (edited)")
        prev = event.hash
        expected_seq += 1
    head = repository.head(session, municipality_id)
    if head is not None and (head.audit_seq != expected_seq - 1 or head.audit_head != prev):
        return count, ChainBreak(expected_seq, f"events after {expected_seq - 1} up to {head.audit_seq} are missing")
    return count, None

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit.models import AuditEvent
from app.municipalities.models import Municipality

ADMIN_RESOURCE_TYPES = frozenset({"api_token", "webhook_subscription", "user", "user_invitation"})
"""Events about administration, listed by ``GET /audit-events`` only to callers with the admin right (as
the routes and pages that manage them are): API tokens (``token.*``), webhook subscriptions
(``webhook.*``, with the subscriber's URL), user accounts and invitations (``user.*``, with e-mail
addresses and roles) and sign-ins (``login.*``, ``password_change.*``). The web history of an assessment
lists only the events of the assessment's decision and its versions, so none of these."""


def lock_chain(session: Session, municipality_id: uuid.UUID) -> Municipality:
    """The chain head, row-locked: appends serialise per municipality (SQLite writers are serial anyway).

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: a transaction that has already inserted a row referencing
    the municipality holds a key-share lock on it (the foreign-key check), and ``FOR UPDATE`` conflicts
    with that, so two such writers deadlocked on PostgreSQL (seen in tests/faults/test_kill9.py).
    """
    stmt = (
        select(Municipality)
        .where(Municipality.id == municipality_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)  # the locked row's values, also over a loaded object
    )
    return session.exec(stmt).one()


def _events_of(municipality_id: uuid.UUID, resource_ids: Sequence[str]) -> SelectOfScalar[AuditEvent]:
    return select(AuditEvent).where(
        AuditEvent.municipality_id == municipality_id, col(AuditEvent.resource_id).in_(resource_ids)
    )


def events_for(session: Session, municipality_id: uuid.UUID, resource_ids: Sequence[str]) -> Sequence[AuditEvent]:
    """Every event of ``resource_ids`` in the municipality, oldest first. No limit: the history of an
    assessment is all of its changes (it was cut at the oldest 500, hiding the newest)."""
    return session.exec(_events_of(municipality_id, resource_ids).order_by(col(AuditEvent.seq))).all()


def events_before(
    session: Session, municipality_id: uuid.UUID, resource_ids: Sequence[str], before_seq: int | None, limit: int
) -> Sequence[AuditEvent]:
    """Up to ``limit`` events of ``resource_ids`` in the municipality, newest first, older than
    ``before_seq`` when given (a page of the web history; the API sends every event)."""
    stmt = _events_of(municipality_id, resource_ids)
    if before_seq is not None:
        stmt = stmt.where(col(AuditEvent.seq) < before_seq)
    return session.exec(stmt.order_by(col(AuditEvent.seq).desc()).limit(limit)).all()


def chain(session: Session, municipality_id: uuid.UUID) -> Sequence[AuditEvent]:
    return session.exec(
        select(AuditEvent).where(AuditEvent.municipality_id == municipality_id).order_by(col(AuditEvent.seq))
    ).all()


def head(session: Session, municipality_id: uuid.UUID) -> Municipality | None:
    return session.get(Municipality, municipality_id)


def page(
    session: Session,
    municipality_id: uuid.UUID,
    resource_id: str | None,
    after_seq: int,
    limit: int,
    hidden_resource_types: Collection[str] = (),
) -> Sequence[AuditEvent]:
    """Events after ``after_seq``, oldest first; without those about a resource of ``hidden_resource_types``."""
    stmt = select(AuditEvent).where(AuditEvent.municipality_id == municipality_id, col(AuditEvent.seq) > after_seq)
    if resource_id:
        stmt = stmt.where(AuditEvent.resource_id == resource_id)
    if hidden_resource_types:
        stmt = stmt.where(col(AuditEvent.resource_type).not_in(sorted(hidden_resource_types)))
    return session.exec(stmt.order_by(col(AuditEvent.seq)).limit(limit)).all()

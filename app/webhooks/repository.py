"""Every query of the webhook domain. Subscriptions are always read within one municipality; only the
dispatcher, which serves every municipality, reads deliveries across them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, literal, tuple_, update
from sqlmodel import Session, col, select

from app.webhooks.models import WebhookDelivery, WebhookSubscription

CLAIMABLE = ("pending", "sending")
"""A 'sending' row whose lease (``next_attempt_at``) has run out belongs to a dispatcher that died."""


def list_subscriptions(session: Session, municipality_id: uuid.UUID) -> Sequence[WebhookSubscription]:
    return session.exec(
        select(WebhookSubscription)
        .where(WebhookSubscription.municipality_id == municipality_id)
        .order_by(col(WebhookSubscription.created_at), col(WebhookSubscription.id))
    ).all()


def get_subscription(
    session: Session, municipality_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    sub = session.get(WebhookSubscription, subscription_id)
    return sub if sub is not None and sub.municipality_id == municipality_id else None


def subscribers(session: Session, municipality_id: uuid.UUID, event: str) -> list[WebhookSubscription]:
    active = session.exec(
        select(WebhookSubscription).where(
            WebhookSubscription.municipality_id == municipality_id, col(WebhookSubscription.active).is_(True)
        )
    ).all()
    return [s for s in active if event in s.events.split(",")]


def compare_and_set(
    session: Session, sub: WebhookSubscription, expected: dict[str, Any], changes: dict[str, Any]
) -> bool:
    """Change a subscription only if it still has the values the client read (it has no version column,
    so the compared state is the version). A concurrent change makes this return False (→ 412)."""
    conditions = [col(getattr(WebhookSubscription, k)) == v for k, v in expected.items()]
    result = session.execute(
        update(WebhookSubscription)
        .where(col(WebhookSubscription.id) == sub.id, *conditions)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def delete_subscription(session: Session, sub: WebhookSubscription, expected: dict[str, Any]) -> bool:
    """Delete a subscription (and its delivery history) if it is still as the client read it."""
    conditions = [col(getattr(WebhookSubscription, k)) == v for k, v in expected.items()]
    session.execute(
        delete(WebhookDelivery)
        .where(col(WebhookDelivery.subscription_id) == sub.id)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(WebhookSubscription)
        .where(col(WebhookSubscription.id) == sub.id, *conditions)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def list_deliveries(
    session: Session,
    subscription_id: uuid.UUID,
    limit: int,
    status: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> Sequence[WebhookDelivery]:
    """Newest first (``created_at``, then id, both descending), after the (``created_at``, id) of the
    last one seen."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if after is not None:
        created_col: Any = col(WebhookDelivery.created_at)
        id_col: Any = col(WebhookDelivery.id)
        bound = tuple_(literal(after[0], created_col.type), literal(after[1], id_col.type))
        query = query.where(tuple_(created_col, id_col) < bound)
    return session.exec(
        query.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc()).limit(limit)
    ).all()


def claim_due(
    session: Session, now: datetime, lease_until: datetime, limit: int, skip: Collection[uuid.UUID] = ()
) -> list[WebhookDelivery]:
    """Take up to ``limit`` due deliveries for this dispatcher until ``lease_until``, none of the
    subscriptions in ``skip``.

    Each row is claimed with a conditional UPDATE (still claimable and due), so of several dispatchers
    exactly one wins a row; on PostgreSQL ``FOR UPDATE SKIP LOCKED`` also keeps them off each other's rows.
    """
    stmt = select(WebhookDelivery.id).where(
        col(WebhookDelivery.status).in_(CLAIMABLE), col(WebhookDelivery.next_attempt_at) <= now
    )
    if skip:
        stmt = stmt.where(col(WebhookDelivery.subscription_id).not_in(skip))
    due = session.exec(
        stmt.order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[WebhookDelivery] = []
    for delivery_id in due:
        result = session.execute(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == delivery_id,
                col(WebhookDelivery.status).in_(CLAIMABLE),
                col(WebhookDelivery.next_attempt_at) <= now,
            )
            .values(status="sending", next_attempt_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            row = session.get(WebhookDelivery, delivery_id, populate_existing=True)
            if row is not None:
                claimed.append(row)
    return claimed


def cancel_pending(session: Session, subscription_id: uuid.UUID, reason: str) -> int:
    """Cancel the subscription's deliveries not yet sent (one being sent finishes as it goes)."""
    result = session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.subscription_id) == subscription_id, col(WebhookDelivery.status) == "pending")
        .values(status="cancelled", last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def subscription_by_id(session: Session, subscription_id: uuid.UUID) -> WebhookSubscription | None:
    return session.get(WebhookSubscription, subscription_id)


def finish_attempt(session: Session, delivery_id: uuid.UUID, attempts_before: int, values: dict[str, Any]) -> bool:
    """Record the outcome of an attempt, unless another dispatcher has taken the row over meanwhile."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.status) == "sending",
            col(WebhookDelivery.attempts) == attempts_before,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.api.models import IdempotencyRecord


def idempotency_record(session: Session, token_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key)
    ).first()


def take_over_reservation(session: Session, record_id: uuid.UUID, reserved_at: datetime, now: datetime) -> bool:
    """Compare-and-set: renew a reservation still in progress since ``reserved_at`` (its lease ran
    out) for a new request. Of several retries at once exactly one gets True."""
    result = session.execute(
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.id) == record_id,
            col(IdempotencyRecord.status_code).is_(None),
            col(IdempotencyRecord.created_at) == reserved_at,
        )
        .values(created_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)

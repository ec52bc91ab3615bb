from __future__ import annotations

import uuid

from sqlmodel import Session, select

from app.api.models import IdempotencyRecord


def idempotency_record(session: Session, token_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key)
    ).first()

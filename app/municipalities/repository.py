from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.municipalities.models import Municipality


def by_code(session: Session, code: str) -> Municipality | None:
    return session.exec(select(Municipality).where(Municipality.code == code)).first()


def all_municipalities(session: Session) -> Sequence[Municipality]:
    return session.exec(select(Municipality).order_by(col(Municipality.code))).all()

"""Every query on local rubric extensions stored in the database (always within one municipality)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.rubrics.tables import RubricExtensionRow


def extension_rows(session: Session, municipality_id: uuid.UUID) -> Sequence[RubricExtensionRow]:
    return session.exec(
        select(RubricExtensionRow)
        .where(RubricExtensionRow.municipality_id == municipality_id)
        .order_by(col(RubricExtensionRow.extension_id), col(RubricExtensionRow.created_at))
    ).all()


def extension_row(
    session: Session, municipality_id: uuid.UUID, extension_id: str, version: str
) -> RubricExtensionRow | None:
    return session.exec(
        select(RubricExtensionRow).where(
            RubricExtensionRow.municipality_id == municipality_id,
            RubricExtensionRow.extension_id == extension_id,
            RubricExtensionRow.version == version,
        )
    ).first()

"""Table metadata shared by every SQLModel table, with a naming convention for constraints.

Named constraints make Alembic migrations deterministic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlmodel import SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


INT4_MAX = 2**31 - 1
"""The largest value of an integer column (a version number): a larger one sent by a client cannot be
current, and PostgreSQL refuses to compare it with the column."""


def utcnow() -> datetime:
    """Timezone-aware now in UTC; stored without sub-microsecond noise."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()

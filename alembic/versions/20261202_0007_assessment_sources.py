"""assessment sources: the citations an assessment rests on, kept instead of dropped on import

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sources", app.db.types.JSONType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("sources")

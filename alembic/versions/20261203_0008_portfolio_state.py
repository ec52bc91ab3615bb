"""portfolio state: one row whose token moves with every change of the portfolio summary tables

The country's portfolio is kept per this token instead of a digest of every municipality's audit chain
(docs/benchmarks.md). The row is created here, with a token of its own, for existing databases too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "portfolio_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_state")),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("portfolio_state")

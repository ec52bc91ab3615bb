"""list order indexes: a list page reads from its cursor on instead of sorting the whole municipality

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_municipality_id_created_at_id", ["municipality_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_municipality_id_updated_at_id", ["municipality_id", "updated_at", "id"], unique=False
        )

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_decision_municipality_id_created_at_id", ["municipality_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_municipality_id_created_at_id")

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_municipality_id_updated_at_id")
        batch_op.drop_index("ix_assessment_municipality_id_created_at_id")

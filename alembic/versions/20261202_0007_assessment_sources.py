"""assessment sources: the citations an assessment rests on, kept instead of dropped on import

A downgrade below this revision keeps the sources in a side table (``STASH``) that this upgrade reads
back, so going down and up again loses nothing (tests/faults/test_migrations_data.py).

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

STASH = "downgrade_stash_assessment_sources"


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sources", app.db.types.JSONType, nullable=True))
    if sa.inspect(op.get_bind()).has_table(STASH):
        op.execute(
            "UPDATE assessment SET sources = (SELECT s.sources FROM downgrade_stash_assessment_sources s "
            "WHERE s.assessment_id = assessment.id) "
            "WHERE id IN (SELECT assessment_id FROM downgrade_stash_assessment_sources)"
        )
        op.drop_table(STASH)


def downgrade() -> None:
    op.create_table(
        STASH,
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("sources", app.db.types.JSONType, nullable=True),
    )
    op.execute(
        "INSERT INTO downgrade_stash_assessment_sources (assessment_id, sources) SELECT id, sources FROM assessment"
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("sources")

"""rubric extensions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "rubric_extension",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("extension_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("base_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("content", app.db.types.JSONType, nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_rubric_extension_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_extension")),
        sa.UniqueConstraint(
            "municipality_id",
            "extension_id",
            "version",
            name=op.f("uq_rubric_extension_municipality_id_extension_id_version"),
        ),
    )
    with op.batch_alter_table("rubric_extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rubric_extension_municipality_id"), ["municipality_id"], unique=False)

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extensions", app.db.types.JSONType, nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("extensions")

    with op.batch_alter_table("rubric_extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubric_extension_municipality_id"))

    op.drop_table("rubric_extension")

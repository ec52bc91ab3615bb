"""form drafts, invitations, report cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "user_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", app.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_user_invitation_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_invitation_token_hash")),
    )
    with op.batch_alter_table("user_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_invitation_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "form_draft",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("form_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("data", app.db.types.JSONType, nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_form_draft_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_form_draft_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft")),
        sa.UniqueConstraint(
            "assessment_id", "user_id", "form_key", name=op.f("uq_form_draft_assessment_id_user_id_form_key")
        ),
    )
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_draft_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "report_cache",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_report_cache_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_report_cache_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_cache")),
    )
    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_cache_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_cache_municipality_id"), ["municipality_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_cache_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_report_cache_assessment_id"))

    op.drop_table("report_cache")
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_draft_assessment_id"))

    op.drop_table("form_draft")
    with op.batch_alter_table("user_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_invitation_municipality_id"))

    op.drop_table("user_invitation")

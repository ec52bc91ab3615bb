"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "municipality",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("settings", app.db.types.JSONType, nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("audit_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("code", name=op.f("uq_municipality_code")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("resource_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("resource_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("before", app.db.types.JSONType, nullable=True),
        sa.Column("after", app.db.types.JSONType, nullable=True),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_audit_event_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("municipality_id", "seq", name=op.f("uq_audit_event_municipality_id_seq")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_resource_id"), ["resource_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("case_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("deciding_body", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("source", app.db.types.JSONType, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_decision_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("municipality_id", "case_number", name=op.f("uq_decision_municipality_id_case_number")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", app.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_login_at", app.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_user_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", app.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", app.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_api_token_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_api_token_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("rubric_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("rubric_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rubric_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reviewer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("screening_statement", sa.Text(), nullable=False),
        sa.Column("weights", app.db.types.JSONType, nullable=True),
        sa.Column("submitted_at", app.db.types.UTCDateTime(), nullable=True),
        sa.Column("approved_at", app.db.types.UTCDateTime(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_assessment_author_id_user")),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name=op.f("fk_assessment_decision_id_decision")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_assessment_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(["previous_id"], ["assessment.id"], name=op.f("fk_assessment_previous_id_assessment")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user.id"], name=op.f("fk_assessment_reviewer_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_status"), ["status"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_web_session_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "alternative",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_alternative_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alternative")),
        sa.UniqueConstraint("assessment_id", "key", name=op.f("uq_alternative_assessment_id_key")),
    )
    with op.batch_alter_table("alternative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alternative_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "review_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_review_entry_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_entry")),
    )
    with op.batch_alter_table("review_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_entry_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "screening_answer",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("perspective_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_screening_answer_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("assessment_id", "perspective_id", name=op.f("pk_screening_answer")),
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("alternative_id", sa.Uuid(), nullable=False),
        sa.Column("perspective_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("criterion_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("effect", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("likelihood", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("horizon", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("certainty", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence", app.db.types.JSONType, nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("affected_groups", sa.Text(), nullable=False),
        sa.Column("affected_area", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alternative_id"], ["alternative.id"], name=op.f("fk_rating_alternative_id_alternative")
        ),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name=op.f("fk_rating_assessment_id_assessment")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint(
            "alternative_id",
            "criterion_id",
            "target",
            "effect",
            name=op.f("uq_rating_alternative_id_criterion_id_target_effect"),
        ),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("rating_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_at", app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_follow_up_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(["rating_id"], ["rating.id"], name=op.f("fk_follow_up_rating_id_rating")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("rating_id", name=op.f("uq_follow_up_rating_id")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_assessment_id"), ["assessment_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_assessment_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_assessment_id"))

    op.drop_table("rating")
    op.drop_table("screening_answer")
    with op.batch_alter_table("review_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_entry_assessment_id"))

    op.drop_table("review_entry")
    with op.batch_alter_table("alternative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alternative_assessment_id"))

    op.drop_table("alternative")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))

    op.drop_table("web_session")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_status"))
        batch_op.drop_index(batch_op.f("ix_assessment_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_decision_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_municipality_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_municipality_id"))

    op.drop_table("user")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_municipality_id"))

    op.drop_table("decision")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_resource_id"))

    op.drop_table("audit_event")
    op.drop_table("municipality")

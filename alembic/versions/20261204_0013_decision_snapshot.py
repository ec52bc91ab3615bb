"""decision snapshot: an approved assessment keeps the decision's details as they were approved

The decision's details (case number, title, summary, deciding body, planned date) are part of what a
reviewer approves, and the decision summary PDF shows them. The decision may be changed again once a
new draft version of its assessment exists, so an approved (later superseded) version read the
changed details: its record changed after approval. ``assessment.decision_snapshot`` keeps them, with
the decision's version number, from the approval on (``app/assessments/review.py``); the reports show
it for an approved or superseded assessment, the live decision otherwise.

Backfill: every approved or superseded assessment gets the decision's details *as they are now* — the
best record available; for a superseded version whose decision was changed after its approval they
are the changed details (as its PDF showed before this revision). Assessments in other states keep
NULL.

A downgrade below this revision keeps the snapshots in a side table (``STASH``) that this upgrade
reads back, so going down and up again loses nothing and changes nothing
(tests/faults/test_migrations_data.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STASH = "downgrade_stash_decision_snapshot"

_decision = sa.table(
    "decision",
    sa.column("id", sa.Uuid()),
    sa.column("case_number", sa.String()),
    sa.column("title", sa.String()),
    sa.column("summary", sa.Text()),
    sa.column("deciding_body", sa.String()),
    sa.column("planned_date", sa.Date()),
    sa.column("version", sa.Integer()),
)
_assessment = sa.table(
    "assessment",
    sa.column("id", sa.Uuid()),
    sa.column("decision_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("decision_snapshot", app.db.types.JSONType),
)


def _backfill() -> None:
    """The current decision's details on every approved or superseded assessment (in Python: building
    JSON in SQL differs between SQLite and PostgreSQL)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _assessment.c.id,
            _decision.c.case_number,
            _decision.c.title,
            _decision.c.summary,
            _decision.c.deciding_body,
            _decision.c.planned_date,
            _decision.c.version,
        )
        .select_from(_assessment.join(_decision, _decision.c.id == _assessment.c.decision_id))
        .where(_assessment.c.status.in_(("approved", "superseded")))
    ).all()
    if not rows:
        return
    update = (
        sa.update(_assessment)
        .where(_assessment.c.id == sa.bindparam("assessment_id"))
        .values(decision_snapshot=sa.bindparam("snapshot", type_=app.db.types.JSONType))
    )
    bind.execute(
        update,
        [
            {
                "assessment_id": r.id,
                "snapshot": {
                    "case_number": r.case_number,
                    "title": r.title,
                    "summary": r.summary,
                    "deciding_body": r.deciding_body,
                    "planned_date": r.planned_date.isoformat() if r.planned_date else None,
                    "version": r.version,
                },
            }
            for r in rows
        ],
    )


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_snapshot", app.db.types.JSONType, nullable=True))
    _backfill()
    if sa.inspect(op.get_bind()).has_table(STASH):
        # back up again after a downgrade: the values kept then (NULL included) win over the backfill
        op.execute(
            "UPDATE assessment SET decision_snapshot = (SELECT s.decision_snapshot "
            "FROM downgrade_stash_decision_snapshot s WHERE s.assessment_id = assessment.id) "
            "WHERE id IN (SELECT assessment_id FROM downgrade_stash_decision_snapshot)"
        )
        op.drop_table(STASH)


def downgrade() -> None:
    op.create_table(
        STASH,
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("decision_snapshot", app.db.types.JSONType, nullable=True),
    )
    op.execute(
        "INSERT INTO downgrade_stash_decision_snapshot (assessment_id, decision_snapshot) "
        "SELECT id, decision_snapshot FROM assessment"
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("decision_snapshot")

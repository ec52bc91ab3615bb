"""assessment text language: the language the official wrote the assessment's texts in

The assessment's own texts (alternatives, rationales, mitigations, the screening statement, sources,
review comments, follow-up notes) were shown in every page, PDF and Word copy as if written in the
language of the page: a Swedish rationale in a Finnish PDF was hyphenated by Finnish rules and read
aloud by a screen reader with a Finnish voice. ``text_language`` (``sv``, ``fi`` or ``en``) marks them
(``lang`` in HTML, ``/Lang`` on the PDF's structure elements, ``w:lang`` in Word). Null means not
stated: existing assessments keep it so (nothing here can tell which language an official wrote in),
and their texts are shown as before.

Adding a nullable column without a default is a change of the catalogue only on PostgreSQL (no table
rewrite, a brief lock), so the upgrade is safe on a large table. A downgrade keeps the stated languages
in a side table (``STASH``) that the upgrade puts back, so down and up again loses nothing (as revision
0014 does for the events' user ids).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STASH = "downgrade_stash_assessment_text_language"


def upgrade() -> None:
    op.add_column("assessment", sa.Column("text_language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
    if sa.inspect(op.get_bind()).has_table(STASH):  # up again after a downgrade: the languages kept then
        op.execute(
            "UPDATE assessment SET text_language = (SELECT s.text_language "
            "FROM downgrade_stash_assessment_text_language s WHERE s.assessment_id = assessment.id) "
            "WHERE id IN (SELECT assessment_id FROM downgrade_stash_assessment_text_language)"
        )
        op.drop_table(STASH)


def downgrade() -> None:
    op.create_table(
        STASH,
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("text_language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    )
    op.execute(
        "INSERT INTO downgrade_stash_assessment_text_language (assessment_id, text_language) "
        "SELECT id, text_language FROM assessment WHERE text_language IS NOT NULL"
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("text_language")

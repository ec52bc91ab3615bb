"""flags follow screening: recompute the significant-negative flag of assessments with ratings in a
perspective screened out

Ratings kept from before their perspective was screened out counted in the flag (the list filter
``significant_negative``) though in nothing else. The code no longer counts them; this recomputes the
flag of the assessments that hold such ratings, with the rule of ``app/assessments/scoring.py`` (a
proposal rating below zero whose size times the weight of its likelihood is at least 1.5; the weights
are written out here, as a migration must not change when the code does). Data only: the downgrade
leaves the corrected flags.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOMPUTE = """
UPDATE assessment SET significant_negative = EXISTS (
  SELECT 1 FROM rating r JOIN alternative al ON al.id = r.alternative_id
  WHERE r.assessment_id = assessment.id AND al.kind = 'proposal' AND r.score < 0
    AND NOT EXISTS (
      SELECT 1 FROM screening_answer s
      WHERE s.assessment_id = r.assessment_id AND s.perspective_id = r.perspective_id AND s.relevant = :no
    )
    AND ABS(r.score) * (CASE r.likelihood WHEN 'unlikely' THEN 0.25 WHEN 'possible' THEN 0.5
                        WHEN 'likely' THEN 0.75 WHEN 'certain' THEN 1.0 ELSE 0.5 END) >= 1.5
)
WHERE EXISTS (
  SELECT 1 FROM rating r JOIN screening_answer s
    ON s.assessment_id = r.assessment_id AND s.perspective_id = r.perspective_id AND s.relevant = :no
  WHERE r.assessment_id = assessment.id
)
"""


def upgrade() -> None:
    op.get_bind().execute(sa.text(RECOMPUTE), {"no": False})


def downgrade() -> None:
    pass  # the corrected flags stay: the old ones were wrong

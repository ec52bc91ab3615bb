"""portfolio summary tables, filled from the approved assessments already stored

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "portfolio_cell",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("perspective_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Integer(), nullable=False),
        sa.Column("significant_negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_portfolio_cell_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "year", "quarter", "perspective_id", "target", name=op.f("pk_portfolio_cell")
        ),
    )
    with op.batch_alter_table("portfolio_cell", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_cell_year_quarter", ["year", "quarter"], unique=False)

    op.create_table(
        "portfolio_quarter",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.Column("significant_negative", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_portfolio_quarter_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("municipality_id", "year", "quarter", name=op.f("pk_portfolio_quarter")),
    )
    with op.batch_alter_table("portfolio_quarter", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_quarter_year_quarter", ["year", "quarter"], unique=False)

    _backfill()


# The backfill repeats app/portfolio/aggregate.py in SQL (a migration must not change when the app does):
# the proposal's effects in relevant perspectives of approved assessments, by the decision's quarter.
_DAY = {
    "postgresql": "COALESCE(d.planned_date, CAST(a.created_at AT TIME ZONE 'UTC' AS DATE))",
    "sqlite": "COALESCE(d.planned_date, substr(a.created_at, 1, 10))",
}
_YEAR_QUARTER = {
    "postgresql": "CAST(EXTRACT(YEAR FROM {day}) AS INTEGER), CAST(EXTRACT(QUARTER FROM {day}) AS INTEGER)",
    "sqlite": "CAST(substr({day}, 1, 4) AS INTEGER), (CAST(substr({day}, 6, 2) AS INTEGER) + 2) / 3",
}
_SIGNIFICANT_NEGATIVE = (
    "r.score < 0 AND -r.score * (CASE r.likelihood WHEN 'unlikely' THEN 0.25 WHEN 'possible' THEN 0.5 "
    "WHEN 'likely' THEN 0.75 WHEN 'certain' THEN 1.0 ELSE 0.5 END) >= 1.5"
)
_EFFECTS = """
    FROM assessment a
    JOIN decision d ON d.id = a.decision_id
    JOIN alternative p ON p.assessment_id = a.id AND p.kind = 'proposal'
    JOIN rating r ON r.alternative_id = p.id
    WHERE a.status = 'approved' AND NOT EXISTS (
        SELECT 1 FROM screening_answer s
        WHERE s.assessment_id = a.id AND s.perspective_id = r.perspective_id AND NOT s.relevant)
"""


def _backfill() -> None:
    dialect = op.get_bind().dialect.name
    period = _YEAR_QUARTER.get(dialect, _YEAR_QUARTER["sqlite"]).format(day=_DAY.get(dialect, _DAY["sqlite"]))
    op.execute(
        "INSERT INTO portfolio_cell (municipality_id, year, quarter, perspective_id, target, negative, neutral, "
        "positive, unknown, score_sum, significant_negative) "
        f"SELECT a.municipality_id, {period}, r.perspective_id, r.target, "
        "SUM(CASE WHEN r.score < 0 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.score > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score IS NULL THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(r.score), 0), SUM(CASE WHEN {_SIGNIFICANT_NEGATIVE} THEN 1 ELSE 0 END) "
        f"{_EFFECTS} GROUP BY 1, 2, 3, 4, 5"
    )
    op.execute(
        "INSERT INTO portfolio_quarter (municipality_id, year, quarter, approved, significant_negative) "  # noqa: S608 - constants only
        f"SELECT a.municipality_id, {period}, COUNT(*), SUM(CASE WHEN EXISTS ("
        "SELECT 1 FROM alternative p JOIN rating r ON r.alternative_id = p.id "
        f"WHERE p.assessment_id = a.id AND p.kind = 'proposal' AND {_SIGNIFICANT_NEGATIVE} AND NOT EXISTS ("
        "SELECT 1 FROM screening_answer s "
        "WHERE s.assessment_id = a.id AND s.perspective_id = r.perspective_id AND NOT s.relevant)"
        ") THEN 1 ELSE 0 END) "
        "FROM assessment a JOIN decision d ON d.id = a.decision_id WHERE a.status = 'approved' GROUP BY 1, 2, 3"
    )


def downgrade() -> None:

    with op.batch_alter_table("portfolio_quarter", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_quarter_year_quarter")

    op.drop_table("portfolio_quarter")
    with op.batch_alter_table("portfolio_cell", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_cell_year_quarter")

    op.drop_table("portfolio_cell")

"""portfolio quarter as approved: an approved assessment counts by its decision's date as approved

An approved assessment counted in the quarter of its decision's planned date *as it is now*: changing the
date for a new draft version moved the approved, still current version to another quarter. It now counts
by the date it was approved with (``assessment.decision_snapshot``, revision 0013) until a newer version
is approved and supersedes it (``app/portfolio/aggregate.py``: ``planned_as_approved``). Where such a
change already moved an approved version, the summary tables are rebuilt from the approved assessments
under the new rule (taking the version away on its supersession would otherwise subtract it from a
quarter it is not in), and get a new token (``portfolio_state``).

Each approved assessment's quarter is worked out here in Python (the snapshot is JSON, and the day of
creation is the municipality's day: SQL for both differs between SQLite and PostgreSQL) into a side
table the rebuild joins, with the rule written out here as in revision 0010 (a migration must not
change when the code does). Both ways the tables are rebuilt only when some approved assessment's
quarter differs between the two rules: the upgrade onto the date as approved, the downgrade back onto
the decision's date as it is now, which the code before counts by.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONES = {"SE": "Europe/Stockholm"}
DEFAULT_ZONE = "Europe/Helsinki"
SIDE = "portfolio_period_0015"

_assessment = sa.table(
    "assessment",
    sa.column("id", sa.Uuid()),
    sa.column("decision_id", sa.Uuid()),
    sa.column("municipality_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("created_at", app.db.types.UTCDateTime()),
    sa.column("decision_snapshot", app.db.types.JSONType),
)
_decision = sa.table("decision", sa.column("id", sa.Uuid()), sa.column("planned_date", sa.Date()))
_municipality = sa.table("municipality", sa.column("id", sa.Uuid()), sa.column("country", sa.String()))

_SIGNIFICANT_NEGATIVE = (
    "r.score < 0 AND -r.score * (CASE r.likelihood WHEN 'unlikely' THEN 0.25 WHEN 'possible' THEN 0.5 "
    "WHEN 'likely' THEN 0.75 WHEN 'certain' THEN 1.0 ELSE 0.5 END) >= 1.5"
)
_NOT_SCREENED_OUT = (
    "NOT EXISTS (SELECT 1 FROM screening_answer s "
    "WHERE s.assessment_id = a.id AND s.perspective_id = r.perspective_id AND NOT s.relevant)"
)


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _as_approved(snapshot: Any, planned_now: date | None) -> date | None:
    if not isinstance(snapshot, dict) or not snapshot:
        return planned_now
    planned = snapshot.get("planned_date")
    return date.fromisoformat(planned) if isinstance(planned, str) and planned else None


def _periods() -> dict[uuid.UUID, tuple[tuple[int, int], tuple[int, int]]]:
    """Each approved assessment's (year, quarter) as approved and by the decision's date as it is now."""
    rows = (
        op.get_bind()
        .execute(
            sa.select(
                _assessment.c.id,
                _assessment.c.created_at,
                _assessment.c.decision_snapshot,
                _decision.c.planned_date,
                _municipality.c.country,
            )
            .select_from(
                _assessment.join(_decision, _decision.c.id == _assessment.c.decision_id).join(
                    _municipality, _municipality.c.id == _assessment.c.municipality_id
                )
            )
            .where(_assessment.c.status == "approved")
        )
        .all()
    )
    out = {}
    for r in rows:
        created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
        created_day = created.astimezone(ZoneInfo(ZONES.get(r.country or "", DEFAULT_ZONE))).date()
        as_approved = _as_approved(r.decision_snapshot, r.planned_date) or created_day
        now = r.planned_date or created_day
        out[r.id] = (_quarter(as_approved), _quarter(now))
    return out


def _rebuild(periods: dict[uuid.UUID, tuple[int, int]]) -> None:
    side = op.create_table(
        SIDE,
        sa.Column("assessment_id", sa.Uuid(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
    )
    op.bulk_insert(side, [{"assessment_id": k, "year": y, "quarter": q} for k, (y, q) in periods.items()])
    op.execute("DELETE FROM portfolio_cell")
    op.execute("DELETE FROM portfolio_quarter")
    op.execute(
        "INSERT INTO portfolio_cell (municipality_id, year, quarter, perspective_id, target, negative, neutral, "  # noqa: S608 - constants only
        "positive, unknown, score_sum, significant_negative) "
        "SELECT a.municipality_id, pp.year, pp.quarter, r.perspective_id, r.target, "
        "SUM(CASE WHEN r.score < 0 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.score > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN r.score IS NULL THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(r.score), 0), SUM(CASE WHEN {_SIGNIFICANT_NEGATIVE} THEN 1 ELSE 0 END) "
        f"FROM assessment a JOIN {SIDE} pp ON pp.assessment_id = a.id "
        "JOIN alternative p ON p.assessment_id = a.id AND p.kind = 'proposal' "
        "JOIN rating r ON r.alternative_id = p.id "
        f"WHERE a.status = 'approved' AND {_NOT_SCREENED_OUT} "
        "GROUP BY a.municipality_id, pp.year, pp.quarter, r.perspective_id, r.target"
    )
    op.execute(
        "INSERT INTO portfolio_quarter (municipality_id, year, quarter, approved, significant_negative) "  # noqa: S608 - constants only
        "SELECT a.municipality_id, pp.year, pp.quarter, COUNT(*), SUM(CASE WHEN EXISTS ("
        "SELECT 1 FROM alternative p JOIN rating r ON r.alternative_id = p.id "
        f"WHERE p.assessment_id = a.id AND p.kind = 'proposal' AND {_SIGNIFICANT_NEGATIVE} AND {_NOT_SCREENED_OUT}"
        ") THEN 1 ELSE 0 END) "
        f"FROM assessment a JOIN {SIDE} pp ON pp.assessment_id = a.id WHERE a.status = 'approved' "
        "GROUP BY a.municipality_id, pp.year, pp.quarter"
    )
    op.drop_table(SIDE)
    # a new token in the same transaction: a country's portfolio kept for the old one is not these tables'
    op.execute("DELETE FROM portfolio_state")
    new_token = sa.text("INSERT INTO portfolio_state (id, epoch) VALUES (1, :epoch)")
    op.get_bind().execute(new_token, {"epoch": uuid.uuid4().hex})


def upgrade() -> None:
    periods = _periods()
    if any(as_approved != now for as_approved, now in periods.values()):
        _rebuild({k: as_approved for k, (as_approved, _) in periods.items()})


def downgrade() -> None:
    periods = _periods()
    if any(as_approved != now for as_approved, now in periods.values()):
        _rebuild({k: now for k, (_, now) in periods.items()})

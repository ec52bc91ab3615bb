"""local day quarters: rebuild the portfolio summary tables with the municipality's local day

An approved assessment whose decision has no planned date counts in the quarter of the day it was
created. That day was the UTC day; it is now the day on the municipality's clock (Finland
Europe/Helsinki, Sweden Europe/Stockholm, any other country Helsinki: ``app/municipalities/timezone.py``),
so an assessment created in the last two or three hours (UTC) of a quarter's last day now belongs to the
next quarter. This empties both summary tables and fills them again from the approved assessments, with
the rule of ``app/portfolio/aggregate.py`` written out in SQL as in revision 0005 (a migration must not
change when the code does), and gives the tables a new token (``portfolio_state``: the country's
portfolio is kept per token). SQLite has no time zones: there a function of this file, with Python's
zoneinfo, names the local day.

Both ways the tables are rebuilt only when some approved assessment's UTC and local quarters differ
(otherwise they are right under both rules, and their token stays): the upgrade onto the local day, the
downgrade back onto the UTC day, which the code before counts by (else taking an assessment away again
under that code would subtract it from another quarter).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONES = {"SE": "Europe/Stockholm"}
DEFAULT_ZONE = "Europe/Helsinki"
"""The zone of a municipality's country (``municipality.country``); any other country keeps Helsinki's."""
SQLITE_LOCAL_DAY = "livskraft_0010_local_day"

_ZONE_OF_COUNTRY = (
    "(CASE m.country " + " ".join(f"WHEN '{c}' THEN '{z}'" for c, z in ZONES.items()) + f" ELSE '{DEFAULT_ZONE}' END)"
)
_LOCAL_DAY = {
    "postgresql": f"CAST(a.created_at AT TIME ZONE {_ZONE_OF_COUNTRY} AS DATE)",
    "sqlite": f"{SQLITE_LOCAL_DAY}(a.created_at, m.country)",
}
_UTC_DAY = {
    "postgresql": "CAST(a.created_at AT TIME ZONE 'UTC' AS DATE)",
    "sqlite": "substr(a.created_at, 1, 10)",
}
_YEAR_QUARTER = {
    "postgresql": "CAST(EXTRACT(YEAR FROM {day}) AS INTEGER), CAST(EXTRACT(QUARTER FROM {day}) AS INTEGER)",
    "sqlite": "CAST(substr({day}, 1, 4) AS INTEGER), (CAST(substr({day}, 6, 2) AS INTEGER) + 2) / 3",
}
_SIGNIFICANT_NEGATIVE = (
    "r.score < 0 AND -r.score * (CASE r.likelihood WHEN 'unlikely' THEN 0.25 WHEN 'possible' THEN 0.5 "
    "WHEN 'likely' THEN 0.75 WHEN 'certain' THEN 1.0 ELSE 0.5 END) >= 1.5"
)
_APPROVED = """
    FROM assessment a
    JOIN decision d ON d.id = a.decision_id
    JOIN municipality m ON m.id = a.municipality_id
    WHERE a.status = 'approved'
"""
_EFFECTS = """
    FROM assessment a
    JOIN decision d ON d.id = a.decision_id
    JOIN municipality m ON m.id = a.municipality_id
    JOIN alternative p ON p.assessment_id = a.id AND p.kind = 'proposal'
    JOIN rating r ON r.alternative_id = p.id
    WHERE a.status = 'approved' AND NOT EXISTS (
        SELECT 1 FROM screening_answer s
        WHERE s.assessment_id = a.id AND s.perspective_id = r.perspective_id AND NOT s.relevant)
"""


def _sqlite_local_day(created_at: str | None, country: str | None) -> str | None:
    """The day (ISO) a stored SQLite timestamp (naive UTC text) falls on in the country's zone."""
    if created_at is None:
        return None
    ts = datetime.fromisoformat(created_at)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(ZoneInfo(ZONES.get(country or "", DEFAULT_ZONE))).date().isoformat()


def _dialect() -> str:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        driver = bind.connection.driver_connection
        driver.create_function(SQLITE_LOCAL_DAY, 2, _sqlite_local_day, deterministic=True)  # type: ignore[union-attr]
        return "sqlite"
    return "postgresql"


def _period(dialect: str, day: dict[str, str]) -> str:
    """(year, quarter) of the decision: its planned date, else ``day`` of its assessment's creation."""
    return _YEAR_QUARTER[dialect].format(day=f"COALESCE(d.planned_date, {day[dialect]})")


def _rebuild(dialect: str, day: dict[str, str]) -> None:
    period = _period(dialect, day)
    op.execute("DELETE FROM portfolio_cell")
    op.execute("DELETE FROM portfolio_quarter")
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
        f"{_APPROVED} GROUP BY 1, 2, 3"
    )
    # a new token in the same transaction: a country's portfolio kept for the old one is not these tables'
    op.execute("DELETE FROM portfolio_state")
    new_token = sa.text("INSERT INTO portfolio_state (id, epoch) VALUES (1, :epoch)")
    op.get_bind().execute(new_token, {"epoch": uuid.uuid4().hex})


def _any_moved(dialect: str) -> bool:
    """Whether any approved assessment's quarter differs between the UTC day and the local day (when
    none does, the tables are right under both rules and a rebuild, minutes on a national database,
    is skipped)."""
    utc, local = _period(dialect, _UTC_DAY), _period(dialect, _LOCAL_DAY)
    moved = f"SELECT 1 {_APPROVED} AND d.planned_date IS NULL AND ({utc}) <> ({local}) LIMIT 1"
    return op.get_bind().execute(sa.text(moved)).first() is not None


def upgrade() -> None:
    dialect = _dialect()
    if _any_moved(dialect):
        _rebuild(dialect, _LOCAL_DAY)


def downgrade() -> None:
    dialect = _dialect()
    if _any_moved(dialect):
        _rebuild(dialect, _UTC_DAY)

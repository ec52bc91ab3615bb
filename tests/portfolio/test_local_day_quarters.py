"""An approved assessment without a planned date counts in the quarter of the day it was created on its
municipality's clock, and migration 0010 moves the ones the UTC day had put in the quarter before.

After the clocks went forward on 29 March 2026 Helsinki is UTC+3 and Stockholm UTC+2: 21:30 UTC on
31 March is still the first quarter in Stockholm but the second in Helsinki; 22:30 UTC is the second
quarter in both, and the first in UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from tests.api.test_review_flow import act
from tests.portfolio.test_portfolio import NEGATIVE, POSITIVE, impacts, people, portfolio_token, rated, table_rows
from tests.support import Api, session

LATE = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)


def approved_created_at(official: Api, reviewer: Api, case: str, created: datetime, planned: str | None = None) -> str:
    """An assessment created at ``created`` (set in the database before its approval), then approved."""
    from app.assessments.models import Assessment

    a = rated(official, case, planned, [NEGATIVE, POSITIVE])
    with session() as s:
        row = s.get(Assessment, uuid.UUID(a["id"]))
        assert row is not None
        row.created_at = created
        s.add(row)
        s.commit()
    assert act(official, a, "submit").status_code == 200
    r = act(reviewer, a, "approve")
    assert r.status_code == 200, r.text
    return str(a["id"])


def approved_by_quarter() -> dict[tuple[str, int, int], int]:
    """(municipality code, year, quarter) → approved assessments, from the summary table."""
    from app.municipalities.models import Municipality
    from app.portfolio.models import PortfolioQuarter

    with session() as s:
        rows = s.exec(
            select(Municipality.code, PortfolioQuarter.year, PortfolioQuarter.quarter, PortfolioQuarter.approved).join(
                Municipality, col(Municipality.id) == col(PortfolioQuarter.municipality_id)
            )
        ).all()
    return {(code, year, quarter): n for code, year, quarter, n in rows if n}


def late_approvals(client: Any) -> Api:
    """Stockholm: one approved 23:30 on 31 March local time, one 00:30 on 1 April; Helsinki: one 00:30 on
    1 April local time (21:30 UTC on 31 March). Returns Stockholm's official."""
    stockholm = people(client, "0180")
    approved_created_at(*stockholm, "KS 31/2026", LATE)
    approved_created_at(*stockholm, "KS 32/2026", LATER)
    approved_created_at(*people(client, "091"), "KH 31/2026", LATE)
    return stockholm[0]


LOCAL = {("0180", 2026, 1): 1, ("0180", 2026, 2): 1, ("091", 2026, 2): 1}
UTC_DAYS = {("0180", 2026, 1): 2, ("091", 2026, 1): 1}
"""Where the UTC day put them (the code before the fix)."""


def test_the_quarter_is_the_municipalitys_day_of_creation(client: Any) -> None:
    from app.municipalities.models import Municipality
    from app.portfolio.service import rebuild_municipality

    swedish = late_approvals(client)
    assert approved_by_quarter() == LOCAL
    assert [q["approved"] for q in impacts(swedish, 2026)["quarters"]] == [1, 1, 0, 0]
    incremental = table_rows()
    with session() as s:
        for m in s.exec(select(Municipality)).all():
            rebuild_municipality(s, m.id)
        s.commit()
    assert table_rows() == incremental, "a rebuild counts the same days"


def _as_the_code_before_the_fix_kept_them() -> None:
    """The summary tables rebuilt by hand with the UTC day of creation (the rule before the fix)."""
    from app.assessments import repository as assessments_repo
    from app.assessments.models import Assessment, Decision
    from app.municipalities.models import Municipality
    from app.portfolio import repository as repo
    from app.portfolio.aggregate import contribution

    with session() as s:
        for m in s.exec(select(Municipality)).all():
            repo.forget_municipality(s, m.id)
        # the columns of revision 0009 only: the model's later ones (decision_snapshot) are not there yet
        approved = select(Assessment.id, Assessment.decision_id, Assessment.municipality_id, Assessment.created_at)
        for a in s.exec(approved.where(Assessment.status == "approved")).all():
            planned = s.exec(select(Decision.planned_date).where(Decision.id == a.decision_id)).one()
            day = planned or a.created_at.astimezone(UTC).date()
            c = contribution(
                (day.year, (day.month - 1) // 3 + 1),
                assessments_repo.alternatives_for(s, a.id),
                assessments_repo.screening_for(s, a.id),
                assessments_repo.ratings_for(s, a.id),
            )
            repo.add_contribution(s, a.municipality_id, c, 1)
        s.commit()


def test_the_migration_moves_late_creations_to_their_local_quarter(client: Any) -> None:
    from app.assessments import representation_cache
    from app.db.migrate import downgrade, upgrade

    swedish = late_approvals(client)
    incremental, token = table_rows(), portfolio_token()

    downgrade("0009")  # puts them back where the code before counted them
    assert approved_by_quarter() == UTC_DAYS
    assert portfolio_token() not in (None, token), "the tables changed: a new token"
    by_downgrade = table_rows()
    _as_the_code_before_the_fix_kept_them()
    assert table_rows() == by_downgrade, "the downgrade gives what the code before kept"
    token = portfolio_token()

    upgrade("head")
    assert approved_by_quarter() == LOCAL
    assert table_rows() == incremental, "as the code counts them now"
    assert portfolio_token() not in (None, token)
    representation_cache.clear()  # kept portfolios follow the audit chain, which a migration does not move
    assert [q["approved"] for q in impacts(swedish, 2026)["quarters"]] == [1, 1, 0, 0]


def test_with_nothing_to_move_the_migration_leaves_the_tables_and_their_token(client: Any) -> None:
    """Both ways: a national database is not rebuilt (minutes) when no quarter changes."""
    from app.db.migrate import downgrade, upgrade

    official, reviewer = people(client, "0180")
    approved_created_at(official, reviewer, "KS 33/2026", LATER, planned="2026-05-04")  # a planned date decides
    approved_created_at(official, reviewer, "KS 34/2026", datetime(2026, 2, 10, 12, tzinfo=UTC))
    rows, token = table_rows(), portfolio_token()
    downgrade("0009")
    assert (table_rows(), portfolio_token()) == (rows, token)
    upgrade("head")
    assert (table_rows(), portfolio_token()) == (rows, token)

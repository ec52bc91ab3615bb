"""Migrations down and up on a populated database keep the data.

The eight example assessments (with their decisions, alternatives, screening, ratings, reviews and
audit trails), a user and a token are loaded; then the schema goes down one revision at a time to the
first one and back up to head. After each step down every remaining table holds exactly the rows it
held before, less only the tables and columns that revision does not have; back at head every row of
every table equals the original, the audit chain verifies and the database is intact.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.script import ScriptDirectory

from app.cli.seed import seed_examples
from app.db.migrate import alembic_config, downgrade, upgrade
from tests.faults.support import FaultDatabase, Rows, cli_here, integrity_problems, rows_of, without_columns
from tests.server import ROOT
from tests.support import make_token, make_user

pytestmark = pytest.mark.slow
DERIVED = {"assessment": {"significant_negative"}, "portfolio_state": {"epoch"}}
"""Columns computed from other rows (revision 0003 recomputes the flag from the ratings); the summary
tables' token is new after they are rebuilt, as it must be (a copy kept for the old one is not theirs)."""
DERIVED_TABLES = {"portfolio_cell", "portfolio_quarter", "portfolio_state"}
"""Summary tables computed from other rows: a downgrade may drop them, the upgrade refills them."""
STASH_PREFIX = "downgrade_stash_"
"""Side tables where a downgrade keeps the values of columns the older schema lacks (read back on upgrade)."""


def _populate() -> None:
    loaded, _ = seed_examples(ROOT / "assessments")
    assert loaded >= 8
    user = make_user("905", "handlaggare@example.fi", "official")
    make_token("905")
    _event_of_a_person(user)


def _event_of_a_person(user: Any) -> None:
    """An event with the acting user's id (revision 0014): a downgrade keeps it aside, the upgrade puts
    it back, and the event's hash, which covers it, verifies again."""
    from app.audit import service as audit
    from app.auth.web_sessions import actor_for_user
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality

    with unit_of_work() as s:
        municipality = s.get(Municipality, user.municipality_id)
        assert municipality is not None
        event = audit.record(s, actor_for_user(user, municipality), "user.viewed", "user", user.id)
        assert event.actor_user_id == user.id


def _down_and_up(db: FaultDatabase) -> tuple[Rows, Rows, list[str]]:
    """(rows before, rows after going down to the first revision step by step and back, revisions)."""
    before = rows_of(db)
    assert all(before[t] for t in ("decision", "assessment", "alternative", "rating", "audit_event", "user"))
    revisions = [rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    for target in revisions[1:]:  # head first
        downgrade(target)
        now = {t: rows for t, rows in rows_of(db).items() if not t.startswith(STASH_PREFIX)}
        assert now["alembic_version"] == [{"version_num": target}]
        lost = {t: len(before[t]) for t in set(before) - set(now) - DERIVED_TABLES if before[t]}
        assert lost == {}, f"downgrade to {target} dropped tables with rows: {lost}"
        gone_columns = {t: set(before[t][0]) - set(rows[0]) for t, rows in now.items() if rows and before[t]}
        expected = without_columns({t: before[t] for t in now if t != "alembic_version"}, gone_columns)
        assert {t: rows for t, rows in now.items() if t != "alembic_version"} == expected, f"data changed at {target}"
    upgrade("head")
    return before, rows_of(db), revisions


def test_migrations_down_and_up_keep_every_row(fault_db: FaultDatabase) -> None:
    _populate()
    before, after, revisions = _down_and_up(fault_db)
    assert len(revisions) >= 2  # at least one step down and up
    plain_before, plain_after = without_columns(before, DERIVED), without_columns(after, DERIVED)
    changed = sorted(t for t in plain_before if plain_after.get(t) != plain_before[t])
    assert changed == [], f"rows differ after down to {revisions[-1]} and up to head in {changed}"
    assert integrity_problems(fault_db) == []
    code, output = cli_here("audit", "verify")
    assert code == 0, output
    assert any(row["significant_negative"] for row in before["assessment"])
    assert after["assessment"] == before["assessment"]  # derived flags are recomputed by 0003
    assert after["portfolio_state"][0]["epoch"] != before["portfolio_state"][0]["epoch"]

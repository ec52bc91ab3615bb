"""Check a generated database (used by scripts/bench-smoke; not a test of the app itself).

    .venv/bin/python bench/check.py --database-url URL [--municipalities 20]

* the schema is exactly the migrated one (models and database agree, keys and indexes included), so the
  generator's dropping and recreating of keys left nothing behind;
* the portfolio summary tables equal a rebuild by the app's own service from the ratings (for the
  largest ``--municipalities``; in a transaction that is rolled back);
* the audit chains verify.
Exits 1 on the first difference.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--municipalities", type=int, default=20)
    args = parser.parse_args()
    os.environ["LIVSKRAFT_DATABASE_URL"] = args.database_url
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import func
    from sqlmodel import col, select

    from app.assessments.models import Assessment
    from app.audit.service import verify
    from app.db.engine import get_engine
    from app.db.models import metadata
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.portfolio.models import PortfolioCell, PortfolioQuarter
    from app.portfolio.service import rebuild_municipality
    from app.settings import get_settings

    get_settings.cache_clear()
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    if diff:
        print(f"schema differs from the migrations: {diff}", file=sys.stderr)
        return 1

    def rows(s: Any, mid: Any) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        cells = s.exec(select(PortfolioCell).where(PortfolioCell.municipality_id == mid)).all()
        quarters = s.exec(select(PortfolioQuarter).where(PortfolioQuarter.municipality_id == mid)).all()
        return (
            {tuple(c.model_dump().values()) for c in cells if c.negative + c.neutral + c.positive + c.unknown},
            {tuple(q.model_dump().values()) for q in quarters if q.approved},
        )

    with unit_of_work(write=False) as s:
        largest = s.exec(
            select(Municipality)
            .join(Assessment, col(Assessment.municipality_id) == col(Municipality.id))
            .group_by(col(Municipality.id))
            .order_by(func.count().desc())
            .limit(args.municipalities)
        ).all()
        for m in largest:
            before = rows(s, m.id)
            rebuild_municipality(s, m.id)
            if rows(s, m.id) != before:
                print(f"portfolio summary of {m.code} differs from a rebuild", file=sys.stderr)
                return 1
            _, broken = verify(s, m.id)
            if broken is not None:
                print(f"audit chain of {m.code} broken at {broken.seq}: {broken.reason}", file=sys.stderr)
                return 1
        s.rollback()
    print(f"check: schema as migrated; summary tables of {len(largest)} municipalities equal a rebuild; chains verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""EXPLAIN ANALYZE of the queries the app really sends for each scenario (PostgreSQL; not a test).

    .venv/bin/python bench/explain.py --database-url postgresql://postgres@127.0.0.1:5432/livskraft_bench_1m

Calls the same repository and service functions as the routes, records every SELECT they send (with
its parameters) and runs it again under ``EXPLAIN (ANALYZE, BUFFERS)``. Prints the execution time of
each and every sequential scan of a table with more than ``--seq-scan-rows`` rows: a scan that grows
with the database where an index should answer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []):
        out += plan_nodes(child)
    return out


def scenarios(year: int) -> dict[str, Callable[[Any], Any]]:
    from sqlalchemy import text

    from app.assessments import repository as repo
    from app.assessments import views
    from app.assessments.list_repository import AssessmentQuery, page_assessment_rows
    from app.auth.repository import token_principal
    from app.portfolio import service as portfolio

    def ids(s: Any) -> tuple[uuid.UUID, uuid.UUID]:
        row = s.execute(
            text(
                "SELECT m.id, a.id FROM municipality m JOIN assessment a ON a.municipality_id = m.id "
                "WHERE m.code = '091' AND a.status = 'approved' ORDER BY a.id LIMIT 1"
            )
        ).one()
        return uuid.UUID(str(row[0])), uuid.UUID(str(row[1]))

    def read(s: Any) -> None:
        _, aid = ids(s)
        token_principal(s, "0" * 64)
        a = repo.get_assessment(s, ids(s)[0], aid)
        assert a is not None
        views.assessment_public(s, a, "091")
        views.load(s, a)

    def listing(s: Any) -> None:
        mid, _ = ids(s)
        page_assessment_rows(s, mid, AssessmentQuery(status="approved"), None, 51)
        page_assessment_rows(s, mid, AssessmentQuery(status="approved", date_from=None), None, 51)
        rows, _ = page_assessment_rows(s, mid, AssessmentQuery(deciding_body="Kunnanhallitus"), None, 51)
        if rows:
            last = rows[-1]
            page_assessment_rows(
                s, mid, AssessmentQuery(deciding_body="Kunnanhallitus"), [last.updated_at.isoformat(), str(last.id)], 51
            )

    def municipality_year(s: Any) -> None:
        portfolio.municipality_impacts(s, ids(s)[0], "091", year)

    def country_year(s: Any) -> None:
        portfolio.country_impacts(s, "FI", year)

    return {
        "read assessment + summary": read,
        "list page": listing,
        "portfolio, municipality-year": municipality_year,
        "portfolio, country-year": country_year,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seq-scan-rows", type=int, default=10_000)
    parser.add_argument("--json", default="", help="also write the findings here")
    args = parser.parse_args()
    os.environ["LIVSKRAFT_DATABASE_URL"] = args.database_url
    from sqlalchemy import event

    from app.db.engine import get_engine
    from app.db.session import unit_of_work
    from app.settings import get_settings

    get_settings.cache_clear()
    if get_settings().is_sqlite:
        print("EXPLAIN ANALYZE here is for PostgreSQL", file=sys.stderr)
        return 2
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM municipality m JOIN" not in statement:
            captured.append((statement, parameters))

    engine = get_engine(write=False)
    findings: dict[str, Any] = {}
    problems = 0
    for name, fn in scenarios(args.year).items():
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        with unit_of_work(write=False) as s:
            fn(s)
        event.remove(engine, "before_cursor_execute", capture)
        queries = []
        with engine.connect() as conn:
            for statement, parameters in captured:
                raw = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
                plan = raw.scalar_one()
                plan = json.loads(plan) if isinstance(plan, str) else plan
                top = plan[0]
                scans = [
                    f"{n['Relation Name']} ({n['Actual Rows']:.0f} rows kept of {n.get('Plan Rows', 0):.0f} planned)"
                    for n in plan_nodes(top["Plan"])
                    if n["Node Type"] == "Seq Scan"
                    and n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0) > args.seq_scan_rows
                ]
                problems += len(scans)
                indexes = sorted({n["Index Name"] for n in plan_nodes(top["Plan"]) if "Index Name" in n})
                queries.append(
                    {
                        "ms": round(top["Execution Time"], 2),
                        "sql": " ".join(statement.split())[:160],
                        "indexes": indexes,
                        "seq_scans": scans,
                    }
                )
        findings[name] = queries
        total = sum(q["ms"] for q in queries)
        print(f"\n{name}: {len(queries)} queries, {total:.1f} ms in PostgreSQL")
        for q in queries:
            flag = "  SEQ SCAN: " + "; ".join(q["seq_scans"]) if q["seq_scans"] else ""
            print(f"  {q['ms']:8.2f} ms  {', '.join(q['indexes']) or '-':60.60}  {q['sql'][:70]}{flag}")
    if args.json:
        Path(args.json).write_text(json.dumps(findings, indent=1) + "\n", encoding="utf-8")
    print(f"\n{problems} sequential scans of large tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long FastAPI takes to find the route of the busiest requests (in process; not a test).

    .venv/bin/python bench/routing.py

FastAPI tries the routes of every included router in turn, about 1 µs each, before the one that answers.
``app.main.routers`` puts the busiest routers first. This times, for each request, one matching pass over
the app's routes (a request goes through it twice: once to pick the router, once inside it) in the app's
order and, as the baseline in the same run, in the order the routers were declared before (the API's
routers in module order, then the web's). Medians of ``--repeat`` rounds of ``--number`` matches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOME_ID = "6f1c1a3e-2b7e-4d8e-9a55-0d4b8f1e2a11"
REQUESTS = (
    ("GET", f"/assessments/{SOME_ID}/rate/proposal/policy/firms", "rate_form"),
    ("GET", f"/api/v1/assessments/{SOME_ID}", "get_assessment"),
    ("GET", f"/api/v1/assessments/{SOME_ID}/summary", "get_summary"),
    ("GET", "/api/v1/assessments", "list_assessments"),
    ("PUT", f"/api/v1/assessments/{SOME_ID}/ratings", "put_ratings"),
    ("GET", "/api/v1/portfolio/impacts", "portfolio_impacts"),
    ("GET", f"/api/v1/assessments/{SOME_ID}/report", "assessment_report"),
    ("GET", "/healthz", "healthz"),
)


def declared_order() -> list[Any]:
    """The routers in the order ``app/main.py`` included them before they were sorted by traffic."""
    from app import web
    from app.api import (
        assessments,
        decisions,
        health,
        municipalities,
        opendecisions,
        portfolio,
        reports,
        rubric_extensions,
        rubric_upgrade,
        rubrics,
        transfer,
        webhooks,
    )

    api = [health, rubrics, opendecisions, decisions, assessments, rubric_upgrade, rubric_extensions, webhooks]
    api += [municipalities, transfer, reports, portfolio]
    return [m.router for m in api] + list(web.ROUTERS)


def app_with(routers: list[Any]) -> Any:
    from fastapi import FastAPI

    app = FastAPI()
    for router in routers:
        app.include_router(router)
    return app


def matcher(app: Any, method: str, path: str) -> Any:
    from starlette.routing import Match

    def match() -> Any:
        scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}
        for route in app.router.routes:
            found, child = route.matches(scope)
            if found == Match.FULL:
                return child.get("route") or route
        return None

    return match


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("LIVSKRAFT_DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/livskraft-routing.sqlite3")
    from app.main import routers

    ordered, declared = app_with(list(routers())), app_with(declared_order())
    print(f"{'request':58s} {'app order':>10s} {'declared':>10s} {'ratio':>6s}")
    for method, path, name in REQUESTS:
        times = []
        for app in (ordered, declared):
            match = matcher(app, method, path)
            found = match()
            if found is None or getattr(found, "name", name) != name:
                raise SystemExit(f"{method} {path} did not reach {name} (found {found!r})")
            runs = timeit.repeat(match, number=args.number, repeat=args.repeat)
            times.append(statistics.median(runs) / args.number * 1e6)
        shown = f"{method} {path.replace(SOME_ID, '{id}')}"
        print(f"{shown:58s} {times[0]:8.1f} µs {times[1]:8.1f} µs {times[0] / times[1]:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

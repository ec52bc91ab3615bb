"""Server time per web page on the demo data (not a timed test): prints the median and p95 in ms and
the page size, for each page, signed in as the demo official.

    .venv/bin/python bench/web.py [--runs 40]

Runs the app in-process (no network, no uvicorn: requests go through httpx's ASGI transport) on a fresh
temporary SQLite database with the
examples of ``assessments/`` and the demo users, so the numbers are the server's own work: routing,
session lookup, queries, scoring and template rendering. "CPU ms" is the process's CPU time per request
(median): unlike wall time it does not grow when other programs share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
TARGET_MS = 30.0


async def _measure(app: Any, password: str, runs: int) -> dict[str, tuple[float, float, float, int]]:
    """Requests straight into the ASGI app (httpx's ASGI transport): no sockets, no test-client thread."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token
        r = await client.post(
            "/login",
            data={"email": "tjansteperson@demo.livskraft.fi", "password": password, "csrf_token": token.group(1)},
        )
        assert r.status_code == 303, r.text
        dashboard = (await client.get("/")).text
        approved = dashboard.split("</table>")[2] if dashboard.count("</table>") > 2 else dashboard
        ids = re.findall(r'href="/assessments/([0-9a-f-]{36})"', approved) or re.findall(
            r'href="/assessments/([0-9a-f-]{36})"', dashboard
        )
        assert ids, "no example assessments were loaded"
        a = ids[0]
        pages = {
            "login (anonymous)": "/login",
            "dashboard": "/",
            "dashboard search": "/?q=skol&status=approved",
            "decision new": "/decisions/new",
            "assessment overview": f"/assessments/{a}",
            "screening": f"/assessments/{a}/screening",
            "rate (policy × firms)": f"/assessments/{a}/rate/proposal/policy/firms",
            "alternatives": f"/assessments/{a}/alternatives",
            "summary": f"/assessments/{a}/summary",
            "check your answers": f"/assessments/{a}/check",
            "history": f"/assessments/{a}/history",
            "follow-up": f"/assessments/{a}/follow-up",
            "portfolio form": "/portfolio",
        }
        out = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as anonymous:
            for name, url in pages.items():
                c = anonymous if url == "/login" else client
                for _ in range(3):
                    await c.get(url)  # warm caches (templates, rubric lookups)
                times, cpu = [], []
                size = 0
                for _ in range(runs):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    resp = await c.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    size = len(resp.content)
                    assert resp.status_code == 200, (url, resp.status_code)
                out[name] = (
                    statistics.median(times),
                    statistics.quantiles(times, n=20)[18],
                    statistics.median(cpu),
                    size,
                )
        return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ.update(
        {
            "LIVSKRAFT_DATA_DIR": tempfile.mkdtemp(prefix="livskraft-bench-"),
            "LIVSKRAFT_DATABASE_URL": "",
            "DATABASE_URL": "",
        }
    )
    os.environ.setdefault("LIVSKRAFT_ENV", "development")
    from app.cli.seed import DEMO_PASSWORD, seed_examples
    from app.db.migrate import upgrade
    from app.main import create_app
    from app.settings import get_settings

    get_settings.cache_clear()
    upgrade()
    seed_examples(get_settings().assessments_dir, demo_users=True)
    app = create_app()
    results = asyncio.run(_measure(app, DEMO_PASSWORD, args.runs))
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'KB':>6}")
    worst = 0.0
    for name, (median, p95, cpu, size) in results.items():
        worst = max(worst, median)
        print(f"{name:28} {median:10.1f} {p95:8.1f} {cpu:7.1f} {size / 1000:6.1f}")
    print(f"slowest median {worst:.1f} ms (target {TARGET_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

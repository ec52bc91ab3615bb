"""Scenarios against a real server process over loopback (not a test; figures go to docs/benchmarks.md).

    .venv/bin/python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/livskraft_bench_1m
    .venv/bin/python bench/run.py --database-url sqlite:////tmp/livskraft-bench/10k.sqlite3 --seconds 2

Load the data first with ``bench/generate.py``. For 1 and then 2 uvicorn workers (the container's flags,
production settings), in the same run: the bare FastAPI endpoint (``bench/bare_app.py``) as the ceiling,
then each scenario with ``wrk -t1`` at ``--connections``: median and p99 latency, throughput, failures
and peak RSS per worker; the decision-summary PDF cold (httpx, one request per worker at a time) against
WeasyPrint alone on the same HTML. Results are printed and written as JSON (``--out``), which
``bench/tables.py`` turns into the tables of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import prepare, scenarios, wrk  # noqa: E402
from bench.server import RssSampler, Server, app_env  # noqa: E402

WRITE_MUNICIPALITIES = 16
BARE = "bare FastAPI endpoint"


def counts() -> dict[str, int]:
    from sqlalchemy import text

    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        return {t: int(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in ("rating", "assessment")}  # noqa: S608


def largest_municipalities(n: int) -> list[str]:
    from sqlalchemy import text

    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        rows = s.execute(
            text(
                "SELECT m.code FROM municipality m JOIN assessment a ON a.municipality_id = m.id "
                "GROUP BY m.code ORDER BY count(*) DESC, m.code LIMIT :n"
            ),
            {"n": n},
        ).all()
    codes = [r[0] for r in rows]
    return codes if "091" in codes else ["091", *codes[: n - 1]]


UNEVEN_RETRIES = 2
"""Measurements repeated when one worker took most of the connections (kept: the most even)."""


def measure(server: Server, scenario: scenarios.Scenario, seconds: float) -> dict[str, Any]:
    """One measurement; with several workers (and more connections than workers), repeated up to
    ``UNEVEN_RETRIES`` times while a worker did less than half its fair share of the work. wrk opens its
    connections in one burst, and the worker that wakes first may accept them all (asyncio accepts the
    whole queue at once): the figure then measures one worker, not the server. The rejected splits are
    kept in the result."""
    result = _measure(server, scenario, seconds)
    shares = len(result["worker_cpu_share"])
    spread = 1 < shares < scenario.connections  # one client's connection is always one worker's
    uneven: list[list[int]] = []
    while spread and min(result["worker_cpu_share"]) < 50 / shares and len(uneven) < UNEVEN_RETRIES:
        uneven.append(result["worker_cpu_share"])
        again = _measure(server, scenario, seconds)
        result = max(result, again, key=lambda r: min(r["worker_cpu_share"]))
    return {**result, "uneven_splits_rejected": uneven} if uneven else result


def _measure(server: Server, scenario: scenarios.Scenario, seconds: float) -> dict[str, Any]:
    wrk.run(server.base, scenario.script(), scenario.connections, max(1.0, seconds / 5))  # warm up
    pids = server.worker_pids()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child reaped meanwhile
    with RssSampler(pids) as rss:
        result = wrk.run(server.base, scenario.script(), scenario.connections, seconds)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    per_request = 1000 / max(1, result.requests)
    wrk_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * per_request
    workers_cpu = sum(rss.cpu.values())
    cpu = {
        "cpu_ms_per_request": round(workers_cpu * per_request, 2),
        "postgres_cpu_ms_per_request": None if rss.postgres_cpu is None else round(rss.postgres_cpu * per_request, 2),
        "wrk_cpu_ms_per_request": round(wrk_cpu, 2),
        # how the connections spread over the workers: each worker's share of their CPU, in per cent
        "worker_cpu_share": [round(100 * c / max(1e-9, workers_cpu)) for c in rss.cpu.values()],
    }
    return {**result.as_dict(), "rss_mb": rss.peaks_mb(), **cpu}


def show(name: str, workers: int, r: dict[str, Any]) -> None:
    print(
        f"{workers}w  {name:32} {r['rps']:8.1f}/s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
        f"failed {r['non2xx'] + r['socket_errors']:5}  RSS {r.get('rss_mb', '')} MB  "
        f"CPU {r.get('cpu_ms_per_request', '')} ms/req (PostgreSQL {r.get('postgres_cpu_ms_per_request', '')}, "
        f"wrk {r.get('wrk_cpu_ms_per_request', '')}; split {r.get('worker_cpu_share', '')} %"
        + (f", uneven runs rejected {r['uneven_splits_rejected']}" if r.get("uneven_splits_rejected") else "")
        + ")",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--cold-pdfs", type=int, default=8, help="decision PDFs rendered cold, one by one")
    parser.add_argument("--cached-pdfs", type=int, default=4, help="decision PDFs served from the cache in turn")
    parser.add_argument("--list-pages", type=int, default=10)
    parser.add_argument("--pool", type=int, default=256, help="draft assessments written by the write scenario")
    parser.add_argument("--only", default="", help="comma-separated scenario names (substrings) to run")
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--fail-on-errors", action="store_true", help="exit 1 if any response failed (timings never fail a run)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    if not wrk.available():
        print("wrk is missing: apt-get install -y wrk (scripts/setup.sh --dev)", file=sys.stderr)
        return 2
    os.environ["LIVSKRAFT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIVSKRAFT_DATA_DIR", tempfile.mkdtemp(prefix="livskraft-bench-run-"))
    from app.settings import get_settings

    get_settings.cache_clear()
    run = secrets.token_hex(3)
    size = counts()
    print(f"database: {size['rating']:,} ratings, {size['assessment']:,} assessments; run {run}", flush=True)
    codes = largest_municipalities(WRITE_MUNICIPALITIES)
    people = prepare.principals(sorted({*codes, "091", "0180"}), "091", run)
    pool = prepare.draft_pool(codes, max(1, args.pool // len(codes)), run)
    read_ids = prepare.approved_ids("091", 200)
    pdf_ids, cold_ids = read_ids[: args.cached_pdfs], read_ids[-args.cold_pdfs :]
    started = time.time()
    out: dict[str, Any] = {
        "database": args.database_url.split("@")[-1],
        "ratings": size["rating"],
        "assessments": size["assessment"],
        "connections": args.connections,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg()[0],
        "results": {},
    }
    env = app_env(args.database_url, Path(os.environ["LIVSKRAFT_DATA_DIR"]))
    log = Path(tempfile.gettempdir()) / f"livskraft-bench-{run}.log"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    for workers in [int(w) for w in args.workers.split(",")]:
        results: dict[str, Any] = {}
        with (
            Server("bench.bare_app:create_app", workers, env, "/bare", log) as bare,
            Server("app.main:create_app", workers, env, "/healthz", log) as server,
        ):
            ceiling = scenarios.Scenario(BARE, scenarios.get_cycle(["/bare"], {}), args.connections)
            results[BARE] = measure(bare, ceiling, args.seconds)
            show(BARE, workers, results[BARE])
            with Server("bench.bare_app:create_db_app", workers, env, "/bare-db", log) as bare_db:
                name = "bare endpoint + SELECT 1"
                floor = scenarios.Scenario(name, scenarios.get_cycle(["/bare-db"], {}), args.connections)
                results[name] = measure(bare_db, floor, args.seconds)
                show(name, workers, results[name])
            built = scenarios.build(
                server.base, people, read_ids, pool, pdf_ids, args.year, args.connections, args.list_pages
            )
            for scenario in built:
                if only and not any(o in scenario.name for o in only):
                    continue
                results[scenario.name] = measure(server, scenario, args.seconds)
                show(scenario.name, workers, results[scenario.name])
            if not only or any(o in "decision PDF, cold" for o in only):
                cold = scenarios.cold_pdfs(server.base, people.tokens["091"], cold_ids, workers)
                results["decision PDF, cold"] = cold
                show("decision PDF, cold", workers, cold)
            again = measure(bare, ceiling, args.seconds)  # the machine may have got busier meanwhile
            results["bare FastAPI endpoint, again"] = again
            show("bare FastAPI endpoint, again", workers, again)
        out["results"][str(workers)] = results
    if not only or any(o in "decision PDF, cold" for o in only):
        out["raw_weasyprint_ms"] = scenarios.raw_weasyprint_ms(cold_ids)
        print(f"raw WeasyPrint on the same HTML: {out['raw_weasyprint_ms']} ms (median)")
    out["load_after"] = os.getloadavg()[0]
    out["minutes"] = round((time.time() - started) / 60, 1)
    print(f"load average before {out['load_before']:.1f}, after {out['load_after']:.1f}; {out['minutes']} min")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    failed = [
        f"{workers} worker(s): {name}: {r['non2xx']} non-2xx, {r['socket_errors']} socket errors"
        for workers, results in out["results"].items()
        for name, r in results.items()
        if r["non2xx"] or r["socket_errors"]
    ]
    for line in failed:
        print("FAILED " + line, file=sys.stderr)
    return 1 if failed and args.fail_on_errors else 0


if __name__ == "__main__":
    sys.exit(main())

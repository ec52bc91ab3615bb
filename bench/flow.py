"""Officials working through the web rating form at once, against a real server (not a test).

    .venv/bin/python bench/flow.py --database-url postgresql://postgres@127.0.0.1:5432/livskraft_bench_1m

The wrk scenarios of ``bench/run.py`` repeat one request; this is the flow an official actually follows,
with a small httpx script: open the form of a perspective × target, save it (a rating with its rationale
and mitigation, the CSRF token and the base version read from the page), follow the redirect to the next
form, and now and then look at the summary. ``--officials`` of them (each a signed-in user with a
screened draft of their own, spread over the largest municipalities) do this with no pause for
``--seconds``, for 1 and then 2 uvicorn workers. Every form opened after a save is built afresh (the save
moved the municipality's audit chain), so this measures the ordinary web path, where the wrk scenario
of the same page measures the kept one.

Prints and writes (``--out``) per step: requests per second, median and p99 latency, failures, and the
server's CPU per step and peak RSS per worker. The script shares the two cores with the server and
PostgreSQL: its own CPU per step is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import prepare  # noqa: E402
from bench.server import RssSampler, Server, app_env  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STEPS = ("open form", "save form", "summary page")


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    if found is None:
        raise ValueError(f"no {name} in the page")
    return found.group(1)


def officials(codes: list[str], count: int, run: str) -> list[tuple[str, str]]:
    """(email, assessment id) of ``count`` officials, each with a screened draft of their municipality."""
    from app.auth.users import create_user
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    per_code = -(-count // len(codes))
    drafts = prepare.draft_pool(codes, per_code, f"{run}-flow")
    out = []
    with unit_of_work() as s:
        for i, (assessment_id, code) in enumerate(drafts[:count]):
            email = f"flow.{run}.{i}@{code}.example.fi"
            m = get_or_create(s, code)
            create_user(s, m, email=email, name=f"Flow {i}", role="official", password=prepare.PASSWORD)
            out.append((email, assessment_id))
    return out


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    r = await client.post("/login", data={"email": email, "password": prepare.PASSWORD, "csrf_token": token.group(1)})
    assert r.status_code == 303, f"login failed: {r.status_code}"


async def work(
    client: httpx.AsyncClient, assessment_id: str, until: float, timings: dict[str, list[float]], failed: list[str]
) -> None:
    """One official's loop: open, save, follow to the next form; the summary every fourth save."""
    first = f"/assessments/{assessment_id}/rate/proposal/policy/firms"
    url, saves = first, 0
    while time.monotonic() < until:
        started = time.perf_counter()
        page = await client.get(url)
        timings["open form"].append(time.perf_counter() - started)
        if page.status_code != 200:
            failed.append(f"open form {page.status_code}")
            url = first
            continue
        score = ("2", "1", "-1", "-2")[saves % 4]
        data = {
            "csrf_token": hidden(page.text, "csrf_token"),
            "base_version": hidden(page.text, "base_version"),
            "base_hash": hidden(page.text, "base_hash"),
            "c0-e1-score": score,
            "c0-e1-rationale": f"Bedömning {saves}: fler arbetsplatser i området.",
            "c0-e1-mitigation": "Samråd med företagarföreningen före beslutet.",
        }
        started = time.perf_counter()
        saved = await client.post(url, data=data)
        timings["save form"].append(time.perf_counter() - started)
        if saved.status_code != 303:
            failed.append(f"save form {saved.status_code}")
            continue
        saves += 1
        next_url = saved.headers["location"]
        url = next_url if "/rate/" in next_url else first
        if saves % 4 == 0:
            started = time.perf_counter()
            summary = await client.get(f"/assessments/{assessment_id}/summary")
            timings["summary page"].append(time.perf_counter() - started)
            if summary.status_code != 200:
                failed.append(f"summary page {summary.status_code}")


async def drive(base: str, people: list[tuple[str, str]], seconds: float) -> tuple[dict[str, list[float]], list[str]]:
    timings: dict[str, list[float]] = defaultdict(list)
    failed: list[str] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=60) for _ in people]
    try:
        await asyncio.gather(*(sign_in(c, email) for c, (email, _) in zip(clients, people, strict=True)))
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(work(c, aid, until, timings, failed) for c, (_, aid) in zip(clients, people, strict=True))
        )
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return timings, failed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--officials", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    os.environ["LIVSKRAFT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("LIVSKRAFT_DATA_DIR", tempfile.mkdtemp(prefix="livskraft-bench-flow-"))
    from app.settings import get_settings

    get_settings.cache_clear()
    from bench.run import largest_municipalities

    run = secrets.token_hex(3)
    people = officials(largest_municipalities(8), args.officials, run)
    env = app_env(args.database_url, Path(os.environ["LIVSKRAFT_DATA_DIR"]))
    log = Path(tempfile.gettempdir()) / f"livskraft-bench-flow-{run}.log"
    out: dict[str, Any] = {
        "database": args.database_url.split("@")[-1],
        "officials": args.officials,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "results": {},
    }
    for workers in [int(w) for w in args.workers.split(",")]:
        with Server("app.main:create_app", workers, env, "/healthz", log) as server:
            asyncio.run(drive(server.base, people, min(3.0, args.seconds / 5)))  # warm up
            own = time.process_time()
            with RssSampler(server.worker_pids()) as rss:
                timings, failed = asyncio.run(drive(server.base, people, args.seconds))
            own = time.process_time() - own
        total = sum(len(v) for v in timings.values())
        server_cpu = sum(rss.cpu.values())
        result: dict[str, Any] = {
            "steps_per_second": round(total / args.seconds, 1),
            "server_cpu_ms_per_step": round(server_cpu * 1000 / max(1, total), 2),
            "script_cpu_ms_per_step": round(own * 1000 / max(1, total), 2),
            "rss_mb": rss.peaks_mb(),
            "failed": len(failed),
            "failures": sorted(set(failed))[:5],
            "steps": {},
        }
        for step in STEPS:
            values = timings.get(step, [])
            result["steps"][step] = {
                "count": len(values),
                "per_second": round(len(values) / args.seconds, 1),
                "p50_ms": round(statistics.median(values) * 1000, 1) if values else None,
                "p99_ms": round(percentile(values, 0.99) * 1000, 1) if values else None,
            }
            print(
                f"{workers}w  {step:14} {len(values) / args.seconds:7.1f}/s  "
                f"p50 {result['steps'][step]['p50_ms']} ms  p99 {result['steps'][step]['p99_ms']} ms",
                flush=True,
            )
        print(
            f"{workers}w  all steps {result['steps_per_second']}/s, server CPU {result['server_cpu_ms_per_step']} "
            f"ms/step, script CPU {result['script_cpu_ms_per_step']} ms/step, RSS {result['rss_mb']} MB, "
            f"failed {len(failed)} {result['failures']}",
            flush=True,
        )
        out["results"][str(workers)] = result
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 1 if any(r["failed"] for r in out["results"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())

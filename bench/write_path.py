"""The fast write path without HTTP: what saving one rating costs the app and PostgreSQL (not a test).

    .venv/bin/python bench/write_path.py --database-url postgresql://postgres@127.0.0.1:5432/livskraft_bench_1m

``bench/run.py`` measures ``PUT /assessments/{id}/ratings`` through a server, where the framework, the
load generator and PostgreSQL share the machine's cores and the figures wander by a third from run to
run. This isolates the part that is ours: ``app.assessments.fast_ratings.save`` on the event-loop pool,
``--tasks`` saves at a time, each task on a draft assessment of a municipality of its own (a
municipality's saves queue for its audit chain), one rating per save as in the server scenario, in
``--rounds`` rounds. Per round it reads the process's CPU time and, when the PostgreSQL server runs on
this machine and /proc shows its processes, theirs. The baseline, measured in the same run on the same
pool and interleaved with the saves: a transaction of ``BEGIN; SELECT 1; COMMIT`` in one pipeline, the
least any write can cost. Medians over the rounds and their ratio to the baseline are printed (JSON
with ``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from psycopg import AsyncConnection, AsyncCursor  # noqa: E402
from psycopg.rows import namedtuple_row  # noqa: E402
from psycopg_pool import AsyncConnectionPool  # noqa: E402

from app.assessments import fast_ratings  # noqa: E402
from app.assessments.schemas import RatingIn  # noqa: E402
from app.auth.actor import Actor  # noqa: E402
from app.db.loop_db import POOL_MAX, libpq_url, pipelined_transaction  # noqa: E402
from app.rubrics.registry import load_registry  # noqa: E402
from bench.prepare import rating_bodies  # noqa: E402
from bench.server import postgres_cpu_seconds  # noqa: E402

DRAFTS = """
SELECT DISTINCT ON (a.municipality_id) a.id, a.lock_version, a.municipality_id, m.code FROM assessment a
JOIN municipality m ON m.id = a.municipality_id
WHERE a.status = 'draft' AND coalesce(a.extensions::text, '[]') = '[]'
  AND EXISTS (SELECT 1 FROM alternative x WHERE x.assessment_id = a.id AND x.key = 'proposal')
  AND EXISTS (SELECT 1 FROM screening_answer s WHERE s.assessment_id = a.id AND s.perspective_id = 'policy'
              AND s.relevant)
ORDER BY a.municipality_id, a.id LIMIT %s
"""


async def timed(n: int, tasks: int, one: Callable[[int, int], Awaitable[None]]) -> dict[str, float]:
    """``n`` calls of ``one(task, i)`` spread over ``tasks`` concurrent tasks: CPU ms per call."""
    pg0, cpu0, wall0 = postgres_cpu_seconds(), time.process_time(), time.perf_counter()

    async def task(t: int) -> None:
        for i in range(n // tasks):
            await one(t, i)

    await asyncio.gather(*(task(t) for t in range(tasks)))
    done = n // tasks * tasks
    wall = time.perf_counter() - wall0
    pg1 = postgres_cpu_seconds()
    result = {"app_cpu_ms": 1000 * (time.process_time() - cpu0) / done, "per_second": done / wall}
    if pg0 is not None and pg1 is not None:
        result["postgres_cpu_ms"] = 1000 * (pg1 - pg0) / done
    return result


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    registry = load_registry(ROOT / "rubrics")
    # bodies of this run's own: the first ones differ from what an earlier run left stored (a save of
    # the stored values writes nothing, and the fast path declines it)
    run = f" (write path {time.time_ns()})"
    bodies = [[RatingIn.model_validate(r) for r in json.loads(b)["ratings"]] for b in rating_bodies(run=run)]
    pool = AsyncConnectionPool(
        libpq_url(args.database_url),
        min_size=args.pool,
        max_size=args.pool,
        open=False,
        kwargs={"autocommit": True, "options": "-c TimeZone=UTC"},
    )
    await pool.open(wait=True)
    async with pool.connection() as conn:
        cur: AsyncCursor[Any] = conn.cursor(row_factory=namedtuple_row)
        await cur.execute(DRAFTS, (args.tasks,))
        drafts = await cur.fetchall()
    if len(drafts) < args.tasks:
        raise SystemExit(f"only {len(drafts)} drafts with the policy perspective relevant: run bench/run.py once")
    actors = [Actor(d.municipality_id, d.code, "token:bench", None, None, frozenset({"read", "write"})) for d in drafts]
    versions = [d.lock_version for d in drafts]
    sent = [0] * len(drafts)  # the bodies in turn across rounds: one sent again would change nothing

    async def save(t: int, i: int) -> None:
        body, sent[t] = bodies[sent[t] % len(bodies)], sent[t] + 1
        async with pool.connection() as conn:
            saved = await fast_ratings.save(conn, actors[t], registry, drafts[t].id, versions[t], body)
        if saved is None:
            raise SystemExit(f"the fast path declined a save of assessment {drafts[t].id}")
        versions[t] = saved.lock_version

    async def baseline(t: int, i: int) -> None:
        async with pool.connection() as conn:
            await empty_transaction(conn)

    rounds: dict[str, list[dict[str, float]]] = {"baseline": [], "save": []}
    await timed(args.saves // 4, args.tasks, save)  # warm up: statements prepared, caches filled
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        rounds["baseline"].append(await timed(args.saves, args.tasks, baseline))
        rounds["save"].append(await timed(args.saves, args.tasks, save))
    await pool.close()

    medians = {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for name, rs in rounds.items() if rs}
    report: dict[str, Any] = {
        "pool": args.pool,
        "tasks": args.tasks,
        "saves_per_round": args.saves,
        "rounds": args.rounds,
    }
    report.update(medians)
    for key in medians["save"]:
        report[f"ratio_{key}"] = medians["save"][key] / medians["baseline"][key]
    for name, m in medians.items():
        figures = "  ".join(f"{k} {v:8.3f}" for k, v in m.items())
        print(f"{name:9} (median of {args.rounds})  {figures}")
    print("save / baseline: " + "  ".join(f"{k} {report[f'ratio_{k}']:.2f}x" for k in medians["save"]))
    return report


async def empty_transaction(conn: AsyncConnection[Any]) -> None:
    async with pipelined_transaction(conn):
        await conn.execute("SELECT 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL, loaded by bench/generate.py")
    parser.add_argument("--tasks", type=int, default=16, help="saves at a time")
    parser.add_argument("--pool", type=int, default=POOL_MAX, help="connections (the app's: %(default)s)")
    parser.add_argument("--saves", type=int, default=800, help="saves per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    report = asyncio.run(measure(args))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

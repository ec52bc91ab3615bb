"""Load synthetic national-scale data into a migrated Livskraft database (not a test; see docs/benchmarks.md).

    .venv/bin/python bench/generate.py --size 1m \
        --database-url postgresql://postgres@127.0.0.1:5432/livskraft_bench_1m
    .venv/bin/python bench/generate.py --size 10k            # SQLite file in /tmp/livskraft-bench/

Sizes are counted in ratings (10k, 1m, 30m, or any number with --ratings). The database is created if it
does not exist (PostgreSQL), migrated with Alembic (never ``create_all``) and must hold no decisions yet.
Rows come from ``bench/synth.py``, deterministic for ``--seed``. PostgreSQL is loaded with COPY (psycopg 3)
after dropping the loaded tables' keys, indexes and foreign keys, which are recreated from their own
definitions afterwards (so the schema is exactly the migrated one), then ``VACUUM ANALYZE``; SQLite gets
``executemany`` in one transaction. The portfolio summary tables are filled with the app's own
aggregation function. Audit events are not generated: the generated municipalities' hash chains are empty
(and verify), so an assessment's history shows only what the benchmark itself changes.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import COLUMNS, FIRST_DAY, LOAD_ORDER, Municipality, Row, Synth, ts  # noqa: E402

SIZES = {"10k": 10_000, "1m": 1_000_000, "30m": 30_000_000}
BENCH_CODES = ("091", "0180")
"""Helsinki and Stockholm: the largest generated municipalities, used by the scenarios."""
BATCH = 2000
SUMMARY_TABLES = ("portfolio_cell", "portfolio_quarter")


def plain_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres") else url


def municipalities(seed: int) -> list[Municipality]:
    from app.municipalities.codes import official_municipalities

    rng = random.Random(seed)
    official = official_municipalities()
    rest = sorted(code for code in official if code not in BENCH_CODES)
    rng.shuffle(rest)
    out = []
    for code in (*BENCH_CODES, *rest):
        o = official[code]
        out.append(Municipality(f"{rng.getrandbits(128):032x}", code, o.country, o.name))
    return out


def municipality_rows(ms: list[Municipality]) -> list[Row]:
    created = ts(datetime.combine(FIRST_DAY, dt_time(8)))
    return [(m.id, m.code, m.country, m.name, "{}", "0", "0" * 64, created) for m in ms]


class PgLoader:
    def __init__(self, url: str) -> None:
        import psycopg

        self.url = plain_url(url)
        self.conn = psycopg.connect(self.url)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '512MB'")
        self.saved: list[tuple[str, str]] = []

    @staticmethod
    def ensure_database(url: str) -> None:
        import psycopg

        base, _, name = plain_url(url).rpartition("/")
        name = name.split("?")[0]
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')

    def count(self, table: str) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - our table names
        return int(row[0]) if row else 0

    def existing_municipalities(self) -> dict[str, str]:
        return {code: mid.hex for mid, code in self.conn.execute("SELECT id, code FROM municipality").fetchall()}

    def write(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join("\\N" if v is None else v for v in row))
            buf.write("\n")
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
            copy.write(buf.getvalue())

    def commit(self) -> None:
        self.conn.commit()

    @contextmanager
    def bulk(self, progress: Any) -> Iterator[None]:
        """Drop keys, indexes and foreign keys of the loaded tables; recreate them from their definitions."""
        tables = [*LOAD_ORDER, *SUMMARY_TABLES]
        regs = [f'"{t}"' for t in tables]
        fks = self.conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))",
            (regs, regs),
        ).fetchall()
        keys = self.conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[])",
            (regs,),
        ).fetchall()
        indexes = self.conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (tables,),
        ).fetchall()
        for table, name, _ in fks:
            self.conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table, name, _ in keys:
            self.conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.commit()
        recreate = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys]
        recreate += [d for _, d in indexes]
        recreate += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in fks]
        try:
            yield
        finally:
            self.conn.rollback()
            task = progress.add_task("keys, indexes, foreign keys", total=len(recreate), ratings=0)
            for statement in recreate:
                self.conn.execute(statement)
                self.conn.commit()
                progress.advance(task)

    def finish(self) -> None:
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("VACUUM (ANALYZE)")

    def size(self) -> str:
        row = self.conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
        return str(row[0]) if row else "?"


class SqliteLoader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("BEGIN IMMEDIATE")

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608

    def existing_municipalities(self) -> dict[str, str]:
        return {code: mid for mid, code in self.conn.execute("SELECT id, code FROM municipality").fetchall()}

    def write(self, table: str, rows: list[Row]) -> None:
        if rows:
            cols = COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
            self.conn.executemany(sql, rows)

    def commit(self) -> None:
        """One transaction for the whole load: nothing to do until :meth:`finish`."""

    @contextmanager
    def bulk(self, progress: Any) -> Iterator[None]:
        yield

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")

    def size(self) -> str:
        return f"{self.path.stat().st_size / 1e6:.0f} MB"


def estimate_per_decision(seed: int, rubric: Any, ms: list[Municipality]) -> float:
    probe = Synth(seed + 1, rubric, ms)
    for idx, day in probe.decision_dates(2000):
        probe.decision(ms[idx], day)
    return probe.totals.ratings / probe.totals.decisions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--ratings", type=int, help="number of ratings (overrides --size)")
    parser.add_argument("--database-url", default="", help="default: an SQLite file in /tmp/livskraft-bench/")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    target = args.ratings or SIZES[args.size]
    url = args.database_url or f"sqlite:////tmp/livskraft-bench/{args.size}.sqlite3"
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    else:
        PgLoader.ensure_database(url)
    os.environ["LIVSKRAFT_DATABASE_URL"] = url
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.db.migrate import upgrade
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    get_settings.cache_clear()
    upgrade()
    rubric = load_registry(get_settings().rubrics_dir).default()
    ms = municipalities(args.seed)
    loader: PgLoader | SqliteLoader = (
        SqliteLoader(Path(url.split("///", 1)[1])) if url.startswith("sqlite") else PgLoader(url)
    )
    if loader.count("decision"):
        print(f"{url} already holds decisions: generate into an empty database", file=sys.stderr)
        return 1
    existing = loader.existing_municipalities()  # e.g. created by an earlier, interrupted run
    ms = [Municipality(existing.get(m.code, m.id), m.code, m.country, m.name) for m in ms]
    loader.write("municipality", [r for r in municipality_rows(ms) if r[1] not in existing])
    decisions = math.ceil(target / estimate_per_decision(args.seed, rubric, ms))
    synth = Synth(args.seed, rubric, ms)
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.fields[ratings]:,} ratings")) as progress:
        with loader.bulk(progress):
            task = progress.add_task("decisions", total=decisions, ratings=0)
            plan = synth.decision_dates(decisions)
            for start in range(0, len(plan), BATCH):
                buffers: dict[str, list[Row]] = {name: [] for name in LOAD_ORDER}
                for idx, day in plan[start : start + BATCH]:
                    for name, rows in synth.decision(ms[idx], day).items():
                        buffers[name].extend(rows)
                for name in LOAD_ORDER:
                    loader.write(name, buffers[name])
                loader.commit()
                progress.update(task, advance=min(BATCH, len(plan) - start), ratings=synth.totals.ratings)
            summary: dict[str, list[Row]] = {name: [] for name in SUMMARY_TABLES}
            for name, row in synth.aggregates.rows():
                summary[name].append(row)
            for name, rows in summary.items():
                loader.write(name, rows)
            loader.commit()
        loaded = time.perf_counter() - started
        progress.add_task("vacuum and analyze", total=None, ratings=synth.totals.ratings)
        loader.finish()
    t = synth.totals
    print(
        f"{t.ratings:,} ratings, {t.assessments:,} assessments, {t.decisions:,} decisions in {len(ms)} municipalities "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(t.by_status.items()))}); "
        f"loaded in {loaded:.0f} s, total {time.perf_counter() - started:.0f} s; database {loader.size()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

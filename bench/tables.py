"""Turn the JSON of ``bench/run.py`` runs into the Markdown tables of docs/benchmarks.md.

    .venv/bin/python bench/tables.py bench/results/10k-pg.json bench/results/1m-pg.json bench/results/30m-pg.json

Per run: each scenario with 1 and 2 workers — throughput, its ratio to the bare endpoint measured in the
same run (the mean of its measurement before and after the scenarios), median and p99 latency, CPU time
of the workers per request, peak RSS per worker — and the 2-worker/1-worker throughput ratio. Then one
growth table over all runs given: median latency and CPU per request of each scenario by size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BARE = "bare FastAPI endpoint"


def size_label(ratings: int) -> str:
    return f"{ratings / 1e6:.1f} M" if ratings >= 1e6 else f"{ratings / 1e3:.0f} k"


def bare_rps(results: dict[str, Any]) -> float:
    values = [results[k]["rps"] for k in (BARE, BARE + ", again") if k in results]
    return sum(values) / len(values) if values else 0.0


def cpu_cell(r: dict[str, Any], split: bool) -> str:
    """The workers' CPU per request; with ``split``, then PostgreSQL's and wrk's (runs since 3 Dec)."""
    parts = [r.get(k) for k in ("cpu_ms_per_request", "postgres_cpu_ms_per_request", "wrk_cpu_ms_per_request")]
    shown = ["–" if v is None else f"{v:.2f}" for v in (parts if split else parts[:1])]
    return " / ".join(shown)


def run_table(run: dict[str, Any]) -> str:
    one, two = run["results"].get("1", {}), run["results"].get("2", {})
    split = any("wrk_cpu_ms_per_request" in r for results in (one, two) for r in results.values())
    cpu_head = "CPU ms/req: app / PostgreSQL / wrk" if split else "CPU ms/req"
    lines = [
        f"**{size_label(run['ratings'])} ratings** ({run['assessments']:,} assessments; {run['connections']} "
        f"connections, {run['seconds']:.0f} s per scenario; load average {run['load_before']:.1f} → "
        f"{run['load_after']:.1f})",
        "",
        f"| scenario | workers | req/s | × bare | p50 ms | p99 ms | {cpu_head} | peak RSS MB/worker | failed | 2w/1w |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in [k for k in one if k != BARE + ", again"]:
        for workers, results in (("1", one), ("2", two)):
            r = results.get(name)
            if r is None:
                continue
            bare = bare_rps(results)
            ratio = f"{r['rps'] / bare:.2f}" if bare and name != BARE else "1"
            scale = ""
            if workers == "2" and name in one and one[name]["rps"]:
                scale = f"{r['rps'] / one[name]['rps']:.2f}"
            rss = "/".join(f"{v:.0f}" for v in r.get("rss_mb", [])) or "–"
            lines.append(
                f"| {name} | {workers} | {r['rps']:,.1f} | {ratio} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{cpu_cell(r, split)} | {rss} | {r['non2xx'] + r['socket_errors']} | {scale} |"
            )
    if "raw_weasyprint_ms" in run:
        lines += ["", f"WeasyPrint alone on the same HTML (median): {run['raw_weasyprint_ms']:.0f} ms."]
    return "\n".join(lines) + "\n"


def growth_table(runs: list[dict[str, Any]]) -> str:
    runs = sorted(runs, key=lambda r: r["ratings"])
    heads = " | ".join(size_label(r["ratings"]) for r in runs)
    lines = [
        f"| scenario (1 worker) | p50 ms: {heads} | CPU ms/req: {heads} |",
        "|---|" + "---|" * (2 * len(runs)),
    ]
    names = [k for k in runs[0]["results"].get("1", {}) if k != BARE + ", again"]
    for name in names:
        p50 = [r["results"].get("1", {}).get(name, {}).get("p50_ms") for r in runs]
        cpu = [r["results"].get("1", {}).get(name, {}).get("cpu_ms_per_request") for r in runs]
        fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
        lines.append(f"| {name} | {' | '.join(map(fmt, p50))} | {' | '.join(map(fmt, cpu))} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:]]
    for run in runs:
        print(run_table(run))
    if len(runs) > 1:
        print(growth_table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

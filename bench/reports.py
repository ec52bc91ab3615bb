"""Benchmark of the PDF reports (not a timed test; numbers go to docs/benchmarks.md).

    .venv/bin/python bench/reports.py [--runs 9] [--decisions 500]

Measures, in one run and alternating with the reference so both see the same machine load:

* the decision summary through the whole service (load, context, Jinja, WeasyPrint, pikepdf, cache
  write) against WeasyPrint alone rendering the same pre-built HTML with the same options;
* the cached re-serve (the service finding the PDF in the cache);
* the Word comment copy of the same assessment (``app/reports/word.py``, built on every request), against
  the uncached PDF;
* the portfolio of ``--decisions`` decisions through the service (bulk load, scoring, Jinja, a render
  process with post-processing) against WeasyPrint alone on the same HTML, with the render process's
  peak RSS.

Uses a throw-away SQLite database (or ``--database-url``) seeded with the examples in ``assessments/``
plus generated decisions for the portfolio.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORTFOLIO_CODE = "020"  # Akaa: a municipality no example uses


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class Samples:
    """Wall-clock and CPU-time samples: on a shared machine the wall clock includes waiting for the CPU,
    so the CPU-time ratio is the steadier comparison."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def medians(self) -> tuple[float, float]:
        return median_ms(self.wall), median_ms(self.cpu)


def setup_database(url: str | None) -> Path | None:
    """Migrate and seed; returns the temporary folder to remove afterwards (None for ``--database-url``)."""
    folder = None
    if url:
        os.environ["LIVSKRAFT_DATABASE_URL"] = url
    else:
        folder = Path(tempfile.mkdtemp(prefix="livskraft-bench-reports-"))
        os.environ["LIVSKRAFT_DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("LIVSKRAFT_ENV", "development")
    from app.cli.seed import seed_examples
    from app.db.migrate import upgrade
    from app.settings import get_settings

    upgrade()
    seed_examples(get_settings().assessments_dir)
    return folder


BODIES = ("Kunnanhallitus", "Kunnanvaltuusto", "Tekninen lautakunta", "Sivistyslautakunta")


def _document(i: int, rng: random.Random, rubric: Any) -> dict[str, Any]:
    """One generated decision with 24 random ratings (18 for the proposal, 6 for the zero alternative)."""
    criteria = [(c.id, c.target.value) for _, c in rubric.criteria()]
    ratings = []
    for cid, target in rng.sample(criteria, 24):
        score: int | str = rng.choice((-3, -2, -1, 0, 0, 1, 1, 2, 3, "unknown"))
        r: dict[str, Any] = {"criterion_id": cid, "target": target, "score": score}
        r["likelihood"] = rng.choice(["unlikely", "possible", "likely", "certain"])
        if score != 0:
            r["rationale"] = f"Perustelu {i}: vaikutus arvioitu selvityksen perusteella."
        if isinstance(score, int) and score < 0:
            r["mitigation"] = "Lieventävä toimenpide: vaiheistus ja seuranta."
        ratings.append(r)
    return {
        "municipality": PORTFOLIO_CODE,
        "decision": {
            "case_number": f"BENCH {i + 1}/2026",
            "title": f"Päätös {i + 1}: palveluverkon ja elinvoiman kehittäminen",
            "deciding_body": BODIES[i % len(BODIES)],
            "planned_date": str(date(2026, 1, 1) + timedelta(days=rng.randrange(365))),
        },
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "status": rng.choice(["draft", "submitted", "approved", "approved"]),
        "author": "Bench Official",
        "reviewer": "Bench Reviewer",
        "alternatives": [
            {"key": "proposal", "title": "Ehdotus", "ratings": ratings[:18]},
            {"key": "zero", "title": "Nollavaihtoehto", "ratings": ratings[18:]},
        ],
    }


def generate_portfolio(count: int, registry: Any) -> uuid.UUID:
    """``count`` assessed decisions over 2026 for one municipality, imported through the services."""
    from app.assessments.documents import import_document
    from app.assessments.schemas import AssessmentDocument
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    rng = random.Random(2026)
    rubric = registry.default()
    with unit_of_work() as s:
        m = get_or_create(s, PORTFOLIO_CODE)
    for start in range(0, count, 50):
        with unit_of_work() as s:
            actor = system_actor(m.id, m.code, "bench")
            for i in range(start, min(start + 50, count)):
                doc = AssessmentDocument.model_validate(_document(i, rng, rubric))
                import_document(s, actor, registry, doc)
    return m.id


def _summary_html(registry: Any, case_number: str) -> tuple[Any, Any, str]:
    """The assessment, its branding and the summary HTML our pipeline renders (the reference's input)."""
    from sqlmodel import select

    from app.assessments import service as assessments
    from app.assessments.models import Assessment, Decision
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.reports import render
    from app.reports.branding import brand_for
    from app.reports.context import summary_report

    with unit_of_work(write=False) as s:
        decision = s.exec(select(Decision).where(Decision.case_number == case_number)).one()
        assessment = s.exec(select(Assessment).where(Assessment.decision_id == decision.id)).one()
        municipality = s.get(Municipality, assessment.municipality_id)
        assert municipality is not None
        brand = brand_for(municipality, "sv")
        rubric = assessments.rubric_of(registry, assessment)
        report = summary_report(s, rubric, assessment, decision, brand, "sv")
        return assessment, brand, render.render_html("summary.html", report, "sv")


def _clear_cache() -> None:
    from sqlalchemy import delete

    from app.db.session import unit_of_work
    from app.reports.models import ReportCache

    with unit_of_work() as s:
        s.execute(delete(ReportCache))


def bench_summary(registry: Any, case_number: str, runs: int) -> dict[str, float]:
    import pikepdf
    import weasyprint

    from app.assessments.models import Assessment
    from app.db.session import unit_of_work
    from app.reports import render, service, word
    from app.reports.fetcher import BASE_URL, AssetFetcher

    assessment, brand, html = _summary_html(registry, case_number)

    def ours() -> bytes:
        """As the API route does it: a read unit of work, the assessment loaded by id, then the service."""
        with unit_of_work(write=False) as s:
            row = s.get(Assessment, assessment.id)
            assert row is not None
            return service.assessment_pdf(s, registry, row, "sv", "ua")

    def docx() -> bytes:
        """The comment copy (Word), as its API route builds it: never cached."""
        with unit_of_work(write=False) as s:
            row = s.get(Assessment, assessment.id)
            assert row is not None
            return word.assessment_docx(s, registry, row, "sv")

    def raw() -> bytes:
        fetcher = AssetFetcher(brand.resources)
        doc = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        return bytes(doc.write_pdf(font_config=render.bundled_fonts(), **render.weasyprint_options("ua", b"0" * 16)))

    ours(), raw(), docx()  # warm up fonts, templates, caches
    ours_t, raw_t, cached_t, docx_t = Samples(), Samples(), Samples(), Samples()
    for _ in range(runs):
        _clear_cache()
        ours_t.add(*timed(ours))
        raw_t.add(*timed(raw))
        docx_t.add(*timed(docx))
    for _ in range(runs * 5):
        cached_t.add(*timed(ours))
    with pikepdf.open(io.BytesIO(raw())) as pdf:
        pages = len(pdf.pages)
    (ours_wall, ours_cpu), (raw_wall, raw_cpu), (cached_wall, _) = ours_t.medians(), raw_t.medians(), cached_t.medians()
    return {
        "ours": ours_wall,
        "raw": raw_wall,
        "ours_cpu": ours_cpu,
        "raw_cpu": raw_cpu,
        "cached": cached_wall,
        "docx": docx_t.medians()[0],
        "pages": pages,
    }


def bench_portfolio(registry: Any, municipality_id: uuid.UUID, runs: int) -> dict[str, float]:
    import weasyprint

    from app.db.session import unit_of_work
    from app.reports import portfolio_service, render
    from app.reports.fetcher import BASE_URL, AssetFetcher

    span = (date(2026, 1, 1), date(2026, 12, 31))
    with unit_of_work(write=False) as s:
        job = portfolio_service.portfolio_job(s, registry, municipality_id, *span, None, "sv")

    stats: dict[str, float] = {}

    def ours() -> bytes:
        """What ``portfolio_pdf`` does: the job in this process, the render in a render process."""
        with unit_of_work(write=False) as s:
            built = portfolio_service.portfolio_job(s, registry, municipality_id, *span, None, "sv")
        return render.render_pdf_isolated(built, stats=stats)

    def raw() -> bytes:
        doc = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=AssetFetcher(job.resources))
        options = render.weasyprint_options("ua", job.identifier)
        return bytes(doc.write_pdf(font_config=render.bundled_fonts(), **options))

    ours()
    ours_t, raw_t = Samples(), Samples()
    rss = []
    for _ in range(runs):
        wall, cpu = timed(ours)
        ours_t.add(wall, cpu + stats["cpu_s"])
        rss.append(stats["max_rss_kb"] / 1024)
        raw_t.add(*timed(raw))
    (ours_wall, ours_cpu), (raw_wall, raw_cpu) = ours_t.medians(), raw_t.medians()
    return {
        "ours": ours_wall,
        "raw": raw_wall,
        "ours_cpu": ours_cpu,
        "raw_cpu": raw_cpu,
        "child_rss_mb": max(rss),
        "parent_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "size_kb": len(ours()) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = setup_database(args.database_url)
    try:
        run(args)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    registry = load_registry(get_settings().rubrics_dir)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for case in ("VAA/733/02.05.01/2026", "VAA/118/10.02.03/2026"):
        r = bench_summary(registry, case, args.runs)
        print(
            f"summary {case} ({r['pages']:.0f} pages): ours {r['ours']:.0f} ms, raw WeasyPrint {r['raw']:.0f} ms, "
            f"ratio {r['ours'] / r['raw']:.2f} (CPU {r['ours_cpu']:.0f} / {r['raw_cpu']:.0f} ms, "
            f"ratio {r['ours_cpu'] / r['raw_cpu']:.2f}); cached re-serve {r['cached']:.2f} ms; "
            f"Word comment copy {r['docx']:.0f} ms (ratio to ours {r['docx'] / r['ours']:.2f})"
        )
    t0 = time.perf_counter()
    municipality_id = generate_portfolio(args.decisions, registry)
    print(f"generated {args.decisions} decisions in {time.perf_counter() - t0:.0f} s")
    p = bench_portfolio(registry, municipality_id, max(3, args.runs // 3))
    print(
        f"portfolio of {args.decisions} decisions ({p['size_kb']:.0f} KiB): ours {p['ours']:.0f} ms, "
        f"raw WeasyPrint {p['raw']:.0f} ms, ratio {p['ours'] / p['raw']:.2f} (CPU {p['ours_cpu']:.0f} / "
        f"{p['raw_cpu']:.0f} ms, ratio {p['ours_cpu'] / p['raw_cpu']:.2f}); "
        f"render process peak RSS {p['child_rss_mb']:.0f} MB, benchmark process {p['parent_rss_mb']:.0f} MB"
    )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

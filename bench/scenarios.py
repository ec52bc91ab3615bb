"""The scenarios: what each sends, built from the prepared data and a running server."""

from __future__ import annotations

import re
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench import prepare, wrk

Script = Callable[[], str]


@dataclass(frozen=True)
class Scenario:
    name: str
    script: Script
    connections: int
    target: str = ""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def web_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the login form (with its CSRF token) and return the session cookie header."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, "no CSRF token on the login page"
        r = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
        assert r.status_code == 303, f"login failed: {r.status_code}"
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def list_urls(base: str, token: str, pages: int) -> list[str]:
    """Follow ``next_cursor`` through three filtered lists, as a client paging through them would."""
    urls = []
    filters = (
        "status=approved&limit=50",
        "status=approved&from=2025-01-01&to=2025-12-31&limit=50",
        "deciding_body=Kunnanhallitus&sort=created_at&limit=50",
    )
    with httpx.Client(base_url=base, headers=bearer(token), timeout=30) as client:
        for query in filters:
            url: str | None = f"/api/v1/assessments?{query}"
            for _ in range(pages):
                if url is None:
                    break
                urls.append(url)
                r = client.get(url)
                assert r.status_code == 200, r.text
                cursor = r.json()["next_cursor"]
                url = f"/api/v1/assessments?{query}&cursor={cursor}" if cursor else None
    return urls


def get_cycle(paths: list[str], headers: dict[str, str]) -> Script:
    requests: list[tuple[str, str, dict[str, str], str | None]] = [("GET", p, headers, None) for p in paths]
    return lambda: wrk.cycle_script(requests)


def writes(pool: list[tuple[str, str]], tokens: dict[str, str]) -> Script:
    def script() -> str:
        # new bodies for each run: a first body equal to what the run before left stored would change
        # nothing, keep the version, and every later write of that assessment would be a 412
        bodies = prepare.rating_bodies(run=f" ({secrets.token_hex(3)})")
        current, stable = prepare.versions([a for a, _ in pool]), 0
        for _ in range(30):  # writes cut off at the end of a previous run may still be finishing
            time.sleep(0.5)
            again = prepare.versions([a for a, _ in pool])
            stable = stable + 1 if again == current else 0
            current = again
            if stable == 3:
                break
        return wrk.writes_script(
            [(f"/api/v1/assessments/{a}/ratings", f"Bearer {tokens[code]}", current[a], bodies) for a, code in pool]
        )

    return script


def build(
    base: str,
    p: prepare.Principals,
    read_ids: list[str],
    pool: list[tuple[str, str]],
    pdf_ids: list[str],
    year: int,
    connections: int,
    list_pages: int,
) -> list[Scenario]:
    token = p.tokens["091"]
    auth = bearer(token)
    cookie = {"Cookie": web_cookie(base, p.email, p.password)}
    web_ids = [a for a, code in pool if code == "091"][:20]
    for a in pdf_ids:  # render once, so the scenario measures the cached re-serve
        assert httpx.get(f"{base}/api/v1/assessments/{a}/report", headers=auth, timeout=120).status_code == 200
    lists = get_cycle(list_urls(base, token, list_pages), auth)
    municipality_year = get_cycle([f"/api/v1/portfolio/impacts?year={year}"], auth)
    country_year = get_cycle([f"/api/v1/portfolio/impacts?year={year}&scope=country"], auth)
    return [
        # one client at a time: the latency of the request itself, without queueing behind others
        Scenario("list page, one client", lists, 1),
        Scenario("portfolio, municipality-year, one client", municipality_year, 1),
        Scenario("portfolio, country-year, one client", country_year, 1),
        Scenario("read assessment", get_cycle([f"/api/v1/assessments/{a}" for a in read_ids], auth), connections),
        Scenario("read summary", get_cycle([f"/api/v1/assessments/{a}/summary" for a in read_ids], auth), connections),
        Scenario("list page (filters, cursor)", lists, connections),
        Scenario("write rating (If-Match)", writes(pool, p.tokens), connections),
        Scenario(
            "web form page (session)",
            get_cycle([f"/assessments/{a}/rate/proposal/policy/firms" for a in web_ids], cookie),
            connections,
        ),
        Scenario(
            "decision PDF, cached",
            get_cycle([f"/api/v1/assessments/{a}/report" for a in pdf_ids], auth),
            connections,
        ),
        Scenario("portfolio, municipality-year", municipality_year, connections),
        Scenario("portfolio, country-year", country_year, connections),
    ]


def cold_pdfs(base: str, token: str, ids: list[str], concurrency: int) -> dict[str, Any]:
    """Render each assessment's decision summary once (its cache emptied first): the cold path, with
    ``concurrency`` requests at a time (one per worker)."""
    import concurrent.futures

    prepare.forget_pdfs(ids)
    times: list[float] = []

    def one(a: str) -> None:
        start = time.perf_counter()
        r = httpx.get(f"{base}/api/v1/assessments/{a}/report", headers=bearer(token), timeout=120)
        assert r.status_code == 200, r.text[:200]
        times.append(time.perf_counter() - start)

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, ids))
    wall = time.perf_counter() - started
    return {
        "requests": len(ids),
        "rps": round(len(ids) / wall, 2),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p99_ms": round(max(times) * 1000, 1),
        "non2xx": 0,
        "socket_errors": 0,
    }


def raw_weasyprint_ms(ids: list[str]) -> float:
    """WeasyPrint alone rendering the pre-built HTML of the same decision summaries (median ms), as
    bench/reports.py measures it: same template output, fetcher and options, nothing else."""
    import uuid

    import weasyprint

    from app.assessments.models import Assessment, Decision
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from app.reports import render
    from app.reports.branding import brand_for
    from app.reports.context import summary_report
    from app.reports.fetcher import BASE_URL, AssetFetcher
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    registry = load_registry(get_settings().rubrics_dir)
    jobs = []
    with unit_of_work(write=False) as s:
        for i in ids:
            a = s.get(Assessment, uuid.UUID(i))
            assert a is not None
            d, m = s.get(Decision, a.decision_id), s.get(Municipality, a.municipality_id)
            assert d is not None
            assert m is not None
            brand = brand_for(m)
            rubric = registry.get(a.rubric_id, a.rubric_version)
            assert rubric is not None
            html = render.render_html("summary.html", summary_report(s, rubric, a, d, brand, "sv"), "sv")
            jobs.append((html, brand))
    times = []
    for n, (html, brand) in enumerate(jobs * 2):
        start = time.perf_counter()
        doc = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=AssetFetcher(brand.resources))
        doc.write_pdf(font_config=render.bundled_fonts(), **render.weasyprint_options("ua", b"0" * 16))
        if n >= len(jobs) // 2:  # the first renders warm fonts and caches up
            times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)

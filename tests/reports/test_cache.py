"""Reproducible bytes and the content-hash cache of decision summaries."""

from __future__ import annotations

import uuid

from sqlmodel import select

from app.db.session import unit_of_work
from app.reports.models import ReportCache
from tests.reports.factories import pdf_text, rating, rich_assessment
from tests.support import Api


def cache_rows(assessment_id: str) -> list[ReportCache]:
    with unit_of_work(write=False) as s:
        return list(s.exec(select(ReportCache).where(ReportCache.assessment_id == uuid.UUID(assessment_id))).all())


def clear_cache() -> None:
    """The stored renders and the PDFs each process keeps per change (PostgreSQL's fast path)."""
    from sqlalchemy import delete

    from app.assessments import representation_cache

    with unit_of_work() as s:
        s.execute(delete(ReportCache))
    representation_cache.clear()


def report(api: Api, assessment_id: str, **params: str) -> bytes:
    r = api.get(f"/api/v1/assessments/{assessment_id}/report", params=params)
    assert r.status_code == 200, r.text
    return bytes(r.content)


def test_same_assessment_renders_to_the_same_bytes(api: Api) -> None:
    a = rich_assessment(api)
    for variant in ("ua", "a3"):
        first = report(api, a["id"], variant=variant)
        clear_cache()
        second = report(api, a["id"], variant=variant)
        assert first == second, variant


def test_approved_assessment_is_reproducible_in_a_render_process(api: Api, registry: object) -> None:
    """Inline and isolated renders of the same job give the same bytes (fixed dates and /ID)."""
    from datetime import UTC, datetime

    from app.reports.render import RenderJob, render_pdf, render_pdf_isolated

    job = RenderJob(
        "<html lang=sv><head><title>T</title></head><body><h1>Rubrik</h1></body></html>",
        "ua",
        datetime(2026, 3, 16, tzinfo=UTC),
        b"0123456789abcdef",
    )
    assert render_pdf(job) == render_pdf_isolated(job)


def test_second_request_is_served_from_the_cache(api: Api) -> None:
    a = rich_assessment(api)
    report(api, a["id"])
    rows = cache_rows(a["id"])
    assert len(rows) == 1 and rows[0].lang == "sv" and rows[0].variant == "ua" and rows[0].size > 1000
    # Prove that the next response comes from the row, not from a new render.
    with unit_of_work() as s:
        row = s.get(ReportCache, rows[0].key)
        assert row is not None
        row.content = b"%PDF-1.7 cached marker"
        s.add(row)
    from app.assessments import representation_cache

    representation_cache.clear()  # a hand edit of the table: what the process kept is forgotten too
    assert report(api, a["id"]) == b"%PDF-1.7 cached marker"


def test_cache_key_follows_language_variant_and_changes(api: Api) -> None:
    a = rich_assessment(api)
    report(api, a["id"])
    report(api, a["id"], lang="en")
    report(api, a["id"], variant="a3")
    assert {(r.lang, r.variant) for r in cache_rows(a["id"])} == {("sv", "ua"), ("en", "ua"), ("sv", "a3")}
    before = {r.key for r in cache_rows(a["id"])}
    r = api.put_ratings(a["id"], [rating("policy.residents.participation", 1, rationale="Nytt samråd med byarna")])
    assert r.status_code == 200
    assert "Nytt samråd med byarna" in pdf_text(report(api, a["id"]))
    rows = cache_rows(a["id"])
    sv_ua = [r for r in rows if (r.lang, r.variant) == ("sv", "ua")]
    assert len(sv_ua) == 1 and sv_ua[0].key not in before  # the stale render was replaced


def test_decision_edit_invalidates_the_cache(api: Api) -> None:
    a = rich_assessment(api)
    report(api, a["id"])
    decision = api.get(f"/api/v1/decisions/{a['decision_id']}")
    r = api.patch(
        f"/api/v1/decisions/{a['decision_id']}", {"title": "Ny rubrik för beslutet"}, etag=decision.headers["ETag"]
    )
    assert r.status_code == 200, r.text
    assert "Ny rubrik för beslutet" in pdf_text(report(api, a["id"]))

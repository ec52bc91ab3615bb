"""The sources an assessment rests on: set at creation or with the screening, kept across versions,
validated field by field, and printed in the PDF appendix."""

from __future__ import annotations

from typing import Any

from app.rubrics.models import PERSPECTIVE_IDS
from tests.reports.factories import pdf_text
from tests.support import Api

ITEMS = [
    {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Berör inte beslutet"}
    for p in PERSPECTIVE_IDS
]
KOLADA = "Kolada: nyckeltal N00914, företagsklimat enligt Insikt 2025"
REGISTER = "Kommunens näringslivsregister 2026-10, 412 mikroföretag i centrum"


def screen(api: Api, a: dict[str, Any], **extra: Any) -> Any:
    return api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": ITEMS, **extra}, api.etag(a["id"]))


def test_sources_are_set_replaced_kept_and_cleared(api: Api) -> None:
    d = api.create_decision("KS 2026/77")
    r = api.post(f"/api/v1/decisions/{d['id']}/assessments", {"sources": [f"  {KOLADA} "]})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["sources"] == [KOLADA], "stripped, kept"
    r = screen(api, a)
    assert r.status_code == 200 and r.json()["sources"] == [KOLADA], "omitted: unchanged"
    r = screen(api, a, sources=[REGISTER, KOLADA])
    assert r.status_code == 200 and r.json()["sources"] == [REGISTER, KOLADA], "replaced, order kept"
    history = api.get(f"/api/v1/assessments/{a['id']}/history").json()
    assert history[-1]["after"]["sources"] == [REGISTER, KOLADA] and history[-1]["before"]["sources"] == [KOLADA]
    r = screen(api, a, sources=[])
    assert r.status_code == 200 and r.json()["sources"] == []


def test_bad_sources_get_field_level_errors_and_change_nothing(api: Api) -> None:
    a = api.create_assessment("KS 2026/78")
    before = api.get(f"/api/v1/assessments/{a['id']}").json()
    for bad, field in (
        (["ok", "   "], "sources.1"),
        (["x" * 1001], "sources.0"),
        ([f"källa {i}" for i in range(51)], "sources"),
        (["nul \x00 byte"], "sources.0"),
        (None, "sources"),
    ):
        r = screen(api, a, sources=bad)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"] == field for e in r.json()["errors"]), (field, r.json()["errors"])
    after = api.get(f"/api/v1/assessments/{a['id']}").json()
    assert after["etag"] == before["etag"] and after["sources"] == []


def test_sources_are_printed_in_the_pdf_appendix(api: Api) -> None:
    a = api.create_assessment("KS 2026/79")
    assert screen(api, a, sources=[REGISTER]).status_code == 200
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "fi"})
    assert r.status_code == 200, r.text
    text = " ".join(pdf_text(r.content).split())
    assert "Lähteet" in text and REGISTER in text

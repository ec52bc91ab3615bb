"""The PDFs name and count days on the clock of the municipality: Stockholm's for a Swedish one,
Helsinki's for a Finnish one (timestamps are stored in UTC).

After the clocks went forward on 29 March 2026 Helsinki is UTC+3 and Stockholm UTC+2: 21:30 UTC on
31 March is 31 March in Stockholm and 1 April in Helsinki; 22:30 UTC is 1 April in both, 31 March in UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.reports.factories import pdf_text
from tests.support import Api, session

LATE = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
Q1 = {"from": "2026-01-01", "to": "2026-03-31"}
Q2 = {"from": "2026-04-01", "to": "2026-06-30"}


def set_assessment(assessment_id: str, **values: Any) -> None:
    from app.assessments.models import Assessment

    with session() as s:
        a = s.get(Assessment, uuid.UUID(assessment_id))
        assert a is not None
        for name, value in values.items():
            setattr(a, name, value)
        s.add(a)
        s.commit()


def portfolio_text(api: Api, period: dict[str, str]) -> str:
    r = api.get("/api/v1/reports/portfolio", params=period)
    assert r.status_code == 200, r.text
    return pdf_text(r.content)


def test_the_decision_summary_names_the_day_of_approval_of_the_municipality(client: Any) -> None:
    for code, day in (("0180", "31 mars 2026"), ("091", "1 april 2026")):
        api = Api.for_new_municipality(client, code)
        a = api.create_assessment()
        set_assessment(a["id"], status="approved", reviewer_name="Göran Granskare", submitted_at=LATE, approved_at=LATE)
        r = api.get(f"/api/v1/assessments/{a['id']}/report")
        assert r.status_code == 200, r.text
        assert f"Godkänd den {day}" in pdf_text(r.content), code


def test_the_portfolio_period_counts_creation_days_on_the_municipalitys_clock(client: Any) -> None:
    stockholm = Api.for_new_municipality(client, "0180")
    march = stockholm.create_assessment("KS 31/2026")  # no planned date: the day of creation counts
    april = stockholm.create_assessment("KS 32/2026")
    set_assessment(march["id"], created_at=LATE)  # 23:30 on 31 March in Stockholm
    set_assessment(april["id"], created_at=LATER)  # 00:30 on 1 April in Stockholm, still March in UTC
    first, second = portfolio_text(stockholm, Q1), portfolio_text(stockholm, Q2)
    assert "KS 31/2026" in first and "KS 32/2026" not in first, first[:3000]
    assert "KS 32/2026" in second and "KS 31/2026" not in second, second[:3000]
    assert "2026-04-01 · KS 32/2026" in second, "its day in the list: Stockholm's"
    assert "2026-03-31 · KS 31/2026" in first

    helsinki = Api.for_new_municipality(client, "091")
    late = helsinki.create_assessment("KH 31/2026")
    set_assessment(late["id"], created_at=LATE)  # 00:30 on 1 April in Helsinki
    assert "KH 31/2026" not in portfolio_text(helsinki, Q1)
    second = portfolio_text(helsinki, Q2)
    assert "KH 31/2026" in second and "2026-04-01 · KH 31/2026" in second

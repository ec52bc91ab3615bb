"""The portfolio report: content per period and body, charts with their tables, tagging, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.reports import labels
from tests.reports.factories import doc_rating, import_decision, pdf_text
from tests.reports.pdfcheck import open_pdf, page_validation, structure
from tests.support import Api

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


def portfolio_data() -> None:
    """Five decisions of Helsinki (091) across quarters and bodies, one outside the period, and one of
    another municipality."""
    negative = doc_rating("logistics.residents.traffic-nuisance", -3, "certain")
    positive = doc_rating("infrastructure.firms.establishment", 2)
    import_decision(
        "091",
        "KS 1/2026",
        "2026-02-10",
        proposal=[positive, negative],
        zero=[doc_rating("infrastructure.firms.establishment", 0)],
    )
    import_decision("091", "KS 2/2026", "2026-05-04", proposal=[positive])
    import_decision(
        "091",
        "BN 3/2026",
        "2026-08-20",
        body="Byggnadsnämnden",
        status="submitted",
        proposal=[doc_rating("rural-services.residents.access", -1)],
    )
    import_decision(
        "091",
        "KS 4/2026",
        "2026-11-30",
        status="draft",
        proposal=[doc_rating("policy.firms.business-climate", "unknown")],
    )
    import_decision("091", "KS 9/2025", "2025-12-31", proposal=[positive])
    import_decision("049", "ESP 1/2026", "2026-03-01", proposal=[positive])


def get_portfolio(api: Api, **params: str) -> bytes:
    r = api.get("/api/v1/reports/portfolio", params={**PERIOD, **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    return bytes(r.content)


def test_portfolio_content_in_swedish(api: Api, tmp_path: Path) -> None:
    portfolio_data()
    pdf = get_portfolio(api)
    text = pdf_text(pdf)
    for phrase in (
        "Portfölj av bedömningar av livskraftseffekter",
        "Helsingfors",  # the municipality in Swedish
        "Bedömningar per status",
        "Effekternas fördelning per perspektiv och målgrupp",
        "Sammanlagd effekt för varje målgrupp",
        "Utveckling per kvartal",
        "2026 kv1",
        "2026 kv4",
        "Beslut med betydande negativa effekter",
        "KS 1/2026",
        "KS 2/2026",
        "BN 3/2026",
        "KS 4/2026",
    ):
        assert phrase in text, phrase
    assert "KS 9/2025" not in text  # outside the period
    assert "ESP 1/2026" not in text  # another municipality
    # status counts: 2 approved, 1 submitted, 1 draft; total 4
    submitted = labels.status("sv", "submitted")
    assert "Godkänd 2" in text and f"{submitted} 1" in text and "Utkast 1" in text and "Totalt 4" in text
    # the significant negative impact is named with the decision
    significant = text.split("Beslut med betydande negativa effekter", 1)[1]
    assert "KS 1/2026" in significant.split("Alla beslut under perioden")[0]
    assert "−3" in significant


def test_portfolio_charts_are_tagged_figures_with_alt_and_tables(api: Api, tmp_path: Path) -> None:
    portfolio_data()
    pdf = get_portfolio(api, lang="en")
    with open_pdf(pdf) as doc:
        s = structure(doc)
        assert str(doc.Root.Lang) == "en"
        assert str(doc.docinfo["/Title"]).startswith("Vitality impact portfolio")
    assert s.types["/Figure"] == 4 and s.figures_without_alt == []
    assert any(alt.startswith("Bar chart of the rated impacts") for alt in s.alts)
    assert any(alt.startswith("Column chart of the mean difference") for alt in s.alts)
    assert s.th_without_scope == [] and s.scopes["/Column"] > 0 and s.scopes["/Row"] > 0
    compliant, failures = page_validation(pdf, tmp_path, "ua1")
    assert compliant, failures


def test_portfolio_for_one_deciding_body_in_finnish(api: Api) -> None:
    portfolio_data()
    text = pdf_text(get_portfolio(api, body="Byggnadsnämnden", lang="fi"))
    assert "BN 3/2026" in text and "KS 1/2026" not in text
    assert "Helsinki – Byggnadsnämnden" in text
    assert "Vaikutusten jakauma näkökulmittain ja kohderyhmittäin" in text


def test_empty_period_renders(api: Api) -> None:
    text = pdf_text(get_portfolio(api, **{"from": "2030-01-01", "to": "2030-03-31"}))
    assert "Det finns inga bedömda beslut under perioden." in text


def test_too_many_decisions_is_refused_clearly(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import get_settings

    portfolio_data()
    monkeypatch.setenv("LIVSKRAFT_PDF_MAX_DECISIONS", "3")
    get_settings.cache_clear()
    try:
        r = api.get("/api/v1/reports/portfolio", params=PERIOD)
    finally:
        monkeypatch.delenv("LIVSKRAFT_PDF_MAX_DECISIONS")
        get_settings.cache_clear()
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert "holds 4 decisions" in problem["detail"] and "at most 3" in problem["detail"]
    assert {e["field"] for e in problem["errors"]} == {"query.from", "query.to"}  # as every query parameter
    assert (problem["decisions"], problem["limit"]) == (4, 3)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-12-31", "to": "2026-01-01"},
        {"to": "2026-01-01"},
        {**PERIOD, "lang": "de"},
        {"from": "x", "to": "2026-01-01"},
    ],
)
def test_bad_parameters_are_422(api: Api, params: dict[str, str]) -> None:
    r = api.get("/api/v1/reports/portfolio", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_cli_portfolio(api: Api, tmp_path: Path) -> None:
    portfolio_data()
    out = tmp_path / "portfolio.pdf"
    result = CliRunner().invoke(
        cli,
        ["report", "portfolio", "--municipality", "091", "--from", "2026-01-01", "--to", "2026-06-30", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "KS 1/2026" in text and "KS 2/2026" in text and "BN 3/2026" not in text


def test_cli_portfolio_unknown_municipality(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["report", "portfolio", "--municipality", "999", "--from", "2026-01-01", "--to", "2026-06-30"]
    )
    assert result.exit_code == 1 and "does not exist" in result.output


def test_an_empty_period_in_any_year_renders(api: Api) -> None:
    """Found by schemathesis on PostgreSQL: a period in year 343 answered 500 (strftime's %Y gives '343')."""
    for period in ({"from": "0303-04-15", "to": "0343-02-06"}, {"from": "9999-01-01", "to": "9999-12-31"}):
        r = api.get("/api/v1/reports/portfolio", params=period)
        assert r.status_code == 200, (period, r.text)
        assert r.content.startswith(b"%PDF-")

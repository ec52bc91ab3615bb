"""Portfolio report review: defects a councillor or a screen-reader user would meet, checked on real PDFs
rendered through the API (WeasyPrint, text extracted)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from app.reports import charts
from tests.reports.factories import doc_rating, import_decision, page_texts, pdf_text
from tests.support import Api, make_municipality

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def get_portfolio(api: Api, **params: str) -> bytes:
    r = api.get("/api/v1/reports/portfolio", params=params)
    assert r.status_code == 200, r.text
    return bytes(r.content)


def between(text: str, start: str, end: str) -> str:
    assert start in text, start
    part = text.split(start, 1)[1]
    assert end in part, end
    return part.split(end, 1)[0]


TREND_ROW = re.compile(r"(\d{4}(?:[ /]\S+)?) (\d+) (\d+) (\d+) ([+−–][\d.,]*) ([+−–][\d.,]*) ([+−–][\d.,]*)")


def test_a_period_longer_than_ten_years_keeps_every_decision_in_the_trends(api: Api) -> None:
    """The trends stopped after 40 quarters without a word: over 2010–2026 every decision after 2019 was
    missing from the table. A long period is now shown by year, and the rows add up to all decisions."""
    positive = doc_rating("infrastructure.firms.establishment", 2)
    import_decision("091", "KS 1/2012", "2012-05-02", proposal=[positive])
    import_decision("091", "KS 1/2024", "2024-02-10", proposal=[positive])
    import_decision("091", "KS 2/2026", "2026-09-01", proposal=[positive])
    import_decision("091", "KS 3/2026", "2026-10-01", status="draft", proposal=[positive])
    text = pdf_text(get_portfolio(api, **{"from": "2010-01-01", "to": "2026-12-31", "lang": "en"}))
    trends = between(text, "Trends by year", "Decisions with significant negative impacts")
    rows = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in TREND_ROW.finditer(trends)}
    assert list(rows) == [str(y) for y in range(2010, 2027)]
    assert rows["2012"] == (1, 1) and rows["2024"] == (1, 1) and rows["2026"] == (2, 1)
    assert sum(n for n, _ in rows.values()) == 4
    assert trends.startswith(" Year Decisions")


def test_a_council_term_is_shown_by_quarter_with_labels_that_do_not_collide() -> None:
    """Sixteen quarters (a four-year term) stay quarters; their axis labels are thinned rather than
    printed over each other (forty labels ran into one unreadable line)."""
    labels = [f"{y} kv{q}" for y in range(2023, 2033) for q in range(1, 5)]  # 40, the old maximum
    for categories in (labels[:16], labels):
        svg = str(charts.columns("t", categories, [charts.Series("a", "#000")], [[1.0]] * len(categories)))
        found = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" font-size="8"[^>]*>([^<]+)<', svg)
        assert found and found[0][1] == categories[0]
        edges = [(float(x) - len(s) * 2.6, float(x) + len(s) * 2.6) for x, s in found]  # 0.65 em at 8 pt
        assert all(right < left for (_, right), (left, _) in pairwise(edges)), found


def test_the_list_of_all_decisions_is_in_date_order_with_undated_decisions(api: Api) -> None:
    """A decision without a planned date counts on the day its assessment was created, but the list put
    it first on SQLite and last on PostgreSQL (where the database sorts NULL), whatever its day."""
    today = date.today()
    positive = doc_rating("infrastructure.firms.establishment", 1)
    import_decision("091", "KS 1", (today - timedelta(days=10)).isoformat(), proposal=[positive])
    import_decision("091", "KS 3", (today + timedelta(days=10)).isoformat(), proposal=[positive])
    import_decision("091", "KS 2", None, proposal=[positive])  # created today
    period = {"from": (today - timedelta(days=30)).isoformat(), "to": (today + timedelta(days=30)).isoformat()}
    text = pdf_text(get_portfolio(api, **period, lang="en"))
    listed = text.split("All decisions in the period", 1)[1]
    assert listed.index("KS 1 ·") < listed.index("KS 2 ·") < listed.index("KS 3 ·")


def test_an_empty_period_is_one_page_that_says_so(api: Api) -> None:
    """An empty period gave four pages of charts and tables of zeros; now the facts and one sentence."""
    for lang, sentence in (
        ("sv", "Det finns inga bedömda beslut under perioden."),
        ("fi", "Kaudella ei ole arvioituja päätöksiä."),
        ("en", "There are no assessed decisions in the period."),
    ):
        pages = page_texts(get_portfolio(api, **{"from": "2030-01-01", "to": "2030-03-31", "lang": lang}))
        assert len(pages) == 1, (lang, len(pages))
        assert sentence in pages[0]
        assert "0 0 0 0" not in pages[0]


def import_screened(case: str, planned: str, proposal: list[dict[str, Any]], zero: list[dict[str, Any]]) -> None:
    """An approved decision of 091 through the import path, with ``mergers`` screened out."""
    from app.assessments.documents import import_document
    from app.assessments.schemas import AssessmentDocument
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    m = make_municipality("091")
    doc = AssessmentDocument.model_validate(
        {
            "municipality": "091",
            "decision": {
                "case_number": case,
                "title": f"Beslut {case}",
                "deciding_body": "Kommunstyrelsen",
                "planned_date": planned,
            },
            "rubric_id": "kuntaliitto-vitality",
            "rubric_version": "1.0.0",
            "status": "approved",
            "author": "Tiina Tjänsteperson",
            "reviewer": "Göran Granskare",
            "screening": [{"perspective_id": "mergers", "relevant": False, "reason": "Ingen sammanslagning"}],
            "alternatives": [
                {"key": "proposal", "title": "Förslag", "ratings": proposal},
                {"key": "zero", "title": "Inget beslut", "ratings": zero},
            ],
        }
    )
    with unit_of_work() as s:
        import_document(s, system_actor(m.id, m.code, "test"), load_registry(get_settings().rubrics_dir), doc)


def distribution_data() -> None:
    import_screened(
        "KS 1/2026",
        "2026-02-10",
        proposal=[
            doc_rating("infrastructure.firms.establishment", 2),
            doc_rating("infrastructure.firms.connection-costs", -2, "certain"),
            doc_rating("logistics.residents.traffic-nuisance", "unknown"),
        ],
        zero=[doc_rating("infrastructure.firms.establishment", 0)],
    )
    import_screened("KS 2/2026", "2026-05-04", proposal=[doc_rating("infrastructure.firms.establishment", 0)], zero=[])


def test_the_distribution_table_reads_per_target_with_whole_words_in_finnish(api: Api) -> None:
    """Thirteen narrow columns broke the Finnish headers mid-word without a hyphen ("Kieltei nen",
    "Tunte maton", and "Kuntaorga nisaatio" in the trends); the table now has a row per perspective and
    target and the trends table gives the longest header room."""
    distribution_data()
    text = pdf_text(get_portfolio(api, **YEAR, lang="fi"))
    table = between(text, "Näkökulma Kohderyhmä Kielteinen Neutraali Myönteinen Tuntematon", "Kertyvä vaikutus")
    infrastructure = between(table, "Infrastruktuuri elinvoiman perustana", "Hankinnat")
    assert "Kuntaorganisaatio 0 0 0 0 Yritykset 1 1 1 0 Asukkaat 0 0 0 0" in infrastructure
    assert "Asukkaat 0 0 0 1" in between(table, "Logistiikka ja elinvoima", "Kunnan tietovarannot")
    trends = between(text, "Kehitys vuosineljänneksittäin", "Päätökset, joilla")
    assert "Vuosineljännes Päätökset Hyväksyttyjä" in trends and "Kuntaorganisaatio Yritykset Asukkaat" in trends


def test_a_perspective_screened_out_is_told_apart_from_one_nobody_rated(api: Api) -> None:
    """Both showed only zeros; the table now says how many decisions screened the perspective out."""
    distribution_data()
    for lang, title, words, unrated in (
        (
            "sv",
            "Livskraften vid kommunsammanslagningar",
            "Bortvalt i screeningen: 2 beslut",
            "Kommunens informationsresurser",
        ),
        ("fi", "Elinvoima kuntaliitoksissa", "Rajattu pois seulonnassa: 2 päätöstä", "Kunnan tietovarannot"),
        ("en", "Vitality in municipal mergers", "Screened out in 2 decisions", "Municipal information resources"),
    ):
        text = pdf_text(get_portfolio(api, **YEAR, lang=lang))
        assert f"{title} {words}" in text, lang
        assert text.count(words) == 1, lang  # not said of the perspectives that were rated or left unrated
        assert unrated in text

"""The official's path without JavaScript: decision, screening, ratings with the rubric beside them,
summary, check your answers, submit; invalid input is shown with an error summary and kept."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.web.support import Web, error_summary, hidden


def test_create_decision_starts_the_assessment(official: Web) -> None:
    aid = official.new_assessment("KS 2026/7")
    page = official.get(f"/assessments/{aid}")
    assert page.status_code == 200
    assert "KS 2026/7" in page.text
    dashboard = official.get("/")
    mine = dashboard.text.split('<caption id="mine-caption">Mina utkast</caption>')[1].split("</table>")[0]
    assert f"/assessments/{aid}" in mine


def test_invalid_decision_keeps_what_was_typed(official: Web) -> None:
    r = official.post(
        "/decisions/new",
        {
            "case_number": "KS 9",
            "title": "",
            "deciding_body": "Nämnden",
            "planned_date": "14.12.2026",
            "summary": "Lång text\nrad två",
        },
    )
    assert r.status_code == 422
    fields = [f for f, _ in error_summary(r.text)]
    assert fields == ["title", "planned_date"]
    assert 'value="KS 9"' in r.text and 'value="Nämnden"' in r.text and 'value="14.12.2026"' in r.text
    assert "Lång text\nrad två</textarea>" in r.text
    assert 'id="title"' in r.text and 'aria-invalid="true"' in r.text
    assert r.text.count("<title>Fel:") == 1


def test_duplicate_case_number_is_a_field_error(official: Web) -> None:
    official.new_assessment("KS 1")
    r = official.post("/decisions/new", {"case_number": "KS 1", "title": "Annat", "deciding_body": "KS"})
    assert r.status_code == 422
    assert error_summary(r.text)[0][0] == "case_number"


def test_screening_needs_a_reason_for_not_relevant_and_keeps_input(official: Web) -> None:
    aid = official.new_assessment()
    page = official.get(f"/assessments/{aid}/screening")
    data = {
        "base_version": hidden(page.text, "base_version"),
        "base_hash": hidden(page.text, "base_hash"),
        "s-policy": "yes",
        "s-logistics": "no",
        "s-mergers": "no",
        "s-mergers-reason": "Ingen sammanslagning.",
    }
    r = official.post(f"/assessments/{aid}/screening", data)
    assert r.status_code == 422
    fields = [f for f, _ in error_summary(r.text)]
    assert "s-logistics-reason" in fields and "s-infrastructure" in fields
    assert "Ingen sammanslagning.</textarea>" in r.text
    assert re.search(r'id="s-policy" name="s-policy" type="radio" value="yes"[^>]*checked', r.text)
    again = official.get(f"/assessments/{aid}/screening")
    assert "Ingen sammanslagning." in again.text, "the invalid input was kept as a draft"


def test_nothing_relevant_needs_a_statement(official: Web) -> None:
    aid = official.new_assessment()
    r = official.screen(aid, relevant=())
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["statement"]


def test_rating_page_shows_the_rubric_beside_each_question(official: Web, registry: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    page = official.get(f"/assessments/{aid}/rate/proposal/policy/firms")
    rubric = registry.default()
    for criterion in rubric.perspective("policy").criteria_for("firms"):
        for text in (
            criterion.question,
            criterion.guidance,
            criterion.evidence,
            criterion.example_positive,
            criterion.example_negative,
        ):
            assert _esc(text.sv) in page.text
    assert "<legend" in page.text and "<fieldset" in page.text
    official.client.cookies.set("lk_lang", "en")
    english = official.get(f"/assessments/{aid}/rate/proposal/policy/firms")
    assert _esc(rubric.perspective("policy").criteria_for("firms")[0].question.en) in english.text


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_rating_rules_are_the_domain_rules_and_input_is_kept(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    data |= {
        "c0-e1-score": "2",
        "c0-e1-evidence": "Enkät 2026",
        "c1-e1-score": "-2",
        "c1-e1-rationale": "Högre avgifter.",
        "c2-e1-score": "unknown",
    }
    r = official.post(url, data)
    assert r.status_code == 422
    fields = [f for f, _ in error_summary(r.text)]
    assert fields == ["c0-e1-rationale", "c1-e1-mitigation", "c2-e1-rationale"]
    assert "Enkät 2026</textarea>" in r.text and "Högre avgifter.</textarea>" in r.text
    assert re.search(r'id="c2-e1-score-8" name="c2-e1-score" type="radio" value="unknown"[^>]*checked', r.text)
    api_ratings = _ratings(official, aid)
    assert api_ratings == [], "nothing was saved"


def _ratings(web: Web, aid: str) -> list[Any]:
    from sqlmodel import select

    from app.assessments.models import Rating
    from tests.support import session

    with session() as s:
        return list(s.exec(select(Rating).where(Rating.assessment_id == uuid.UUID(aid))).all())


def test_valid_ratings_are_saved_with_a_second_effect(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    data |= {
        "c0-e1-score": "2",
        "c0-e1-rationale": "Fler anbud.",
        "c0-e1-likelihood": "likely",
        "c0-e1-horizon": "short",
        "c0-e1-certainty": "medium",
        "c0-e1-evidence": "Enkät 2026\nhttps://example.org/x",
        "c0-e1-affected_groups": "Småföretag",
        "c0-e2-score": "-1",
        "c0-e2-rationale": "Större företag tappar.",
        "c0-e2-mitigation": "Dialog.",
        "c0-e2-affected_area": "Centrum",
    }
    r = official.post(url, data)
    assert r.status_code == 303, error_summary(r.text)
    assert r.headers["location"] == f"/assessments/{aid}/rate/proposal/policy/residents"
    rows = sorted(_ratings(official, aid), key=lambda x: x.effect)
    assert [(x.score, x.effect) for x in rows] == [(2, 1), (-1, 2)]
    assert rows[0].evidence == ["Enkät 2026", "https://example.org/x"]
    page = official.get(url)
    assert "Större företag tappar.</textarea>" in page.text
    # clearing a score removes that effect
    url, data = official.rate_form(aid)
    data |= {"c0-e1-score": "2", "c0-e1-rationale": "Fler anbud."}
    assert official.post(url, data | {"then": "overview"}).headers["location"] == f"/assessments/{aid}"
    assert [(x.score, x.effect) for x in _ratings(official, aid)] == [(2, 1)]


def test_summary_check_and_submit(official: Web) -> None:
    aid = official.new_assessment()
    check = official.get(f"/assessments/{aid}/check")
    assert "Inte bedömd ännu" not in check.text
    r = official.post(f"/assessments/{aid}/submit", {"comment": ""})
    assert r.status_code == 422, "not screened yet"
    official.screen(aid)
    url, data = official.rate_form(aid)
    official.post(
        url,
        data
        | {
            "c0-e1-score": "-3",
            "c0-e1-rationale": "Stängning.",
            "c0-e1-mitigation": "Övergångstid.",
            "c0-e1-likelihood": "certain",
        },
    )
    summary = official.get(f"/assessments/{aid}/summary")
    assert summary.status_code == 200
    assert "−−" in summary.text and "Klart negativ" in summary.text, "symbol and text, never colour alone"
    assert "Alla perspektiv och målgrupper väger lika." in summary.text, "the summary says which weights were used"
    r = official.post(f"/assessments/{aid}/submit", {"comment": "Klar för granskning"})
    assert r.status_code == 303
    page = official.get(f"/assessments/{aid}")
    assert "Inskickad för granskning" in page.text
    url = f"/assessments/{aid}/rate/proposal/policy/firms"
    assert "base_version" not in official.get(url).text, "a submitted assessment is shown read-only"
    assert official.post(url, data | {"c0-e1-score": "1", "c0-e1-rationale": "x"}).status_code == 409


def test_screening_keeps_sources_a_line_each_and_shows_them(official: Web) -> None:
    from app.rubrics.models import PERSPECTIVE_IDS

    aid = official.new_assessment()
    page = official.get(f"/assessments/{aid}/screening")
    assert 'name="sources"' in page.text and "Källor som bedömningen bygger på" in page.text
    data = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    for pid in PERSPECTIVE_IDS:
        data[f"s-{pid}"] = "yes" if pid == "policy" else "no"
        data[f"s-{pid}-reason"] = "" if pid == "policy" else "Berör inte beslutet."
    too_many = "\n".join(f"Källa {i}" for i in range(51))
    r = official.post(f"/assessments/{aid}/screening", data | {"sources": too_many})
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["sources"]
    assert "Källa 50</textarea>" in r.text, "what was typed is kept"
    page = official.get(f"/assessments/{aid}/screening")
    data |= {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    sources = "Kolada: företagsklimat 2025\n\n  Samråd med företagarföreningen 3.11.2026  \n"
    r = official.post(f"/assessments/{aid}/screening", data | {"sources": sources})
    assert r.status_code == 303, r.text
    summary = official.get(f"/assessments/{aid}/summary").text
    assert "<li>Kolada: företagsklimat 2025</li><li>Samråd med företagarföreningen 3.11.2026</li>" in summary
    again = official.get(f"/assessments/{aid}/screening").text
    assert "Kolada: företagsklimat 2025\nSamråd med företagarföreningen 3.11.2026</textarea>" in again
    check = official.get(f"/assessments/{aid}/check").text
    assert "Kolada: företagsklimat 2025; Samråd med företagarföreningen 3.11.2026" in check


def test_rating_form_with_a_malformed_or_unknown_id_is_a_404_page(official: Web) -> None:
    """The form's path is validated as one model (app/api/param_models.py); a wrong id is still the
    ordinary 404 page in the visitor's language, not a JSON error."""
    aid = official.new_assessment()
    for wrong in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        page = official.client.get(f"/assessments/{wrong}/rate/proposal/policy/firms")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "<html" in page.text and "problem" not in page.headers["content-type"]
    assert official.get(f"/assessments/{aid}/rate/proposal/policy/firms").status_code == 200

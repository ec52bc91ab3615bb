"""The decision summary through the API: content and language, read back from the PDF's text."""

from __future__ import annotations

import pytest

from tests.reports.factories import (
    AFFECTED_GROUPS,
    CASE,
    EVIDENCE,
    GAP_NOTE,
    NEGATIVE_MITIGATION,
    SCREENED_OUT_REASON,
    TITLE,
    page_texts,
    pdf_text,
    rich_assessment,
)
from tests.support import Api


def get_pdf(api: Api, assessment_id: str, **params: str) -> bytes:
    r = api.get(f"/api/v1/assessments/{assessment_id}/report", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    return bytes(r.content)


def test_swedish_summary_has_the_leadership_pages_and_the_appendix(api: Api) -> None:
    a = rich_assessment(api)
    pdf = get_pdf(api, a["id"])
    pages = page_texts(pdf)
    first_two = " ".join(pages[:2])
    # the decision, who decides, case number, date, status
    for text in (TITLE, CASE, "Kommunstyrelsen", "16 mars 2026", "Utkast", "Beslutsorgan", "Diarienummer"):
        assert text in first_two, text
    # alternatives compared, profile per target, the difference
    assert "Jämförda alternativ" in first_two and "Nollalternativet" in first_two
    assert "Kommunorganisationen" in first_two and "Företagen" in first_two and "Invånarna" in first_two
    assert "Bättre än nollalternativet" in first_two
    # the matrix: perspective titles of the rubric in Swedish, symbols with words
    assert "Logistik och livskraft" in first_two
    assert "++ Klart positiv" in first_two and "−− Klart negativ" in first_two
    # most significant negative impact with its likelihood, horizon and mitigation
    assert NEGATIVE_MITIGATION in first_two
    assert "Sannolik" in first_two and "Kort sikt" in first_two
    # certainty and knowledge gaps; what was screened out and why
    assert "Säkerhet och kunskapsluckor" in first_two and GAP_NOTE in first_two
    assert SCREENED_OUT_REASON in first_two and "Livskraften vid kommunsammanslagningar" in first_two
    # appendix: every rating with rationale, evidence, affected groups; rubric id, version, hash; weights
    text = pdf_text(pdf)
    assert "Bilaga: alla bedömningar" in text
    assert EVIDENCE in text and AFFECTED_GROUPS in text
    assert a["rubric_id"] in text and f"Version: {a['rubric_version']}" in text
    assert a["rubric_hash"][:16] in text.replace(" ", "")
    assert "Metod och vikter" in text


def test_appendix_starts_after_the_two_leadership_pages(api: Api) -> None:
    a = rich_assessment(api)
    pages = page_texts(get_pdf(api, a["id"]))
    appendix_page = next(i for i, p in enumerate(pages) if "Bilaga: alla bedömningar" in p)
    assert appendix_page <= 2
    assert all("Bilaga: alla bedömningar" not in p for p in pages[:appendix_page])


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        (
            "fi",
            ["Päätöksen tiivistelmä".lower(), "Diaarinumero", "Nollavaihtoehto", "Logistiikka ja elinvoima"],
            "Diarienummer",
        ),
        ("en", ["decision summary", "Case number", "Zero alternative", "Logistics and vitality"], "Diarienummer"),
    ],
)
def test_other_languages(api: Api, lang: str, expected: list[str], absent: str) -> None:
    a = rich_assessment(api)
    text = pdf_text(get_pdf(api, a["id"], lang=lang))
    for phrase in expected:
        assert phrase.lower() in text.lower(), phrase
    assert absent not in text


def test_language_from_accept_language_header(api: Api) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report", headers={"Accept-Language": "fi-FI, en;q=0.5"})
    assert r.status_code == 200
    assert "Diaarinumero" in pdf_text(r.content)
    r = api.get(f"/api/v1/assessments/{a['id']}/report", headers={"Accept-Language": "fi;q=0, en;q=0.3"})
    assert "Case number" in pdf_text(r.content), "q=0 refuses a language"


def test_bad_language_and_variant_are_422_problems(api: Api) -> None:
    a = api.create_assessment()
    for params in ({"lang": "de"}, {"variant": "pdf"}):
        r = api.get(f"/api/v1/assessments/{a['id']}/report", params=params)
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"


def test_other_municipality_gets_404(api: Api, client: object) -> None:
    a = api.create_assessment()
    other = Api.for_new_municipality(client, "049")
    r = other.get(f"/api/v1/assessments/{a['id']}/report")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_report_needs_a_token(client: object, api: Api) -> None:
    a = api.create_assessment()
    r = client.get(f"/api/v1/assessments/{a['id']}/report")  # type: ignore[attr-defined]
    assert r.status_code == 401


def test_openapi_declares_pdf_and_problems(client: object) -> None:
    spec = client.get("/openapi.json").json()  # type: ignore[attr-defined]
    op = spec["paths"]["/api/v1/assessments/{assessment_id}/report"]["get"]
    assert "application/pdf" in op["responses"]["200"]["content"]
    assert "application/problem+json" in op["responses"]["404"]["content"]
    params = {p["name"] for p in op["parameters"]}
    assert {"lang", "variant"} <= params
    assert "/api/v1/reports/portfolio" in spec["paths"]


def test_empty_assessment_renders(api: Api) -> None:
    a = api.create_assessment()
    text = pdf_text(get_pdf(api, a["id"]))
    assert "Inga negativa effekter identifierades." in text
    assert "Inga kunskapsluckor har registrerats." in text


def test_a_draft_is_scored_with_the_municipality_weights_as_in_the_api(api: Api, client: object) -> None:
    """The PDF scored drafts with every weight 1 while the API and the web used the municipality's, and
    kept its first rendering when the weights changed (they do not move the assessment's version)."""
    a = rich_assessment(api)
    before = pdf_text(get_pdf(api, a["id"]))
    assert "3,00" not in before
    admin = Api.for_new_municipality(client, "091", ("read", "write", "admin"))
    body = {"weights": {"perspectives": {"policy": 3}}}
    r = admin.patch("/api/v1/municipalities/091/settings", body, admin.municipality_etag("091"))
    assert r.status_code == 200, r.text
    summary = api.get(f"/api/v1/assessments/{a['id']}/summary").json()
    assert summary["weights"]["perspectives"] == {"policy": 3.0}
    after = pdf_text(get_pdf(api, a["id"]))
    assert "3,00" in after.split("Metod och vikter")[1], "the weights used are the ones stated"
    profile = summary["alternatives"][0]["profile"]["organisation"]
    assert f"{profile:+.1f}".replace(".", ",").replace("-", "−") in after, profile

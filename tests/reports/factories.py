"""Test data for the reports: a realistic assessment built through the real API, and PDF readers."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.support import Api

CASE = "KS 2026/118"
TITLE = "Industriområde vid Norra bangården med stickspår"
NEGATIVE_MITIGATION = "Bullerskydd längs spåret och nattstopp för växling"
GAP_NOTE = "Vi vet inte hur många åkerier som flyttar sin terminal"
SCREENED_OUT_REASON = "Beslutet berör ingen kommunsammanslagning"
EVIDENCE = "Företagsenkät Norra bangården 2026"
AFFECTED_GROUPS = "Boende på Spårvägen och Bangårdsgatan"


def rating(criterion: str, score: int | str, **extra: Any) -> dict[str, Any]:
    target = criterion.split(".")[1]
    body: dict[str, Any] = {"criterion_id": criterion, "target": target, "score": score}
    if score != 0:
        body["rationale"] = extra.pop("rationale", f"Motivering för {criterion}")
    if isinstance(score, int) and score < 0:
        body["mitigation"] = extra.pop("mitigation", f"Åtgärd för {criterion}")
    body.update(extra)
    return body


def screen(api: Api, assessment_id: str) -> None:
    items = [
        {"perspective_id": p, "relevant": True}
        for p in ("policy", "infrastructure", "procurement", "cross-sector", "rural-services")
    ]
    items += [{"perspective_id": p, "relevant": True} for p in ("green-economy", "logistics", "information")]
    items.append({"perspective_id": "mergers", "relevant": False, "reason": SCREENED_OUT_REASON})
    r = api.put(f"/api/v1/assessments/{assessment_id}/screening", {"items": items}, api.etag(assessment_id))
    assert r.status_code == 200, r.text


def rich_assessment(api: Api, case: str = CASE, title: str = TITLE, **texts: str) -> dict[str, Any]:
    """A decision with screening, proposal and zero ratings, a negative impact, a knowledge gap.

    ``texts`` override free-text fields (``rationale``, ``mitigation``, ``affected_groups``, ``evidence``)
    of the first rating, for the safety tests.
    """
    decision = api.create_decision(
        case, title=title, summary="Planen ger 12 hektar industrimark.", planned_date="2026-03-16"
    )
    r = api.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assert r.status_code == 201, r.text
    a = dict(r.json())
    screen(api, a["id"])
    first = rating(
        "policy.firms.business-climate",
        2,
        likelihood="likely",
        horizon="medium",
        certainty="medium",
        rationale=texts.get("rationale", "Företagen har efterfrågat mark med spåranslutning."),
        evidence=[texts.get("evidence", EVIDENCE)],
        affected_groups=texts.get("affected_groups", "Tillverkande företag och åkerier"),
    )
    if "mitigation" in texts:
        first["mitigation"] = texts["mitigation"]
    ratings = [
        first,
        rating("infrastructure.firms.establishment", 3, likelihood="certain", horizon="long", certainty="high"),
        rating("infrastructure.organisation.life-cycle-cost", -1, likelihood="likely", horizon="long"),
        rating(
            "logistics.residents.traffic-nuisance",
            -2,
            likelihood="likely",
            horizon="short",
            certainty="medium",
            mitigation=NEGATIVE_MITIGATION,
            affected_groups=AFFECTED_GROUPS,
        ),
        rating("logistics.firms.transport-costs", "unknown", rationale=GAP_NOTE),
        rating("policy.residents.employment", 1, likelihood="possible", horizon="medium", certainty="low"),
        rating("policy.firms.business-climate", 0, alternative="zero"),
        rating("logistics.residents.traffic-nuisance", -1, alternative="zero", likelihood="possible"),
    ]
    r = api.put_ratings(a["id"], ratings)
    assert r.status_code == 200, r.text
    return a


def pdf_text(pdf: bytes) -> str:
    """Text of every page, whitespace collapsed (line breaks in table cells split phrases)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def import_decision(
    code: str,
    case: str,
    planned: str | None,
    body: str = "Kommunstyrelsen",
    status: str = "approved",
    proposal: list[dict[str, Any]] | None = None,
    zero: list[dict[str, Any]] | None = None,
) -> str:
    """An assessed decision through :func:`app.assessments.documents.import_document` (the path of
    ``livskraft seed``); returns the assessment id."""
    from app.assessments.documents import import_document
    from app.assessments.schemas import AssessmentDocument
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.rubrics.registry import load_registry
    from app.settings import get_settings
    from tests.support import make_municipality

    m = make_municipality(code)
    doc = AssessmentDocument.model_validate(
        {
            "municipality": code,
            "decision": {
                "case_number": case,
                "title": f"Beslut {case}",
                "deciding_body": body,
                "planned_date": planned,
            },
            "rubric_id": "kuntaliitto-vitality",
            "rubric_version": "1.0.0",
            "status": status,
            "author": "Tiina Tjänsteperson",
            "reviewer": "Göran Granskare" if status == "approved" else "",
            "alternatives": [
                {"key": "proposal", "title": f"Förslag {case}", "ratings": proposal or []},
                {"key": "zero", "title": "Inget beslut", "ratings": zero or []},
            ],
        }
    )
    with unit_of_work() as s:
        a = import_document(s, system_actor(m.id, m.code, "test"), load_registry(get_settings().rubrics_dir), doc)
        return str(a.id)


def doc_rating(criterion: str, score: int | str, likelihood: str | None = "likely") -> dict[str, Any]:
    body = rating(criterion, score, likelihood=likelihood)
    body.pop("alternative", None)
    return body

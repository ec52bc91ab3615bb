"""Report use cases: the decision summary of one assessment and the portfolio of a municipality.

Services never commit; the caller's unit of work does (a cached PDF is stored in a savepoint of it).
A decision summary is cached under a content hash of everything that determines its bytes, so an
unchanged assessment is served from the cache without rendering.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import weasyprint
from sqlmodel import Session

from app import i18n
from app.assessments import service as assessments
from app.assessments import views
from app.assessments.documents import export_document
from app.assessments.models import Assessment, Decision
from app.errors import FieldProblem, NotFound, ValidationFailed
from app.municipalities.models import Municipality
from app.reports import repository as repo
from app.reports.branding import Brand, brand_for
from app.reports.context import decision_as_shown, summary_report
from app.reports.models import ReportCache
from app.reports.render import TEMPLATE_VERSION, Attachment, RenderJob, render, render_html
from app.rubrics.models import Rubric
from app.rubrics.registry import RubricRegistry

VARIANTS = ("ua", "a3")
Progress = Callable[[str, int, int], None]


def check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise ValidationFailed(
            "unsupported report language",
            errors=[FieldProblem("lang", f"'{lang[:20]}' is not one of {', '.join(i18n.LANGUAGES)}", "enum")],
        )
    return lang


def check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValidationFailed(
            "unsupported PDF variant",
            errors=[FieldProblem("variant", "use 'ua' (PDF/UA-1, accessible) or 'a3' (PDF/A-3, archival)", "enum")],
        )
    return variant


def cache_key(
    assessment: Assessment,
    decision: Decision,
    rubric: Rubric,
    brand: Brand,
    lang: str,
    variant: str,
    weights: Mapping[str, Any],
) -> str:
    """A hash of every input that reaches the PDF's bytes (``weights``: a draft is scored with the
    municipality's current ones, which change without the assessment's version). ``decision``: the
    decision as the PDF shows it (:func:`decision_as_shown`): its details as approved for an approved
    or superseded assessment, so a later change of the decision neither changes nor re-renders it."""
    parts = {
        "weights": weights,
        "kind": "assessment",
        "assessment": str(assessment.id),
        "lock_version": assessment.lock_version,
        "status": assessment.status,
        "review_date": str(assessment.review_date),
        "decision": [
            str(decision.id),
            decision.version,
            decision.case_number,
            decision.title,
            decision.summary,
            decision.deciding_body,
            str(decision.planned_date),
        ],
        "rubric": [rubric.id, rubric.version, rubric.content_hash],
        "template": TEMPLATE_VERSION,
        "weasyprint": weasyprint.__version__,
        "brand": brand.fingerprint,
        "lang": lang,
        "variant": variant,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _rows(session: Session, assessment: Assessment) -> tuple[Decision, Municipality]:
    decision = session.get(Decision, assessment.decision_id)
    municipality = session.get(Municipality, assessment.municipality_id)
    if decision is None or municipality is None:
        raise NotFound("the assessment's decision or municipality no longer exists")
    return decision, municipality


def assessment_data_json(session: Session, assessment: Assessment, municipality: Municipality) -> bytes:
    """The exchange document (the same shape ``livskraft seed`` imports), canonical so it is reproducible;
    its decision as the PDF shows it (:func:`decision_as_shown`)."""
    doc = export_document(session, assessment, municipality.code)
    decision, _ = _rows(session, assessment)
    shown = decision_as_shown(assessment, decision)
    doc["decision"].update(
        case_number=shown.case_number,
        title=shown.title,
        summary=shown.summary,
        deciding_body=shown.deciding_body,
        planned_date=shown.planned_date.isoformat() if shown.planned_date else None,
    )
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _summary_job(
    session: Session,
    assessment: Assessment,
    decision: Decision,
    municipality: Municipality,
    rubric: Rubric,
    brand: Brand,
    key: str,
    lang: str,
    variant: str,
) -> RenderJob:
    report = summary_report(session, rubric, assessment, decision, brand, lang)
    decision = decision_as_shown(assessment, decision)
    attachment = None
    if variant == "a3":
        attachment = Attachment(
            name="livskraft-assessment.json",
            data=assessment_data_json(session, assessment, municipality),
            mime="application/json",
            description=f"Livskraft assessment {decision.case_number} ({rubric.key})",
        )
    return RenderJob(
        html=render_html("summary.html", report, lang),
        variant="a3" if variant == "a3" else "ua",
        created=assessment.approved_at or assessment.updated_at,
        identifier=bytes.fromhex(key[:32]),
        resources=brand.resources,
        attachment=attachment,
    )


def assessment_pdf(
    session: Session, registry: RubricRegistry, assessment: Assessment, lang: str = "sv", variant: str = "ua"
) -> bytes:
    """The decision summary (pages 1–2) with its appendix; ``variant`` "ua" is PDF/UA-1, "a3" PDF/A-3
    with the assessment's JSON embedded. Served from the cache when nothing has changed."""
    check_lang(lang)
    check_variant(variant)
    rubric = assessments.rubric_of(registry, assessment)
    decision, municipality = _rows(session, assessment)
    brand = brand_for(municipality, lang)
    key = cache_key(
        assessment,
        decision_as_shown(assessment, decision),
        rubric,
        brand,
        lang,
        variant,
        views.weights_raw(session, assessment),
    )
    cached = repo.cached_pdf(session, key)
    if cached is not None:
        return cached
    pdf = render(_summary_job(session, assessment, decision, municipality, rubric, brand, key, lang, variant))
    repo.store_pdf(
        session,
        ReportCache(
            key=key,
            municipality_id=assessment.municipality_id,
            assessment_id=assessment.id,
            kind="assessment",
            lang=lang,
            variant=variant,
            size=len(pdf),
            content=pdf,
        ),
    )
    return pdf


def portfolio_pdf(
    session: Session,
    registry: RubricRegistry,
    municipality_id: uuid.UUID,
    date_from: date,
    date_to: date,
    deciding_body: str | None,
    lang: str,
    progress: Progress | None = None,
) -> bytes:
    """The portfolio of a municipality (or one deciding body) over a period, rendered in its own process.
    Refused with a clear message when the period holds more than ``settings.pdf_max_decisions``."""
    from app.reports import portfolio_service

    return portfolio_service.portfolio_pdf(
        session, registry, municipality_id, date_from, date_to, deciding_body, check_lang(lang), progress
    )

"""PDF downloads: an assessment's council report, and the portfolio of many decisions over a period.

Both are rendered by ``app.reports.service`` (imported lazily: it loads WeasyPrint); the web only
checks the form and names the file.
"""

from __future__ import annotations

import importlib
import unicodedata
from datetime import date
from types import ModuleType
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from app.assessments import repository as repo
from app.assessments.views import decision_as_shown
from app.errors import ServiceUnavailable, ValidationFailed
from app.i18n import LANGUAGES, normalise
from app.routing import Router
from app.text import plain
from app.web.deps import AssessmentDep, LangDep, LoginDep, RegistryDep, SessionDep, page
from app.web.forms import FieldErrors
from app.web.templating import t

router = Router(include_in_schema=False)
VARIANTS = ("ua", "a3")
COMMENTS_SUFFIX = {"sv": "kommentarer", "fi": "kommentit", "en": "comments"}
"""The Word copy's file name says what it is for in its own language."""


def _reports() -> ModuleType:
    try:
        return importlib.import_module("app.reports.service")
    except ImportError as exc:
        raise ServiceUnavailable("the PDF reports are not available on this server") from exc


def _pdf(content: bytes, filename: str, media_type: str = "application/pdf") -> Response:
    """The PDF (or another document) as a download named ``filename``: as typed in ``filename*`` (RFC 6266:
    a case number may hold Š or Ŋ), and in ASCII for ``filename`` (a header is Latin-1, and older clients
    read only it)."""
    decomposed = unicodedata.normalize("NFKD", filename)
    fallback = "".join(ch if ch.isascii() else "-" for ch in decomposed if not unicodedata.combining(ch))
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def _safe(text: str) -> str:
    """A case number as part of a file name: letters and digits of any script, the rest as dashes."""
    return "".join(ch if ch.isalnum() else "-" for ch in text)[:60]


@router.get("/assessments/{assessment_id}/report.pdf")
def report_pdf(
    session: SessionDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    lang: str = "sv",
    variant: str = "ua",
) -> Response:
    """The council's PDF: accessible PDF/UA by default, ``variant=a3`` for the archive (PDF/A-3)."""
    chosen, kind = normalise(lang), variant if variant in VARIANTS else "ua"
    pdf: bytes = _reports().assessment_pdf(session, registry, assessment, chosen, kind)
    decision = repo.get_decision(session, login.municipality.id, assessment.decision_id)
    # an approved or superseded version is named by its case number as approved, as its PDF shows it
    name = _safe(decision_as_shown(assessment, decision).case_number if decision else "assessment")
    # The language (and the archival variant) in the name: the Swedish and Finnish PDFs of one version
    # are different files, and a download of one must not replace the other.
    suffix = f"-{chosen}" + ("-a3" if kind == "a3" else "")
    return _pdf(pdf, f"livskraft-{name}-v{assessment.version_no}{suffix}.pdf")


@router.get("/assessments/{assessment_id}/report.docx")
def report_docx(
    session: SessionDep,
    login: LoginDep,
    registry: RegistryDep,
    assessment: AssessmentDep,
    lang: str = "sv",
) -> Response:
    """The decision summary as a Word document for colleagues' comments (``app/reports/word.py``)."""
    word = importlib.import_module("app.reports.word")
    chosen = normalise(lang)
    content: bytes = word.assessment_docx(session, registry, assessment, chosen)
    decision = repo.get_decision(session, login.municipality.id, assessment.decision_id)
    name = _safe(decision_as_shown(assessment, decision).case_number if decision else "assessment")
    suffix = COMMENTS_SUFFIX[chosen]
    return _pdf(content, f"livskraft-{name}-v{assessment.version_no}-{chosen}-{suffix}.docx", word.MEDIA_TYPE)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.get("/portfolio")
def portfolio(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    login: LoginDep,
    registry: RegistryDep,
    date_from: str = "",
    date_to: str = "",
    body: str = "",
    report_lang: str = "",
) -> Response:
    """The form for the portfolio PDF; with its fields filled in (GET: no state changes) the PDF."""
    body = plain(body)  # a NUL in a hand-edited link: PostgreSQL cannot compare text with one
    values = {"date_from": date_from, "date_to": date_to, "body": body, "report_lang": report_lang or lang}
    bodies = repo.deciding_bodies(session, login.municipality.id)
    errors = FieldErrors()
    if "date_from" in request.query_params:
        start, end = _date(date_from), _date(date_to)
        if start is None:
            errors.add("date_from", t(lang, "Enter a real date, for example 2026-12-14"))
        if end is None:
            errors.add("date_to", t(lang, "Enter a real date, for example 2026-12-14"))
        if start and end and end < start:
            errors.add("date_to", t(lang, "The end of the period must not be before its start"))
        if body and body not in bodies:  # a hand-edited or old link: never the whole municipality instead
            errors.add("body", t(lang, "Choose a decision-making body from the list"))
        if not errors and start and end:
            try:
                pdf: bytes = _reports().portfolio_pdf(
                    session,
                    registry,
                    login.municipality.id,
                    start,
                    end,
                    body or None,
                    report_lang if report_lang in LANGUAGES else lang,
                )
                chosen = report_lang if report_lang in LANGUAGES else lang
                return _pdf(pdf, f"livskraft-portfolio-{start}-{end}-{chosen}.pdf")
            except ValidationFailed:
                errors.add(
                    "date_from", t(lang, "The period holds too many decisions for one PDF; choose a shorter period")
                )
    status = 422 if errors else 200
    return page(
        request,
        lang,
        "portfolio.html",
        login,
        status,
        values=values,
        bodies=bodies,
        errors=errors.summary(),
        fe=errors.by_field,
    )

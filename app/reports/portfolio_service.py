"""The portfolio use case: count, refuse if too many, load in bulk, summarise, render in its own process."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlmodel import Session

from app.assessments import service as assessments
from app.assessments import views
from app.assessments.models import Alternative, Assessment, Decision, Rating, ScreeningAnswer
from app.errors import FieldProblem, InvalidState, NotFound, ValidationFailed
from app.municipalities.models import Municipality
from app.reports import labels
from app.reports import repository as repo
from app.reports.appendix import RubricText
from app.reports.branding import DocumentMeta, brand_for, w3c
from app.reports.portfolio import DecisionFacts, decision_facts
from app.reports.portfolio_build import build
from app.reports.render import TEMPLATE_VERSION, RenderJob, render, render_html
from app.rubrics.models import Rubric
from app.rubrics.registry import RubricRegistry
from app.settings import get_settings

Progress = Callable[[str, int, int], None]


def _too_many(found: int, limit: int) -> ValidationFailed:
    message = (
        f"the period holds {found} decisions; a portfolio report covers at most {limit}. "
        "Choose a shorter period or one deciding body, or split the period into parts."
    )
    return ValidationFailed(
        message,
        errors=[FieldProblem("from", message, "too_many_decisions"), FieldProblem("to", message, "too_many_decisions")],
        decisions=found,
        limit=limit,
    )


def _group(rows: Sequence[Any]) -> dict[uuid.UUID, list[Any]]:
    out: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        out.setdefault(row.assessment_id, []).append(row)
    return out


def _facts(
    session: Session,
    registry: RubricRegistry,
    pairs: Sequence[tuple[Decision, Assessment]],
    lang: str,
    progress: Progress | None,
    country: str,
) -> list[DecisionFacts]:
    """Summarise every assessment with the scoring model (``views.compute_summary``); rows are loaded in
    bulk, ratings as light rows that carry the same attributes as :class:`Rating`. ``country``: the
    municipality's, whose clock names the day an assessment without a planned date was created."""
    ids = [a.id for _, a in pairs]
    alternatives = _group(repo.alternatives_for_many(session, ids))
    screening = _group(repo.screening_for_many(session, ids))
    ratings = _group(repo.rating_rows_for_many(session, ids))
    texts: dict[str, RubricText] = {}
    facts = []
    for i, (decision, assessment) in enumerate(pairs):
        # The pinned rubric (with any pinned local extensions), built once per distinct pin.
        key = json.dumps([assessment.rubric_id, assessment.rubric_version, getattr(assessment, "extensions", None)])
        if key not in texts:
            try:
                texts[key] = RubricText(assessments.rubric_of(registry, assessment), lang)
            except InvalidState:  # its rubric version is not installed here: it cannot be scored
                continue
        text = texts[key]
        data = views.AssessmentData(
            assessment,
            cast(Sequence[Alternative], alternatives.get(assessment.id, [])),
            cast(Sequence[ScreeningAnswer], screening.get(assessment.id, [])),
            cast(Sequence[Rating], ratings.get(assessment.id, [])),
        )
        # scored as everywhere: with the weights frozen at approval, else the municipality's current ones
        summary = views.compute_summary(data, text.rubric, views.weights_for(session, assessment))
        facts.append(decision_facts(decision, assessment, data, summary, text, country))
        if progress and (i % 25 == 0 or i == len(pairs) - 1):
            progress("load", i + 1, len(pairs))
    return facts


def _meta(lang: str, scope: str, pairs: Sequence[tuple[Decision, Assessment]], date_to: date) -> DocumentMeta:
    """Fixed metadata: the newest change among the included assessments, never the time of rendering."""
    newest = max((a.updated_at for _, a in pairs), default=datetime.combine(date_to, time.min, tzinfo=UTC))
    heading = labels.t(lang, "Vitality impact portfolio")
    title = f"{heading}: {scope}"
    return DocumentMeta(title, lang, w3c(newest), scope)


def _identifier(
    municipality: Municipality, params: Sequence[object], pairs: Sequence[tuple[Decision, Assessment]]
) -> bytes:
    h = hashlib.sha256(repr((str(municipality.id), TEMPLATE_VERSION, *params)).encode())
    for d, a in pairs:
        h.update(f"{d.id}:{d.version}:{a.id}:{a.lock_version}".encode())
    return h.digest()[:16]


def portfolio_job(
    session: Session,
    registry: RubricRegistry,
    municipality_id: uuid.UUID,
    date_from: date,
    date_to: date,
    deciding_body: str | None,
    lang: str,
    progress: Progress | None = None,
) -> RenderJob:
    """Everything up to the render: count (refuse above the limit), load, summarise, build the HTML."""
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound("municipality not found")
    limit = get_settings().pdf_max_decisions
    found = repo.count_portfolio_decisions(session, municipality, date_from, date_to, deciding_body)
    if found > limit:
        raise _too_many(found, limit)
    pairs = repo.portfolio_assessments(session, municipality, date_from, date_to, deciding_body)
    if progress:
        progress("load", 0, len(pairs))
    facts = _facts(session, registry, pairs, lang, progress, municipality.country)
    newest: Rubric = registry.default()
    perspectives = [(p.id, p.title.get(lang)) for p in newest.perspectives]
    brand = brand_for(municipality, lang)
    scope = f"{brand.municipality} – {deciding_body}" if deciding_body else brand.municipality
    report = build(lang, _meta(lang, scope, pairs, date_to), brand, scope, facts, perspectives, date_from, date_to)
    return RenderJob(
        html=render_html("portfolio.html", report, lang),
        variant="ua",
        created=datetime.fromisoformat(report.meta.created.replace("Z", "+00:00")),
        identifier=_identifier(municipality, (date_from, date_to, deciding_body, lang), pairs),
        resources=brand.resources,
        figure_alts=(report.status_chart.alt, report.distribution.alt, report.cumulative.alt, report.trends.alt),
    )


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
    job = portfolio_job(session, registry, municipality_id, date_from, date_to, deciding_body, lang, progress)
    if progress:
        progress("render", 0, 1)
    pdf = render(job, isolated=True)
    if progress:
        progress("render", 1, 1)
    return pdf

"""The portfolio report as plain data: many decisions of one municipality (or one body) over a period.

Each decision contributes a small :class:`DecisionFacts` computed from its scoring summary (the same
:func:`app.assessments.views.compute_summary` as the decision summary); the report then aggregates the
facts. Only facts are kept per decision, so memory stays flat however many decisions there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from app.assessments.models import Assessment, Decision
from app.assessments.scoring import SIGNIFICANT, RatingInput, Summary, significance
from app.assessments.views import AssessmentData, counted_ratings
from app.municipalities.timezone import local_day
from app.reports import labels
from app.reports.appendix import RubricText
from app.reports.branding import Brand, DocumentMeta
from app.reports.context import Fact

DIRECTIONS = ("negative", "neutral", "positive", "unknown")
STATUS_ORDER = ("draft", "submitted", "approved")
MAX_QUARTERS = 40


@dataclass(frozen=True)
class DecisionFacts:
    day: date
    case_number: str
    title: str
    body: str
    status: str
    delta: dict[str, float | None]
    delta_overall: float | None
    counts: dict[tuple[str, str], Counter[str]]
    significant_negatives: int
    worst: str
    """The most significant negative impact of the proposal, in words ('' if none is significant)."""
    worst_significance: float


def direction(score: int | None) -> str:
    if score is None:
        return "unknown"
    return "negative" if score < 0 else ("positive" if score > 0 else "neutral")


def decision_facts(
    decision: Decision,
    assessment: Assessment,
    data: AssessmentData,
    summary: Summary,
    text: RubricText,
    country: str,
) -> DecisionFacts:
    """One decision's line of the portfolio. Its day: the planned date, else the day the assessment was
    created on the clock of the municipality, of ``country`` (``app/municipalities/timezone.py``)."""
    proposal = next((a for a in data.alternatives if a.key == "proposal"), None)
    counts: dict[tuple[str, str], Counter[str]] = {}
    counted = counted_ratings(data)  # none of a perspective screened out, as in the summary
    for r in counted:
        if proposal is not None and r.alternative_id == proposal.id:
            counts.setdefault((r.perspective_id, r.target), Counter())[direction(r.score)] += 1
    ranked = summary.alternatives["proposal"].negatives if "proposal" in summary.alternatives else []
    significant = [i for i in ranked if i.significance >= SIGNIFICANT]
    all_significant = sum(
        1
        for r in counted
        if proposal is not None
        and r.alternative_id == proposal.id
        and (r.score or 0) < 0
        and significance(
            RatingInput("proposal", r.perspective_id, r.criterion_id, r.target, r.score, likelihood=r.likelihood)
        )
        >= SIGNIFICANT
    )
    worst = ""
    if significant:
        top = significant[0].rating
        worst = f"{labels.score(top.score)} {text.criterion(top.criterion_id)} ({labels.target(text.lang, top.target)})"
    return DecisionFacts(
        day=decision.planned_date or local_day(assessment.created_at, country),
        case_number=decision.case_number,
        title=decision.title,
        body=decision.deciding_body,
        status=assessment.status,
        delta=dict(summary.delta_profile),
        delta_overall=summary.delta_overall,
        counts=counts,
        significant_negatives=all_significant,
        worst=worst,
        worst_significance=significant[0].significance if significant else 0.0,
    )


@dataclass(frozen=True)
class Row:
    label: str
    values: list[str]


@dataclass(frozen=True)
class Chart:
    svg: Markup
    alt: str
    caption: str
    headers: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class DecisionLine:
    day: str
    case_number: str
    title: str
    body: str
    status: str
    deltas: list[str]
    significant: int
    worst: str


@dataclass(frozen=True)
class PortfolioReport:
    lang: str
    meta: DocumentMeta
    brand: Brand
    scope: str
    period: str
    facts: list[Fact]
    status_chart: Chart
    distribution: Chart
    distribution_groups: list[str]
    significant: list[DecisionLine]
    cumulative: Chart
    trends: Chart
    decisions: list[DecisionLine]
    with_significant: int
    targets: list[str]


def quarter_key(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarters_between(start: date, end: date) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    y, q = quarter_key(start)
    last = quarter_key(end)
    while (y, q) <= last and len(out) < MAX_QUARTERS:
        out.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def quarter_label(lang: str, key: tuple[int, int]) -> str:
    return labels.t(lang, "%(year)s Q%(quarter)s") % {"year": key[0], "quarter": key[1]}

"""The portfolio report as plain data: many decisions of one municipality (or one body) over a period.

Each decision contributes a small :class:`DecisionFacts` computed from its scoring summary (the same
:func:`app.assessments.views.compute_summary` as the decision summary); the report then aggregates the
facts. Only facts are kept per decision, so memory stays flat however many decisions there are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from app.assessments.models import Assessment, Decision
from app.assessments.scoring import SIGNIFICANT, RatingInput, Summary, significance
from app.assessments.views import AssessmentData, counted_ratings, decision_as_shown, text_language_of
from app.municipalities.timezone import local_day
from app.reports import labels
from app.reports.appendix import RubricText
from app.reports.branding import Brand, DocumentMeta
from app.reports.context import Fact

DIRECTIONS = ("negative", "neutral", "positive", "unknown")
STATUS_ORDER = ("draft", "submitted", "approved")
QUARTERS_SHOWN = 16
"""A period of up to 16 quarters (a council's four-year term) shows its trends by quarter, a longer one by year."""
MAX_YEARS = 40


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
    screened_out: frozenset[str] = frozenset()
    """The perspectives the assessment screened out as not relevant to the decision."""
    text_language: str | None = None
    """The language the assessment's texts (the decision's title and body among them) are written in."""


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
    """One decision's line of the portfolio, with the decision as the assessment version shows it
    (``views.decision_as_shown``: an approved version its details as approved). Its day: that planned
    date, else the day the assessment version was created on the clock of the municipality, of
    ``country`` (``app/municipalities/timezone.py``)."""
    decision = decision_as_shown(assessment, decision)
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
        screened_out=frozenset(s.perspective_id for s in data.screening if not s.relevant),
        text_language=text_language_of(assessment),
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
class DistributionGroup:
    """One perspective of the distribution table: a row per target, and how many decisions screened it out."""

    title: str
    screened_out: int
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
    text_lang: str | None = None
    """The language of the title and body where it is stated and not the report's (``lang`` marks them)."""


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
    distribution_groups: list[DistributionGroup]
    significant: list[DecisionLine]
    cumulative: Chart
    trends: Chart
    decisions: list[DecisionLine]
    with_significant: int
    targets: list[str]


def quarter_key(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarters_between(start: date, end: date) -> list[tuple[int, int]]:
    """Every quarter from ``start``'s to ``end``'s; at most QUARTERS_SHOWN + 1 (enough to tell "too many")."""
    out: list[tuple[int, int]] = []
    y, q = quarter_key(start)
    last = quarter_key(end)
    while (y, q) <= last and len(out) <= QUARTERS_SHOWN:
        out.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def trend_keys(start: date, end: date, days: Sequence[date]) -> tuple[bool, list[tuple[int, int]]]:
    """The rows of the trends: ``(by_quarter, keys)``. Quarters while the period spans at most
    QUARTERS_SHOWN of them, else years (key ``(year, 0)``): every year of the period while there are at most
    MAX_YEARS, else only the years that hold decisions. Every decision of ``days`` falls in one row."""
    quarters = quarters_between(start, end)
    if len(quarters) <= QUARTERS_SHOWN:
        return True, quarters
    if end.year - start.year < MAX_YEARS:
        return False, [(y, 0) for y in range(start.year, end.year + 1)]
    return False, sorted({(d.year, 0) for d in days})


def trend_key(by_quarter: bool, day: date) -> tuple[int, int]:
    return quarter_key(day) if by_quarter else (day.year, 0)


def quarter_label(lang: str, key: tuple[int, int]) -> str:
    if key[1] == 0:  # a year
        return str(key[0])
    return labels.t(lang, "%(year)s Q%(quarter)s") % {"year": key[0], "quarter": key[1]}

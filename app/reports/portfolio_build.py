"""Aggregates the facts of many decisions into the portfolio report's charts and tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from app import i18n
from app.assessments.scoring import TARGET_ORDER
from app.reports import charts, labels
from app.reports.branding import Brand, DocumentMeta
from app.reports.context import Fact
from app.reports.portfolio import (
    DIRECTIONS,
    STATUS_ORDER,
    Chart,
    DecisionFacts,
    DecisionLine,
    DistributionGroup,
    PortfolioReport,
    Row,
    quarter_label,
    trend_key,
    trend_keys,
)

DIRECTION_WORDS = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive", "unknown": "Unknown"}
DIRECTION_FILLS = {"negative": "#8c2d04", "neutral": "#d9d9d9", "positive": "#4d9221", "unknown": "#ffffff"}
TARGET_FILLS = ("#3b3b3b", "#9a9a9a", "#ffffff")
BETTER = 0.25
MAX_SIGNIFICANT_LISTED = 25
"""The significant-negative table lists the worst decisions; all of them are marked in the full list."""


def _n(value: int, lang: str) -> str:
    return i18n.format_number(value, lang, 0)


def _status_chart(lang: str, facts: Sequence[DecisionFacts]) -> Chart:
    t = labels.t
    counts = Counter(f.status for f in facts)
    names = [labels.status(lang, s) for s in STATUS_ORDER]
    values = [[[float(counts.get(s, 0))]] for s in STATUS_ORDER]
    title = t(lang, "Assessments by status")
    alt = t(lang, "Bar chart of the number of assessments by status; the numbers follow in the table.")
    svg = charts.stacked_groups(alt, names, [""], [charts.Series(t(lang, "Assessments"), "#9a9a9a")], values)
    rows = [Row(name, [_n(counts.get(s, 0), lang)]) for name, s in zip(names, STATUS_ORDER, strict=True)]
    rows.append(Row(t(lang, "Total"), [_n(len(facts), lang)]))
    return Chart(svg, alt, title, [t(lang, "Status"), t(lang, "Assessments")], rows)


def _distribution(
    lang: str, facts: Sequence[DecisionFacts], perspectives: Sequence[tuple[str, str]]
) -> tuple[Chart, list[DistributionGroup]]:
    """The chart, and its table as one row per perspective and target (four counts each: thirteen columns
    broke the headers mid-word, and the Finnish ones without a hyphen); each perspective says how many
    decisions screened it out, so a perspective screened out is told apart from one nobody rated."""
    t = labels.t
    totals: dict[tuple[str, str], Counter[str]] = {}
    screened_out: Counter[str] = Counter()
    for f in facts:
        for key, counter in f.counts.items():
            totals.setdefault(key, Counter()).update(counter)
        screened_out.update(f.screened_out)
    words = [t(lang, DIRECTION_WORDS[d]) for d in DIRECTIONS]
    series = [charts.Series(w, DIRECTION_FILLS[d], d == "unknown") for w, d in zip(words, DIRECTIONS, strict=True)]
    initials = [labels.target(lang, tg) for tg in TARGET_ORDER]
    values = [
        [[float(totals.get((pid, tg), Counter())[d]) for d in DIRECTIONS] for tg in TARGET_ORDER]
        for pid, _ in perspectives
    ]
    alt = t(
        lang,
        "Bar chart of the rated impacts of the proposals per perspective and target: negative, neutral, "
        "positive and unknown; the numbers follow in the table.",
    )
    svg = charts.stacked_groups(alt, [title for _, title in perspectives], initials, series, values, totals=False)
    groups = [
        DistributionGroup(
            title,
            screened_out[pid],
            [Row(target, [_n(int(v), lang) for v in values[i][gi]]) for gi, target in enumerate(initials)],
        )
        for i, (pid, title) in enumerate(perspectives)
    ]
    headers = [t(lang, "Perspective"), t(lang, "Target"), *words]
    rows = [row for g in groups for row in g.rows]
    chart = Chart(svg, alt, t(lang, "Distribution of impacts per perspective and target"), headers, rows)
    return chart, groups


def _cumulative(lang: str, facts: Sequence[DecisionFacts]) -> Chart:
    t = labels.t
    rows, sums = [], []
    for target in (*TARGET_ORDER, None):
        known = [f.delta_overall if target is None else f.delta[target] for f in facts]
        deltas = [d for d in known if d is not None]
        total = sum(deltas) if deltas else None
        sums.append(total)
        mean = total / len(deltas) if deltas and total is not None else None
        rows.append(
            Row(
                t(lang, "Overall") if target is None else labels.target(lang, target),
                [
                    labels.signed(total, lang),
                    labels.signed(mean, lang, 2),
                    _n(sum(1 for d in deltas if d >= BETTER), lang),
                    _n(sum(1 for d in deltas if d <= -BETTER), lang),
                    _n(len(deltas), lang),
                ],
            )
        )
    alt = t(
        lang,
        "Bar chart of the cumulative difference between the proposals and their zero alternatives for each "
        "target; the numbers follow in the table.",
    )
    svg = charts.diverging(alt, [r.label for r in rows], sums, lambda v: labels.signed(v, lang))
    headers = [
        t(lang, "Target"),
        t(lang, "Sum of differences"),
        t(lang, "Mean difference"),
        t(lang, "Decisions better"),
        t(lang, "Decisions worse"),
        t(lang, "Decisions compared"),
    ]
    return Chart(svg, alt, t(lang, "Cumulative effect on each target"), headers, rows)


def _trends(lang: str, facts: Sequence[DecisionFacts], date_from: date, date_to: date) -> Chart:
    """Per quarter, or per year for a period longer than QUARTERS_SHOWN quarters: every decision lands in
    a row (a long period once lost every decision after its 40th quarter without a word)."""
    t = labels.t
    by_quarter, keys = trend_keys(date_from, date_to, [f.day for f in facts])
    by_key: dict[tuple[int, int], list[DecisionFacts]] = {k: [] for k in keys}
    for f in facts:
        by_key[trend_key(by_quarter, f.day)].append(f)
    means: list[list[float | None]] = []
    rows = []
    for key in keys:
        group = by_key[key]
        row_means: list[float | None] = []
        for target in TARGET_ORDER:
            deltas = [f.delta[target] for f in group if f.delta[target] is not None]
            row_means.append(sum(d for d in deltas if d is not None) / len(deltas) if deltas else None)
        means.append(row_means)
        rows.append(
            Row(
                quarter_label(lang, key),
                [
                    _n(len(group), lang),
                    _n(sum(1 for f in group if f.status == "approved"), lang),
                    _n(sum(1 for f in group if f.significant_negatives), lang),
                    *[labels.signed(m, lang, 2) for m in row_means],
                ],
            )
        )
    series = [charts.Series(labels.target(lang, tg), fill) for tg, fill in zip(TARGET_ORDER, TARGET_FILLS, strict=True)]
    if by_quarter:
        alt = t(
            lang,
            "Column chart of the mean difference from the zero alternative per quarter and target; the numbers "
            "follow in the table.",
        )
    else:
        alt = t(
            lang,
            "Column chart of the mean difference from the zero alternative per year and target; the numbers "
            "follow in the table.",
        )
    svg = charts.columns(alt, [r.label for r in rows], series, means, lambda v: labels.signed(v, lang))
    headers = [
        t(lang, "Quarter") if by_quarter else t(lang, "Year"),
        t(lang, "Decisions"),
        t(lang, "Approved (number)"),  # a count: "Godkända", not the status "Godkänd"
        t(lang, "With significant negative impacts"),
        *[labels.target(lang, tg) for tg in TARGET_ORDER],
    ]
    caption = t(lang, "Trends by quarter") if by_quarter else t(lang, "Trends by year")
    return Chart(svg, alt, caption, headers, rows)


def _line(lang: str, f: DecisionFacts) -> DecisionLine:
    return DecisionLine(
        day=i18n.format_date(f.day, lang, "short"),
        case_number=f.case_number,
        title=f.title,
        body=f.body,
        status=labels.status(lang, f.status),
        deltas=[labels.signed(f.delta[tg], lang) for tg in TARGET_ORDER],
        significant=f.significant_negatives,
        worst=f.worst,
        text_lang=f.text_language if f.text_language != lang else None,
    )


def _most_significant(lang: str, facts: Sequence[DecisionFacts]) -> list[DecisionLine]:
    worst = sorted(
        (f for f in facts if f.significant_negatives),
        key=lambda f: (-f.significant_negatives, -f.worst_significance, f.day, f.case_number),
    )
    return [_line(lang, f) for f in worst[:MAX_SIGNIFICANT_LISTED]]


def build(
    lang: str,
    meta: DocumentMeta,
    brand: Brand,
    scope: str,
    facts: Sequence[DecisionFacts],
    perspectives: Sequence[tuple[str, str]],
    date_from: date,
    date_to: date,
) -> PortfolioReport:
    t = labels.t
    # in date order whatever the database does with decisions without a planned date (SQLite sorts them
    # first, PostgreSQL last): their day is the one their assessment was created on
    facts = sorted(facts, key=lambda f: (f.day, f.case_number))
    distribution, groups = _distribution(lang, facts, perspectives)
    lines = [_line(lang, f) for f in facts]
    period = f"{labels.day(date_from, lang, None)} – {labels.day(date_to, lang, None)}"  # days: no zone needed
    with_significant = sum(1 for f in facts if f.significant_negatives)
    return PortfolioReport(
        lang=lang,
        meta=meta,
        brand=brand,
        scope=scope,
        period=period,
        facts=[
            Fact(t(lang, "Scope"), scope),
            Fact(t(lang, "Period"), period),
            Fact(t(lang, "Decisions"), _n(len(facts), lang)),
            Fact(t(lang, "With significant negative impacts"), _n(with_significant, lang)),
        ],
        status_chart=_status_chart(lang, facts),
        distribution=distribution,
        distribution_groups=groups,
        significant=_most_significant(lang, facts),
        cumulative=_cumulative(lang, facts),
        trends=_trends(lang, facts, date_from, date_to),
        decisions=lines,
        with_significant=with_significant,
        targets=[labels.target(lang, tg) for tg in TARGET_ORDER],
    )

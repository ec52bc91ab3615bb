"""The decision summary as plain data, built from ORM rows before anything is rendered.

Templates receive only these frozen dataclasses of strings and numbers: no ORM object, no session, no
lazy loading and no scoring logic reaches Jinja. Scoring is :mod:`app.assessments.scoring` through
:func:`app.assessments.views.compute_summary`; this module only arranges and words its results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from app import i18n
from app.assessments import views
from app.assessments.models import Assessment, Decision, Rating
from app.assessments.scoring import LIKELIHOOD_WEIGHTS, SIGNIFICANT, TARGET_ORDER, RankedImpact, Summary
from app.assessments.views import decision_as_shown as decision_as_shown  # re-exported: app/web/pages.py
from app.errors import NotFound
from app.i18n.people import person
from app.municipalities.models import Municipality
from app.reports import labels
from app.reports.appendix import AppendixAlternative, Method, RubricText, appendix, method
from app.reports.branding import Brand, DocumentMeta, w3c
from app.rubrics.models import Rubric

MAX_GAPS_ON_SUMMARY = 3
SYMBOL_CLASSES = {"++": "pp", "+": "p", "0": "z", "−": "n", "−−": "nn", "±": "mix", "?": "unk", "·": "none"}


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class ProfileRow:
    label: str
    values: list[str]
    delta: str
    verdict: str


@dataclass(frozen=True)
class AlternativeInfo:
    key: str
    kind: str
    title: str
    description: str
    worded: bool = False
    """The title is the placeholder worded in the report's language, not the author's text."""


@dataclass(frozen=True)
class MatrixCell:
    symbol: str
    words: str
    value: str
    delta: str
    css: str


@dataclass(frozen=True)
class MatrixRow:
    perspective: str
    relevant: bool
    cells: list[MatrixCell]


@dataclass(frozen=True)
class Impact:
    criterion: str
    perspective: str
    target: str
    score: str
    score_label: str
    likelihood: str
    horizon: str
    certainty: str
    rationale: str
    mitigation: str
    affected_groups: str


@dataclass(frozen=True)
class Gap:
    alternative: str
    criterion: str
    perspective: str
    target: str
    note: str


@dataclass(frozen=True)
class CertaintyInfo:
    uncertain_share: str
    effects: int
    unknown: int
    low: int
    unrated: int
    gaps: list[Gap]
    more_gaps: int
    sentence: str
    """How certain the proposal's rated effects are, in words (the PDF and the Word copy say the same)."""


@dataclass(frozen=True)
class ScreenedOut:
    perspective: str
    reason: str


@dataclass(frozen=True)
class SummaryReport:
    lang: str
    meta: DocumentMeta
    brand: Brand
    decision_title: str
    decision_summary: str
    status_id: str
    status: str
    facts: list[Fact]
    alternatives: list[AlternativeInfo]
    profile: list[ProfileRow]
    targets: list[str]
    matrix: list[MatrixRow]
    legend: list[Fact]
    negatives: list[Impact]
    positives: list[Impact]
    certainty: CertaintyInfo
    screened_out: list[ScreenedOut]
    screening_statement: str
    sources: list[str]
    appendix: list[AppendixAlternative]
    method: Method
    overall_note: str = ""
    """Under the profile table when the overall difference covers only some targets (which ones)."""
    unscreened: list[str] = field(default_factory=list)
    """Perspectives not screened yet (a draft's): counted as relevant, so not "all were considered"."""
    text_lang: str | None = None
    """The language of the assessment's texts where it is stated and not the report's (``lang`` marks
    them: hyphenation, the PDF's ``/Lang``, Word's ``w:lang``); None: they are in the report's language."""


def _verdict(lang: str, delta: float | None) -> str:
    if delta is None:
        return labels.t(lang, "Cannot be compared")
    if delta >= 0.25:
        return labels.t(lang, "Better than the zero alternative")
    if delta <= -0.25:
        return labels.t(lang, "Worse than the zero alternative")
    return labels.t(lang, "About the same")


def _profile(lang: str, summary: Summary, keys: Sequence[str]) -> list[ProfileRow]:
    rows = []
    for target in (*TARGET_ORDER, None):
        values = []
        for key in keys:
            s = summary.alternatives[key]
            values.append(labels.signed(s.overall if target is None else s.profile[target], lang))
        delta = summary.delta_overall if target is None else summary.delta_profile[target]
        label = labels.t(lang, "Overall") if target is None else labels.target(lang, target)
        rows.append(ProfileRow(label, values, labels.signed(delta, lang), _verdict(lang, delta)))
    return rows


def _overall_note(lang: str, summary: Summary) -> str:
    """Which targets the overall difference covers, when it is not all of them (docs/method.md)."""
    if not summary.delta_overall_partial:
        return ""
    names = ", ".join(labels.target(lang, tg) for tg in summary.delta_overall_targets)
    return labels.t(lang, "The overall difference covers only the targets rated in both alternatives: %(targets)s.") % {
        "targets": names
    }


def _matrix(lang: str, text: RubricText, summary: Summary, relevant: set[str]) -> list[MatrixRow]:
    proposal = summary.alternatives.get("proposal")
    rows = []
    for p in text.rubric.perspectives:
        cells: list[MatrixCell] = []
        if p.id not in relevant:
            rows.append(MatrixRow(p.title.get(lang), False, cells))
            continue
        for target in TARGET_ORDER:
            cell = proposal.cells.get((p.id, target)) if proposal else None
            sym = cell.symbol if cell else "·"
            delta = summary.delta_cells.get((p.id, target))
            cells.append(
                MatrixCell(
                    symbol=sym,
                    words=labels.symbol(lang, sym),
                    value=labels.signed(cell.mean, lang) if cell and cell.mean is not None else "",
                    delta=labels.signed(delta, lang) if delta is not None else "",
                    css=SYMBOL_CLASSES.get(sym, "none"),
                )
            )
        rows.append(MatrixRow(p.title.get(lang), p.id in relevant, cells))
    return rows


def _impact(lang: str, text: RubricText, item: RankedImpact) -> Impact:
    r = item.rating
    return Impact(
        criterion=text.criterion(r.criterion_id),
        perspective=text.perspective(r.perspective_id),
        target=labels.target(lang, r.target),
        score=labels.score(r.score),
        score_label=text.score_label(r.score),
        likelihood=text.step("likelihood", r.likelihood),
        horizon=text.step("horizon", r.horizon),
        certainty=text.step("certainty", r.certainty),
        rationale=r.rationale,
        mitigation=r.mitigation,
        affected_groups=r.affected_groups,
    )


def _certainty(lang: str, text: RubricText, data: views.AssessmentData, summary: Summary) -> CertaintyInfo:
    titles = {a.id: labels.alternative_title(lang, a.kind, a.title) for a in data.alternatives}
    position = {a.id: a.position for a in data.alternatives}
    unknown = sorted(  # knowledge gaps of the perspectives that count, as the summary's share of unknowns
        (r for r in views.counted_ratings(data) if r.score is None), key=lambda r: position.get(r.alternative_id, 99)
    )
    gaps = [
        Gap(
            alternative=titles.get(r.alternative_id, ""),
            criterion=text.criterion(r.criterion_id),
            perspective=text.perspective(r.perspective_id),
            target=labels.target(lang, r.target),
            note=r.rationale,
        )
        for r in unknown
    ]
    proposal = summary.alternatives.get("proposal")
    share = labels.percent(proposal.uncertain_share if proposal else None, lang)
    effects = proposal.effects if proposal else 0
    unknown_effects = proposal.unknown if proposal else 0
    low = proposal.low_certainty if proposal else 0
    return CertaintyInfo(
        uncertain_share=share,
        effects=effects,
        unknown=unknown_effects,
        low=low,
        unrated=len(proposal.unrated) if proposal else 0,
        gaps=gaps[:MAX_GAPS_ON_SUMMARY],
        more_gaps=max(0, len(gaps) - MAX_GAPS_ON_SUMMARY),
        sentence=_certainty_sentence(lang, share, effects, unknown_effects, low),
    )


def _certainty_sentence(lang: str, share: str, effects: int, unknown: int, low: int) -> str:
    """ "0 % of the 0 rated effects" said nothing, and one effect is not "effects": no rated effect is said
    so, one or more in the number's own form."""
    if effects == 0:
        return labels.t(lang, "No effect of the proposal has been rated yet.")
    return i18n.translations(lang).ngettext(
        "%(share)s of the proposal's %(n)s rated effect is unknown or rated with low certainty "
        "(%(unknown)s unknown, %(low)s low certainty).",
        "%(share)s of the proposal's %(n)s rated effects are unknown or rated with low certainty "
        "(%(unknown)s unknown, %(low)s low certainty).",
        effects,
    ) % {"share": share, "n": effects, "unknown": unknown, "low": low}


def _facts(lang: str, decision: Decision, assessment: Assessment, rubric: Rubric, country: str) -> list[Fact]:
    """``country``: the municipality's, whose clock names the day of a timestamp."""
    t = labels.t
    return [
        Fact(t(lang, "Case number"), decision.case_number),
        Fact(t(lang, "Deciding body"), decision.deciding_body),
        Fact(t(lang, "Date of decision"), labels.day(decision.planned_date, lang, country)),
        Fact(t(lang, "Status"), labels.status(lang, assessment.status)),
        Fact(t(lang, "Assessed by"), person(assessment.author_name, lang) or "–"),
        Fact(t(lang, "Reviewed by"), person(assessment.reviewer_name, lang) or "–"),
        Fact(t(lang, "Approved on"), labels.day(assessment.approved_at, lang, country)),
        Fact(t(lang, "Version"), str(assessment.version_no)),
        Fact(t(lang, "Follow-up review"), labels.day(assessment.review_date, lang, country)),
        Fact(t(lang, "Rubric"), f"{rubric.title.get(lang)} ({rubric.version})"),
    ]


def _alternatives(lang: str, data: views.AssessmentData) -> list[AlternativeInfo]:
    return [
        AlternativeInfo(
            a.key,
            labels.alternative_kind(lang, a.kind, a.key),
            labels.alternative_title(lang, a.kind, a.title),
            a.description,
            labels.placeholder_title(a.kind, a.title),
        )
        for a in data.alternatives
    ]


def _country(session: Session, assessment: Assessment) -> str:
    """The country of the assessment's municipality (already in the session when a PDF is built)."""
    municipality = session.get(Municipality, assessment.municipality_id)
    if municipality is None:
        raise NotFound("the assessment's municipality no longer exists")
    return municipality.country


def fixed_timestamp(assessment: Assessment) -> str:
    """The PDF's creation date: when the data last changed (approval, else the last edit)."""
    return w3c(assessment.approved_at or assessment.updated_at)


def summary_report(
    session: Session, rubric: Rubric, assessment: Assessment, decision: Decision, brand: Brand, lang: str
) -> SummaryReport:
    decision = decision_as_shown(assessment, decision)
    data = views.load(session, assessment)
    summary = views.compute_summary(data, rubric, views.weights_for(session, assessment))  # as the API and web
    text = RubricText(rubric, lang)
    relevant = set(views.relevant_perspectives(data, rubric))
    screened = {s.perspective_id for s in data.screening}
    keys = [a.key for a in data.alternatives]
    proposal = summary.alternatives.get("proposal")
    t = labels.t
    heading = t(lang, "Vitality impact assessment")
    title = f"{heading}: {decision.title}"
    return SummaryReport(
        lang=lang,
        meta=DocumentMeta(title, lang, fixed_timestamp(assessment), decision.case_number),
        brand=brand,
        decision_title=decision.title,
        decision_summary=decision.summary,
        status_id=assessment.status,
        status=labels.status(lang, assessment.status),
        facts=_facts(lang, decision, assessment, rubric, _country(session, assessment)),
        alternatives=_alternatives(lang, data),
        profile=_profile(lang, summary, keys),
        overall_note=_overall_note(lang, summary),
        targets=[labels.target(lang, tg) for tg in TARGET_ORDER],
        matrix=_matrix(lang, text, summary, relevant),
        legend=[Fact(sym, labels.symbol_help(lang, sym)) for sym in labels.SYMBOL_HELP],
        negatives=[_impact(lang, text, i) for i in proposal.negatives] if proposal else [],
        positives=[_impact(lang, text, i) for i in proposal.positives] if proposal else [],
        certainty=_certainty(lang, text, data, summary),
        screened_out=[
            ScreenedOut(text.perspective(s.perspective_id), s.reason)
            for s in sorted(data.screening, key=lambda s: text.order(s.perspective_id))
            if not s.relevant
        ],
        screening_statement=assessment.screening_statement,
        text_lang=views.text_lang_attr(assessment, lang),
        unscreened=[p.title.get(lang) for p in rubric.perspectives if p.id not in screened],
        sources=list(assessment.sources or []),
        appendix=appendix(
            text,
            data.alternatives,
            _sorted(text, data.ratings),
            {s.perspective_id for s in data.screening if not s.relevant},
        ),
        method=method(text, summary.weights, LIKELIHOOD_WEIGHTS, SIGNIFICANT),
    )


def _sorted(text: RubricText, ratings: Sequence[Rating]) -> list[Rating]:
    return sorted(ratings, key=lambda r: (text.order(r.perspective_id), text.order(r.criterion_id), r.target, r.effect))

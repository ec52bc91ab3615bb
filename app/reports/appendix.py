"""The appendix of the decision summary: every rating in full, the rubric and the method used.

Also :class:`RubricText`, the rubric's wording in the report's language (the assessment's pinned
rubric version, so an old assessment keeps the text it was made with).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from app import i18n
from app.assessments.models import Alternative, Rating
from app.assessments.scoring import TARGET_ORDER, Weights
from app.reports import labels
from app.rubrics.models import LOCAL_MARK, Rubric, ScaleStep


class RubricText:
    """Look-ups of perspective titles, criterion questions and scale labels in one language."""

    def __init__(self, rubric: Rubric, lang: str) -> None:
        self.rubric = rubric
        self.lang = lang
        self._order: dict[str, int] = {}
        for i, (p, c) in enumerate(rubric.criteria()):
            self._order.setdefault(p.id, i)
            self._order[c.id] = i

    def order(self, some_id: str) -> int:
        return self._order.get(some_id, len(self._order))

    def perspective(self, perspective_id: str) -> str:
        p = self.rubric.perspective(perspective_id)
        return p.title.get(self.lang) if p else perspective_id

    def criterion(self, criterion_id: str) -> str:
        found = self.rubric.criterion(criterion_id)
        if found is None:
            return criterion_id
        question = found[1].question.get(self.lang)
        return f"{question} ({LOCAL_MARK.get(self.lang)})" if found[1].local else question

    def score_label(self, value: int | None) -> str:
        if value is None:
            return self.rubric.scale.unknown.label.get(self.lang)
        step = next((s for s in self.rubric.scale.scores if s.value == value), None)
        return step.label.get(self.lang) if step else str(value)

    def step(self, scale: str, step_id: str | None) -> str:
        steps: Sequence[ScaleStep] = getattr(self.rubric.scale, scale)
        found = next((s for s in steps if s.id == step_id), None)
        return found.label.get(self.lang) if found else labels.t(self.lang, "not stated")


@dataclass(frozen=True)
class RatingEntry:
    criterion: str
    target: str
    effect: int
    score: str
    score_label: str
    likelihood: str
    horizon: str
    certainty: str
    rationale: str
    evidence: list[str]
    affected_groups: str
    affected_area: str
    mitigation: str


@dataclass(frozen=True)
class AppendixPerspective:
    title: str
    ratings: list[RatingEntry]
    screened_out: bool = False
    """Its ratings were kept from before the perspective was screened out: shown, never counted."""


@dataclass(frozen=True)
class AppendixAlternative:
    kind: str
    title: str
    description: str
    perspectives: list[AppendixPerspective]
    worded: bool = False
    """The title is the placeholder worded in the report's language, not the author's text."""


@dataclass(frozen=True)
class WeightRow:
    label: str
    value: str


@dataclass(frozen=True)
class Method:
    rubric_title: str
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    description: str
    perspective_weights: list[WeightRow]
    target_weights: list[WeightRow]
    likelihood_weights: list[WeightRow]
    significant: str


def _entry(text: RubricText, r: Rating) -> RatingEntry:
    lang = text.lang
    return RatingEntry(
        criterion=text.criterion(r.criterion_id),
        target=labels.target(lang, r.target),
        effect=r.effect,
        score=labels.score(r.score),
        score_label=text.score_label(r.score),
        likelihood=text.step("likelihood", r.likelihood),
        horizon=text.step("horizon", r.horizon),
        certainty=text.step("certainty", r.certainty),
        rationale=r.rationale,
        evidence=list(r.evidence or []),
        affected_groups=r.affected_groups,
        affected_area=r.affected_area,
        mitigation=r.mitigation,
    )


def appendix(
    text: RubricText,
    alternatives: Sequence[Alternative],
    ratings: Sequence[Rating],
    screened_out: Collection[str] = (),
) -> list[AppendixAlternative]:
    """Ratings grouped by alternative, then perspective in rubric order (``ratings`` already sorted).
    Every stored rating is listed; those of a perspective in ``screened_out`` are marked as not counted."""
    out = []
    for alt in alternatives:
        groups: dict[str, list[RatingEntry]] = {}
        for r in ratings:
            if r.alternative_id == alt.id:
                groups.setdefault(r.perspective_id, []).append(_entry(text, r))
        out.append(
            AppendixAlternative(
                kind=labels.unhyphenated(labels.alternative_kind(text.lang, alt.kind, alt.key)),  # a heading
                title=labels.alternative_title(text.lang, alt.kind, alt.title),
                description=alt.description,
                worded=labels.placeholder_title(alt.kind, alt.title),
                perspectives=[
                    AppendixPerspective(text.perspective(pid), entries, pid in screened_out)
                    for pid, entries in groups.items()
                ],
            )
        )
    return out


def _weight(value: float, lang: str) -> str:
    return i18n.format_number(value, lang, 2)


def method(text: RubricText, weights: Weights, likelihood: Mapping[str, float], significant: float) -> Method:
    lang, rubric = text.lang, text.rubric
    return Method(
        rubric_title=rubric.title.get(lang),
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.content_hash,
        description=rubric.description.get(lang),
        perspective_weights=[
            WeightRow(p.title.get(lang), _weight(weights.perspective(p.id), lang)) for p in rubric.perspectives
        ],
        target_weights=[WeightRow(labels.target(lang, t), _weight(weights.target(t), lang)) for t in TARGET_ORDER],
        likelihood_weights=[
            WeightRow(text.step("likelihood", step), _weight(w, lang)) for step, w in likelihood.items()
        ],
        significant=i18n.format_number(significant, lang, 1),
    )

"""A rubric in one language: the same structure with plain strings, for clients that render forms.

The files and the full model carry every text in sv, fi and en; most clients want one language. The
API returns this shape for ``?lang=sv|fi|en`` (or ``Accept-Language``) and the full model for
``?lang=all``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.rubrics.models import Criterion, Perspective, Rubric, Scale, ScaleStep, Target

Language = Literal["sv", "fi", "en"]


class LocalizedStep(BaseModel):
    id: str
    label: str
    description: str


class LocalizedScore(BaseModel):
    value: int
    label: str
    description: str


class LocalizedScale(BaseModel):
    scores: list[LocalizedScore]
    unknown: LocalizedStep
    likelihood: list[LocalizedStep]
    horizon: list[LocalizedStep]
    certainty: list[LocalizedStep]


class LocalizedCriterion(BaseModel):
    id: str
    target: Target
    question: str
    guidance: str
    evidence: str
    example_positive: str
    example_negative: str
    local: bool = Field(description="A criterion the municipality added in a local extension")


class LocalizedPerspective(BaseModel):
    id: str
    title: str
    purpose: str
    screening_question: str
    screening_guidance: str
    criteria: list[LocalizedCriterion]


class LocalizedRubric(BaseModel):
    id: str
    version: str
    content_hash: str
    lang: Language
    title: str
    description: str
    scale: LocalizedScale
    perspectives: list[LocalizedPerspective]


def _step(step: ScaleStep, lang: str) -> LocalizedStep:
    return LocalizedStep(id=step.id, label=step.label.get(lang), description=step.description.get(lang))


def _scale(scale: Scale, lang: str) -> LocalizedScale:
    return LocalizedScale(
        scores=[
            LocalizedScore(value=s.value, label=s.label.get(lang), description=s.description.get(lang))
            for s in scale.scores
        ],
        unknown=_step(scale.unknown, lang),
        likelihood=[_step(s, lang) for s in scale.likelihood],
        horizon=[_step(s, lang) for s in scale.horizon],
        certainty=[_step(s, lang) for s in scale.certainty],
    )


def _criterion(c: Criterion, lang: str) -> LocalizedCriterion:
    return LocalizedCriterion(
        id=c.id,
        target=c.target,
        question=c.question.get(lang),
        guidance=c.guidance.get(lang),
        evidence=c.evidence.get(lang),
        example_positive=c.example_positive.get(lang),
        example_negative=c.example_negative.get(lang),
        local=c.local,
    )


def _perspective(p: Perspective, lang: str) -> LocalizedPerspective:
    return LocalizedPerspective(
        id=p.id,
        title=p.title.get(lang),
        purpose=p.purpose.get(lang),
        screening_question=p.screening.question.get(lang),
        screening_guidance=p.screening.guidance.get(lang),
        criteria=[_criterion(c, lang) for c in p.criteria],
    )


def localize(rubric: Rubric, lang: Language) -> LocalizedRubric:
    return LocalizedRubric(
        id=rubric.id,
        version=rubric.version,
        content_hash=rubric.content_hash,
        lang=lang,
        title=rubric.title.get(lang),
        description=rubric.description.get(lang),
        scale=_scale(rubric.scale, lang),
        perspectives=[_perspective(p, lang) for p in rubric.perspectives],
    )

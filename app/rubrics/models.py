"""Rubric definitions as typed data.

A rubric is what an official reads while assessing: the nine perspectives of the Finnish association of
local authorities, each with a screening question and criteria per target, plus the scale definitions.
Rubric files in the top-level ``rubrics/`` folder are validated into these models at start-up; the JSON
Schema published at ``/api/v1/rubrics/schema`` is generated from them, so the file format and the
validation can never drift apart.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.text import CLEAN_TEXT

LANGUAGES: tuple[str, ...] = ("sv", "fi", "en")
"""Every user-facing text exists in these languages; Swedish is the default."""

PERSPECTIVE_IDS: tuple[str, ...] = (
    "policy",
    "infrastructure",
    "procurement",
    "cross-sector",
    "rural-services",
    "green-economy",
    "logistics",
    "information",
    "mergers",
)
"""The fixed perspective ids (PRODUCT.md); the API and stored ratings rely on them."""


class Target(StrEnum):
    """The three channels through which a decision affects vitality."""

    organisation = "organisation"
    firms = "firms"
    residents = "residents"


TARGETS: tuple[Target, ...] = tuple(Target)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=80)]
SemVer = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}\.[0-9]{1,6}\.[0-9]{1,6}$")]  # fits varchar(20)
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=CLEAN_TEXT)]


class Strict(BaseModel):
    """Rubric files are hand-written: an unknown key is far more likely a typo than an intent."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """One text in all three languages. A missing or empty language is a validation error."""

    sv: NonEmpty
    fi: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        """The text in ``lang``; Swedish for an unsupported language."""
        return str(getattr(self, lang if lang in LANGUAGES else "sv"))


class ScaleStep(Strict):
    """One step of an ordinal scale (likelihood, horizon, certainty)."""

    id: Slug
    label: Text
    description: Text


class ScoreStep(Strict):
    value: int = Field(ge=-3, le=3)
    label: Text
    description: Text


class Scale(Strict):
    """Scale definitions written so two officials rating the same decision pick the same step."""

    scores: list[ScoreStep] = Field(min_length=7, max_length=7)
    unknown: ScaleStep
    likelihood: list[ScaleStep] = Field(min_length=2)
    horizon: list[ScaleStep] = Field(min_length=2)
    certainty: list[ScaleStep] = Field(min_length=2)

    @field_validator("scores")
    @classmethod
    def _all_values(cls, v: list[ScoreStep]) -> list[ScoreStep]:
        if sorted(s.value for s in v) != list(range(-3, 4)):
            raise ValueError("scores must define each value from -3 to +3 exactly once")
        return sorted(v, key=lambda s: s.value)


class Criterion(Strict):
    """A concrete guiding question an official can answer for a real decision."""

    id: Slug
    target: Target
    question: Text
    guidance: Text
    evidence: Text
    example_positive: Text
    example_negative: Text
    local: bool = False
    """True for criteria a municipality added in an extension; shown marked as local."""


class Screening(Strict):
    question: Text
    guidance: Text


class Perspective(Strict):
    id: Slug
    title: Text
    purpose: Text
    screening: Screening
    criteria: list[Criterion] = Field(min_length=1)

    def criteria_for(self, target: Target | str) -> list[Criterion]:
        return [c for c in self.criteria if c.target == target]


class RubricHeader(Strict):
    """The head file of a rubric version (``rubric.yaml``); perspectives live in files of their own."""

    id: Slug
    version: SemVer
    title: Text
    description: Text
    scale: Scale
    perspectives: list[Slug] = Field(min_length=1)
    """Perspective ids in display order; each has a file ``perspectives/<id>.yaml``."""


class Rubric(Strict):
    """A complete rubric version, as pinned by assessments."""

    id: Slug
    version: SemVer
    title: Text
    description: Text
    scale: Scale
    perspectives: list[Perspective]
    content_hash: str = ""
    """sha256 of the canonical JSON of everything else; set by the loader."""

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        seen: set[str] = set()
        for p in self.perspectives:
            if p.id in seen:
                raise ValueError(f"duplicate perspective id {p.id!r}")
            seen.add(p.id)
        for p in self.perspectives:
            for c in p.criteria:
                if c.id in seen:
                    raise ValueError(f"duplicate criterion id {c.id!r} (ids must be unique in a rubric)")
                seen.add(c.id)
        return self

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def perspective(self, perspective_id: str) -> Perspective | None:
        return next((p for p in self.perspectives if p.id == perspective_id), None)

    def criterion(self, criterion_id: str) -> tuple[Perspective, Criterion] | None:
        for p in self.perspectives:
            for c in p.criteria:
                if c.id == criterion_id:
                    return p, c
        return None

    def criteria(self) -> list[tuple[Perspective, Criterion]]:
        return [(p, c) for p in self.perspectives for c in p.criteria]


class ExtensionCriterion(Criterion):
    local: bool = True
    perspective: Slug
    """The base rubric's perspective the criterion is appended to."""


class RubricExtension(Strict):
    """A municipality's own criteria added to a base rubric without forking it.

    Criterion ids start with the extension id and a dot (``<extension-id>.<slug>``), so they can never
    clash with the base rubric's ids (``<perspective>.<target>.<slug>``) or another extension's.
    """

    id: Slug
    version: SemVer
    municipality: Annotated[str, StringConstraints(pattern=r"^(\d{3}|\d{4})$")]
    base: Slug
    base_version: Annotated[str, StringConstraints(pattern=r"^(\d+\.\d+\.\d+|\d+\.x)$")]
    """An exact base version (``1.1.0``) or every version of one major (``1.x``)."""
    title: Text
    description: Text | None = None
    """What the extension is for, e.g. the business programme goal its criteria follow up."""
    criteria: list[ExtensionCriterion] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _namespaced_unique_ids(cls, v: list[ExtensionCriterion], info: ValidationInfo) -> list[ExtensionCriterion]:
        # an id that failed its own check is reported there; the criteria are not measured against it
        prefix = f"{info.data['id']}." if "id" in info.data else None
        seen: set[str] = set()
        for i, c in enumerate(v):
            if prefix is not None and not c.id.startswith(prefix):
                raise ValueError(f"criterion id {c.id!r} must start with the extension id: {prefix!r}")
            if c.id in seen:
                # located at the duplicate (criteria.<i>.id: its line in a file), not at the list: pydantic
                # prefixes the locations of a ValidationError raised here with the field's
                error = PydanticCustomError("duplicate", f"duplicate criterion id {c.id!r}")  # a slug: no braces
                raise ValidationError.from_exception_data(
                    cls.__name__, [InitErrorDetails(type=error, loc=(i, "id"), input=c.id)]
                )
            seen.add(c.id)
        return v

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def fits(self, rubric_id: str, version: str) -> bool:
        """Whether the extension applies to base rubric ``rubric_id@version``."""
        if rubric_id != self.base:
            return False
        if self.base_version.endswith(".x"):
            return version.split(".")[0] == self.base_version[:-2]
        return version == self.base_version


class ExtensionPin(Strict):
    """An extension version an assessment was made with; stored on the assessment, so the assessment
    keeps rendering with exactly these local criteria after newer extension versions appear."""

    id: Slug
    version: SemVer
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


class RemovedCriterion(Strict):
    """A criterion of the previous version that the new version drops."""

    id: Slug
    reason: Text
    see: list[Slug] = Field(default_factory=list)
    """Criteria of the new version that now cover the question. Ratings are not moved there
    automatically (the official decides); the carry-over report points to them."""


class RubricMigration(Strict):
    """How the criteria of the previous version map onto this one (``<version>/migration.yaml``).

    Every criterion id of ``from_version`` that this version no longer has must appear here exactly
    once: renamed (one old id to one new id), merged (several old ids to one id) or removed. Ids not
    listed keep their ratings as they are.
    """

    from_version: SemVer
    renamed: dict[Slug, Slug] = Field(default_factory=dict)
    merged: dict[Slug, Slug] = Field(default_factory=dict)
    removed: list[RemovedCriterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_old_id_once(self) -> RubricMigration:
        seen: set[str] = set()
        for old in [*self.renamed, *self.merged, *(r.id for r in self.removed)]:
            if old in seen:
                raise ValueError(f"criterion id {old!r} is listed more than once")
            seen.add(old)
        targets = list(self.renamed.values())
        if len(targets) != len(set(targets)):
            raise ValueError("two criteria are renamed to the same id; list them under 'merged'")
        return self


LOCAL_MARK = Text(sv="Lokalt kriterium", fi="Paikallinen kriteeri", en="Local criterion")
"""How a municipality's own criterion is marked beside the question in forms, summaries and PDFs."""


RubricKind = Literal["rubric", "perspective", "extension"]

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def semver_key(version: str) -> tuple[int, int, int]:
    m = _SEMVER.match(version)
    if not m:
        return (0, 0, 0)
    return (int(m[1]), int(m[2]), int(m[3]))

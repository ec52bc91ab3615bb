"""What the API (and the example files in ``assessments/``) exchange: Create / Update / Public models.

Input models forbid unknown fields, so a typo is a 422 that names the field, not silently ignored.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.rubrics.models import ExtensionPin, Target
from app.text import CLEAN_TEXT

Likelihood = Literal["unlikely", "possible", "likely", "certain"]
Horizon = Literal["short", "medium", "long"]
Certainty = Literal["low", "medium", "high"]
Outcome = Literal["better", "as_predicted", "worse", "unknown"]
StatusName = Literal["draft", "submitted", "approved", "superseded"]
TextLanguage = Literal["sv", "fi", "en"]
TEXT_LANGUAGE = (
    "The language the assessment's texts (alternatives, rationales, statement, sources, comments) are "
    "written in: `sv`, `fi` or `en`. Pages, PDFs and Word copies mark the texts with it, so they are "
    "hyphenated, spell-checked and read aloud in that language. null: not stated (the texts are shown in "
    "the language of the page or report)."
)

# Control characters other than tab/newline never belong in user text (NUL breaks PostgreSQL).
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=CLEAN_TEXT)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=CLEAN_TEXT)]
BodyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=CLEAN_TEXT)]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=CLEAN_TEXT)]
# One citation: a register, a statistic, a survey or a consultation the assessment rests on.
SourceText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=CLEAN_TEXT)]
MAX_SOURCES = 50
MAX_EFFECT = 5
"""A criterion may carry several effects on one target (a decision can help one group and harm another)."""
# Case numbers are identifiers shown in lists and PDFs: no control characters and no bidirectional
# overrides (U+202A–U+202E, U+2066–U+2069), which could make one case number look like another.
CaseNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+$"
    ),
]
ExtensionRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*@\d+\.\d+\.\d+$")]
AltKey = Annotated[str, StringConstraints(pattern=r"^(proposal|zero|option-[1-9][0-9]?)$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=120)]
Score = Annotated[int, Field(ge=-3, le=3)]


T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed", "this field cannot be removed: send a value, or leave the field out to keep it"
        )
    return value


def _not_nullable_schema(schema: dict[str, Any]) -> None:
    """The JSON Schema of a :data:`NotNull` field: its value's schema alone (null is refused), no default."""
    schema.pop("default", None)
    branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


NotNull = Annotated[T | None, BeforeValidator(_refuse_null), Field(json_schema_extra=_not_nullable_schema)]
"""A field of a change (PATCH) that may be left out but not sent as null: null would remove a value the
resource cannot be without, so it is a 422 naming the field (code ``null_not_allowed``). Left out, the
attribute is None (read the changes with ``model_dump(exclude_unset=True)``)."""


EARLIEST_DATE = date(2000, 1, 1)
"""No decision date or follow-up review date before this one: an earlier one is a typing mistake."""
DECISION_YEARS_AHEAD, REVIEW_YEARS_AHEAD = 10, 20
"""How far ahead of today a planned decision date and a follow-up review date may be."""


def _years_ahead(years: int) -> date:
    today = date.today()
    return today.replace(year=today.year + years, day=28 if (today.month, today.day) == (2, 29) else today.day)


def _within(years: int) -> Any:
    def check(value: date) -> date:
        if value < EARLIEST_DATE:
            raise PydanticCustomError(
                "date_too_early", "use a date from {earliest} on", {"earliest": EARLIEST_DATE.isoformat()}
            )
        latest = _years_ahead(years)
        if value > latest:
            raise PydanticCustomError(
                "date_too_late",
                "use a date at most {years} years from today (until {latest})",
                {"years": years, "latest": latest.isoformat()},
            )
        return value

    return AfterValidator(check)


DecisionDate = Annotated[date, _within(DECISION_YEARS_AHEAD)]
"""A planned decision date: from 2000-01-01 to ten years from today (code ``date_too_early``/``_late``)."""
ReviewDate = Annotated[date, _within(REVIEW_YEARS_AHEAD)]
"""A follow-up review date: from 2000-01-01 to twenty years from today."""


class UnknownScore(StrEnum):
    """The score of a knowledge gap: the impact cannot be judged with what is known."""

    unknown = "unknown"


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- decisions -------------------------------------------------------------------------------


class DecisionBase(Input):
    case_number: CaseNumber = Field(description="The municipality's own case number (diarienummer / diaarinumero)")
    title: Title
    summary: LongText = ""
    deciding_body: BodyName = Field(description="e.g. kommunstyrelsen / kunnanhallitus")
    planned_date: DecisionDate | None = None


class DecisionCreate(DecisionBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_number": "KS 2026/118",
                    "title": "Detaljplan för industriområde vid Norra bangården med järnvägsspår",
                    "summary": "Planen möjliggör 12 hektar industrimark med ett stickspår till stambanan.",
                    "deciding_body": "Kommunstyrelsen",
                    "planned_date": "2026-12-14",
                }
            ]
        },
    )


class DecisionUpdate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Detaljplan för Norra bangården, etapp 1", "planned_date": "2027-01-25"}]
        },
    )
    case_number: NotNull[CaseNumber] = None
    title: NotNull[Title] = None
    summary: NotNull[LongText] = Field(default=None, description="Send an empty string to clear it")
    deciding_body: NotNull[BodyName] = None
    planned_date: DecisionDate | None = Field(default=None, description="null removes the date")


class DecisionPublic(BaseModel):
    id: uuid.UUID
    municipality: str
    case_number: str
    title: str
    summary: str
    deciding_body: str
    planned_date: date | None
    source: dict[str, Any] | None = None
    version: int
    created_at: datetime
    updated_at: datetime


# --- assessments -----------------------------------------------------------------------------


class AssessmentCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"zero_description": "Marken förblir åkermark; företagen söker mark i grannkommunen."}]
        },
    )
    rubric_id: Slug | None = Field(default=None, description="Default: the newest rubric")
    rubric_version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")] | None = None
    proposal_title: ShortText = ""
    proposal_description: LongText = ""
    zero_description: LongText = ""
    extensions: list[ExtensionRef] | None = Field(
        default=None,
        max_length=20,
        description="Local rubric extensions to pin, as `id@version`. Default: the newest version of each "
        "of the municipality's extensions that fits the rubric; `[]`: none.",
    )
    sources: list[SourceText] = Field(
        default_factory=list,
        max_length=MAX_SOURCES,
        description="Citations the assessment rests on (registers, statistics, surveys, consultations)",
    )
    text_language: TextLanguage | None = Field(default=None, description=TEXT_LANGUAGE)


class TextLanguageUpdate(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text_language": "sv"}]})
    text_language: TextLanguage | None = Field(description=TEXT_LANGUAGE + " Required: send null to unset it.")


class ScreeningItem(Input):
    perspective_id: Slug
    relevant: StrictBool
    reason: LongText = Field(default="", description="Required when the perspective is not relevant")


class ScreeningUpdate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"perspective_id": "logistics", "relevant": True},
                        {
                            "perspective_id": "mergers",
                            "relevant": False,
                            "reason": "Ingen kommunsammanslagning berörs.",
                        },
                    ],
                    "statement": "",
                }
            ]
        },
    )
    items: list[ScreeningItem] = Field(max_length=50)
    statement: LongText = Field(default="", description="Required when no perspective is relevant")
    sources: NotNull[Annotated[list[SourceText], Field(max_length=MAX_SOURCES)]] = Field(
        default=None,
        description="Citations the assessment rests on, replacing the current list; omitted: unchanged; "
        "`[]` clears it (null is refused, as in every change)",
    )


class AlternativeCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Etapp 1 utan stickspår", "description": "Samma plan men utan järnvägsanslutning."}]
        },
    )
    title: Title
    description: LongText = ""


class AlternativeUpdate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"description": "Samma plan men utan järnvägsanslutning; godset går på väg 8."}]
        },
    )
    title: NotNull[Title] = None
    description: NotNull[LongText] = Field(default=None, description="Send an empty string to clear it")


class AlternativePublic(BaseModel):
    id: uuid.UUID
    key: str
    kind: Literal["proposal", "zero", "option"]
    title: str
    description: str


class RatingIn(Input):
    """One effect of one criterion on one target for one alternative."""

    alternative: AltKey = "proposal"
    criterion_id: Slug
    target: Target
    effect: int = Field(
        default=1, ge=1, le=MAX_EFFECT, strict=True, description="A criterion may carry several effects, 1..5"
    )
    score: Score | UnknownScore = Field(description="−3..+3, or 'unknown' for a knowledge gap")
    likelihood: Likelihood | None = None
    horizon: Horizon | None = None
    certainty: Certainty | None = None
    rationale: LongText = ""
    evidence: list[Annotated[str, StringConstraints(max_length=2000, pattern=CLEAN_TEXT)]] = Field(
        default_factory=list, max_length=30
    )
    mitigation: LongText = ""
    affected_groups: LongText = ""
    affected_area: ShortText = ""

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, v: Any) -> Any:
        """One clear error for a score that is neither (not one per member of the union): a JSON integer
        or the string ``"unknown"``, strictly as the schema says — ``true``, ``2.0`` and ``"2"`` are
        refused (a client that sends them has a bug the API should not hide)."""
        if v != "unknown" and (isinstance(v, bool) or not isinstance(v, int) or not -3 <= v <= 3):
            raise PydanticCustomError(
                "score_invalid", "score must be a JSON integer from -3 to 3 or the string 'unknown'"
            )
        return v


class RatingsUpdate(Input):
    ratings: list[RatingIn] = Field(max_length=2000)
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ratings": [
                        {
                            "alternative": "proposal",
                            "criterion_id": "policy.firms.business-climate",
                            "target": "firms",
                            "score": 2,
                            "likelihood": "likely",
                            "horizon": "medium",
                            "certainty": "medium",
                            "rationale": "Företagen har efterfrågat mark med spåranslutning.",
                            "evidence": ["Företagsenkät 2026"],
                        }
                    ]
                }
            ]
        },
    )


class RatingPublic(BaseModel):
    id: uuid.UUID
    alternative: str
    perspective_id: str
    criterion_id: str
    target: str
    effect: int
    score: int | UnknownScore
    likelihood: str | None
    horizon: str | None
    certainty: str | None
    rationale: str
    evidence: list[str]
    mitigation: str
    affected_groups: str
    affected_area: str
    updated_at: datetime
    counted: bool = Field(
        description="False while the rating's perspective is screened out as not relevant: the rating is kept "
        "(it counts again once the perspective is marked relevant) but counts nowhere — not in the summary, "
        "the reports, the portfolio or the check before submitting"
    )


class ScreeningPublic(BaseModel):
    perspective_id: str
    relevant: bool
    reason: str


class ReviewEntryPublic(BaseModel):
    action: str
    actor: str
    comment: str
    created_at: datetime


class DecisionAsApprovedPublic(BaseModel):
    """The decision's details as they were when this version of the assessment was approved."""

    case_number: str
    title: str
    summary: str
    deciding_body: str
    planned_date: date | None
    version: int = Field(description="The decision's version (its ETag's number) when it was approved")


DECISION_AS_APPROVED = (
    "The decision's details as approved with this version: set at approval and never changed after, "
    "while `GET /decisions/{id}` shows the decision as it is now (it may be changed again for a new draft "
    "version). Its PDF and pages show these details. Null for a draft or submitted assessment."
)


class AssessmentPublic(BaseModel):
    id: uuid.UUID
    decision_id: uuid.UUID
    municipality: str
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    extensions: list[ExtensionPin] = Field(
        default_factory=list, description="Local rubric extensions pinned with the rubric (criteria marked local)"
    )
    status: StatusName
    version_no: int
    previous_id: uuid.UUID | None
    superseded_by: uuid.UUID | None = Field(
        default=None,
        description="The approved version that replaced this one (status `superseded`); null for any other status",
    )
    author: str | None
    reviewer: str | None
    screening: list[ScreeningPublic]
    screening_statement: str
    sources: list[str] = Field(default_factory=list, description="Citations the assessment rests on")
    text_language: TextLanguage | None = Field(default=None, description=TEXT_LANGUAGE)
    alternatives: list[AlternativePublic]
    submitted_at: datetime | None
    approved_at: datetime | None
    review_date: date | None
    review: list[ReviewEntryPublic]
    decision_as_approved: DecisionAsApprovedPublic | None = Field(description=DECISION_AS_APPROVED)
    etag: str
    created_at: datetime
    updated_at: datetime


class AssessmentListItem(BaseModel):
    """A row of the assessment list: enough to choose one, cheap to produce."""

    id: uuid.UUID
    decision_id: uuid.UUID
    case_number: str
    title: str
    deciding_body: str
    planned_date: date | None
    status: StatusName
    version_no: int
    rubric_id: str
    rubric_version: str
    significant_negative: bool
    author: str | None
    reviewer: str | None
    approved_at: datetime | None
    updated_at: datetime
    etag: str


class ReviewAction(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"comment": "Komplettera nollalternativet med trafikprognosen."}]},
    )
    comment: LongText = ""


def _review_date_not_null(value: Any) -> Any:
    if value is None:  # as every change refuses null for a value the resource cannot be without
        raise PydanticCustomError("null_not_allowed", "the review date cannot be removed: send a date")
    return value


class ReviewDateUpdate(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"review_date": "2028-06-30"}]})
    review_date: Annotated[ReviewDate, BeforeValidator(_review_date_not_null)]


class FollowUpCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rating_id": "7f1c2a9e-3b1d-4c55-9a0e-2f4b8d6c1e10",
                    "outcome": "as_predicted",
                    "note": "Tre åkerier har flyttat in.",
                }
            ]
        },
    )
    rating_id: uuid.UUID
    outcome: Outcome
    note: LongText = ""


class FollowUpPublic(BaseModel):
    id: uuid.UUID
    rating_id: uuid.UUID
    outcome: Outcome
    note: str
    recorded_by: str
    recorded_at: datetime


# --- summary -----------------------------------------------------------------------------------


class CellPublic(BaseModel):
    perspective_id: str
    target: str
    mean: float | None
    symbol: str
    effects: int
    unknown: int
    mixed: bool


class ImpactPublic(BaseModel):
    alternative: str
    perspective_id: str
    criterion_id: str
    target: str
    effect: int
    score: int
    likelihood: str | None
    horizon: str | None
    significance: float
    mitigation: str
    rationale: str


class AlternativeSummaryPublic(BaseModel):
    key: str
    title: str
    cells: list[CellPublic]
    profile: dict[str, float | None]
    overall: float | None
    most_negative: list[ImpactPublic]
    most_positive: list[ImpactPublic]
    uncertain_share: float | None
    effects: int
    unknown: int
    unrated: list[dict[str, str]]


class SummaryPublic(BaseModel):
    assessment_id: uuid.UUID
    rubric: str
    alternatives: list[AlternativeSummaryPublic]
    delta: dict[str, Any] = Field(description="proposal − zero alternative: per target and per cell")
    weights: dict[str, dict[str, float]]


# --- the exchange document (examples in assessments/, import/export) ---------------------------


class DocFollowUp(Input):
    outcome: Outcome
    note: LongText = ""


class DocRating(Input):
    criterion_id: Slug
    target: Target
    effect: int = Field(default=1, ge=1, le=MAX_EFFECT)
    score: Score | UnknownScore
    likelihood: Likelihood | None = None
    horizon: Horizon | None = None
    certainty: Certainty | None = None
    rationale: LongText = ""
    evidence: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(default_factory=list)
    mitigation: LongText = ""
    affected_groups: LongText = ""
    affected_area: ShortText = ""
    follow_up: DocFollowUp | None = None


class DocAlternative(Input):
    key: AltKey
    title: Title
    description: LongText = ""
    ratings: list[DocRating] = Field(default_factory=list)


class DocDecision(DecisionBase):
    source: dict[str, Any] | None = None


class AssessmentDocument(Input):
    """One decision with one assessment, as a single file: the examples in ``assessments/`` use it."""

    format: Literal["livskraft.assessment/1"] = "livskraft.assessment/1"
    municipality: Annotated[str, StringConstraints(pattern=r"^(\d{3}|\d{4})$")]
    decision: DocDecision
    rubric_id: Slug
    rubric_version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    extensions: list[ExtensionRef] = Field(
        default_factory=list, max_length=20, description="Local rubric extensions the assessment pins (id@version)"
    )
    status: Literal["draft", "submitted", "approved"] = "draft"
    author: ShortText = ""
    reviewer: ShortText = ""
    review_date: ReviewDate | None = None
    submitted_at: datetime | None = Field(default=None, description="When it was submitted (default: import time)")
    approved_at: datetime | None = Field(default=None, description="When it was approved (default: import time)")
    sources: list[SourceText] = Field(
        default_factory=list, max_length=MAX_SOURCES, description="Citations for the facts used"
    )
    text_language: TextLanguage | None = Field(default=None, description=TEXT_LANGUAGE)
    screening: list[ScreeningItem] = Field(default_factory=list)
    screening_statement: LongText = ""
    alternatives: list[DocAlternative] = Field(min_length=2)
    review: list[ReviewAction] = Field(default_factory=list)

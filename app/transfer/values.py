"""The values of an export's rows, checked against the rules the domain writes them by.

:mod:`app.transfer.export` checks each row's columns, types, lengths and references (what the database
itself would refuse). This module checks what only the domain knows: a score is −3…+3 or unknown (null),
a status, likelihood, horizon, certainty, target, outcome or role is one of the domain's values, text
is as long and as clean as the API and the web let it be (``app/assessments/schemas.py``,
``app/text.py``), an assessment's state agrees with its timestamps and its decision snapshot (the
decision's details as approved: an object of six known keys when approved or superseded, else null),
and — with the rubric registry — a rating names a criterion of its assessment's pinned rubric (and
extensions) with that criterion's perspective and target. Each table's row rules are a pydantic model
mirroring the table's SQLModel with the domain's types; a row's problems are named
``tables.<table>.<row index>.<column>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError

from app.assessments.models import Status
from app.assessments.schemas import Certainty, Horizon, Likelihood, Outcome, Score
from app.auth.models import Role
from app.errors import FieldProblem, InvalidState
from app.rubrics.extensions import merge
from app.rubrics.loader import extension_hash
from app.rubrics.models import Rubric, RubricExtension, Target
from app.rubrics.registry import RubricRegistry
from app.text import CLEAN_TEXT, REFUSED_TEXT, refusal

Clean = Annotated[str, StringConstraints(pattern=CLEAN_TEXT)]
Long = Annotated[str, StringConstraints(max_length=20_000, pattern=CLEAN_TEXT)]
Named = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=CLEAN_TEXT)]
Short = Annotated[str, StringConstraints(max_length=300, pattern=CLEAN_TEXT)]
CaseNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+$")
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$", max_length=120)]
Weight = Annotated[float, Field(ge=0, le=10)]


class _Row(BaseModel):
    """A row's domain values; the columns it does not name were checked by type alone."""

    model_config = ConfigDict(extra="ignore")


class _Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    perspectives: dict[str, Weight] = Field(default_factory=dict)
    targets: dict[Target, Weight] = Field(default_factory=dict)


class _Settings(BaseModel):
    model_config = ConfigDict(extra="allow")  # branding and later settings: checked where they are used
    weights: _Weights | None = None


class MunicipalityValues(_Row):
    country: Literal["FI", "SE"]
    name: Named
    settings: _Settings = Field(default_factory=_Settings)
    audit_seq: int = Field(default=0, ge=0)


class UserValues(_Row):
    email: Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    name: Named
    role: Role
    locale: Literal["sv", "fi", "en"] = "sv"


class DecisionValues(_Row):
    case_number: CaseNumber
    title: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=CLEAN_TEXT)]
    summary: Long = ""
    deciding_body: Named
    version: int = Field(default=1, ge=1)


def _iso_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("must be a date as YYYY-MM-DD, or null") from exc
    return value


class _DecisionSnapshot(BaseModel):
    """``assessment.decision_snapshot``: the decision's details as approved (``review.decision_snapshot``),
    exactly its six keys with the values the decision itself may hold (:class:`DecisionValues`)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    case_number: CaseNumber
    title: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=CLEAN_TEXT)]
    summary: Long
    deciding_body: Named
    planned_date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_iso_date)] | None
    version: Annotated[int, Strict(), Field(ge=1)]


SNAPSHOT_KEYS = tuple(_DecisionSnapshot.model_fields)


class AssessmentValues(_Row):
    status: Status = Status.draft
    version_no: int = Field(default=1, ge=1)
    lock_version: int = Field(default=1, ge=1)
    author_name: Annotated[str, StringConstraints(max_length=200, pattern=CLEAN_TEXT)] = ""
    reviewer_name: Annotated[str, StringConstraints(max_length=200, pattern=CLEAN_TEXT)] = ""
    screening_statement: Long = ""
    sources: list[Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=CLEAN_TEXT)]] | None = Field(
        default=None, max_length=50
    )
    text_language: Literal["sv", "fi", "en"] | None = None
    weights: _Weights | None = None
    decision_snapshot: _DecisionSnapshot | None = None
    submitted_at: datetime | None = None
    approved_at: datetime | None = None


class ScreeningValues(_Row):
    perspective_id: Slug
    reason: Long = ""


class AlternativeValues(_Row):
    key: Annotated[str, StringConstraints(pattern=r"^(proposal|zero|option-[1-9][0-9]?)$")]
    kind: Literal["proposal", "zero", "option"]
    title: Short
    description: Long = ""
    position: int | None = Field(default=None, ge=0)


class RatingValues(_Row):
    perspective_id: Slug
    criterion_id: Slug
    target: Target
    effect: int = Field(default=1, ge=1, le=5)
    score: Score | None = Field(default=None, description="−3…+3; null is unknown (a knowledge gap)")
    likelihood: Likelihood | None = None
    horizon: Horizon | None = None
    certainty: Certainty | None = None
    rationale: Long = ""
    evidence: list[Annotated[str, StringConstraints(max_length=2000, pattern=CLEAN_TEXT)]] = Field(
        default_factory=list, max_length=30
    )
    mitigation: Long = ""
    affected_groups: Long = ""
    affected_area: Short = ""


class ReviewEntryValues(_Row):
    action: Literal["submitted", "returned", "approved"]
    actor: Named
    comment: Long = ""


class FollowUpValues(_Row):
    outcome: Outcome
    note: Long = ""
    recorded_by: Named


class ExtensionValues(_Row):
    extension_id: Slug
    content: RubricExtension
    content_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    created_by: Annotated[str, StringConstraints(max_length=200, pattern=CLEAN_TEXT)] = ""


MODELS: Mapping[str, type[_Row]] = {
    "municipality": MunicipalityValues,
    "user": UserValues,
    "rubric_extension": ExtensionValues,
    "decision": DecisionValues,
    "assessment": AssessmentValues,
    "screening_answer": ScreeningValues,
    "alternative": AlternativeValues,
    "rating": RatingValues,
    "review_entry": ReviewEntryValues,
    "follow_up": FollowUpValues,
}
"""Every table but ``audit_event``, whose rows ``livskraft audit verify`` checks by their hash chain."""

_MESSAGES = {
    "missing": "missing",
    "extra_forbidden": "unknown key",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "less_than_equal": "must be at most {le}",
    "greater_than_equal": "must be at least {ge}",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
    "string_pattern_mismatch": REFUSED_TEXT,
    "string_too_long": "is longer than {max_length} characters",
    "string_too_short": "must not be empty",
    "too_long": "has more than {max_length} items",
}


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"])
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if refused := refusal(error):
        return refused
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(error["msg"])


def row_problems(name: str, row: Mapping[str, Any], where: str) -> list[FieldProblem]:
    """The problems of one row's values (``where``: ``tables.rating.0``); empty when it is valid."""
    model = MODELS.get(name)
    if model is None:
        return []
    try:
        model.model_validate(dict(row))
    except ValidationError as exc:
        return [
            FieldProblem(".".join([where, *(str(p) for p in e["loc"])]), _message(e), e["type"]) for e in exc.errors()
        ]
    problems: list[FieldProblem] = []
    if name == "alternative" and row.get("key") is not None:
        kind = "option" if str(row["key"]).startswith("option-") else row["key"]
        if row.get("kind") != kind:
            problems.append(
                FieldProblem(f"{where}.kind", f"an alternative with key {row['key']!r} is of kind {kind!r}")
            )
    if name == "assessment":
        problems += _state_problems(row, where)
    return problems


def _state_problems(row: Mapping[str, Any], where: str) -> list[FieldProblem]:
    """An assessment's status agrees with what the review records on it (app/assessments/review.py)."""
    status, problems = row.get("status"), []
    if status in (Status.approved, Status.superseded):
        if row.get("approved_at") is None:
            problems.append(FieldProblem(f"{where}.approved_at", f"a {status} assessment has an approval time"))
        if not str(row.get("reviewer_name") or "").strip():
            problems.append(FieldProblem(f"{where}.reviewer_name", f"a {status} assessment names its reviewer"))
        if "decision_snapshot" in row and not row["decision_snapshot"]:  # absent: taken from the decision
            problems.append(
                FieldProblem(
                    f"{where}.decision_snapshot",
                    f"the assessment is {status}: it keeps the decision's details as approved, an object with "
                    + ", ".join(SNAPSHOT_KEYS),
                    "missing",
                )
            )
    else:
        if row.get("approved_at") is not None:
            problems.append(FieldProblem(f"{where}.approved_at", f"a {status} assessment has not been approved"))
        if row.get("decision_snapshot") is not None:
            problems.append(
                FieldProblem(
                    f"{where}.decision_snapshot",
                    f"a {status} assessment has not been approved: it keeps no decision details (null)",
                )
            )
    if status == Status.submitted and row.get("submitted_at") is None:
        problems.append(FieldProblem(f"{where}.submitted_at", "a submitted assessment has a submission time"))
    return problems


def relation_problems(rows: Mapping[str, list[dict[str, Any]]]) -> list[FieldProblem]:
    """Rows that refer to a row of *another* assessment: a rating's alternative, a follow-up's rating; a
    new version of an assessment of another decision than the version it was copied from; assessments
    whose earlier versions lead back to them; and audit events of a person who is not among the export's
    users (the import creates the municipality, so it has no other users)."""
    problems: list[FieldProblem] = []
    alt_of = {r["id"]: r["assessment_id"] for r in rows.get("alternative", [])}
    rating_of = {r["id"]: r["assessment_id"] for r in rows.get("rating", [])}
    for i, r in enumerate(rows.get("rating", [])):
        if alt_of.get(r["alternative_id"], r["assessment_id"]) != r["assessment_id"]:
            problems.append(
                FieldProblem(f"tables.rating.{i}.alternative_id", "is an alternative of another assessment")
            )
    for i, r in enumerate(rows.get("follow_up", [])):
        if rating_of.get(r["rating_id"], r["assessment_id"]) != r["assessment_id"]:
            problems.append(FieldProblem(f"tables.follow_up.{i}.rating_id", "is a rating of another assessment"))
    decision_of = {r["id"]: r["decision_id"] for r in rows.get("assessment", [])}
    for i, r in enumerate(rows.get("assessment", [])):
        if decision_of.get(r.get("previous_id"), r["decision_id"]) != r["decision_id"]:
            problems.append(
                FieldProblem(
                    f"tables.assessment.{i}.previous_id",
                    "is an assessment of another decision: a new version assesses the decision of the version "
                    "it was copied from",
                )
            )
    problems.extend(_version_cycles(rows.get("assessment", [])))
    users = {r["id"] for r in rows.get("user", [])}
    for i, r in enumerate(rows.get("audit_event", [])):
        if r.get("actor_user_id") is not None and r["actor_user_id"] not in users:
            problems.append(
                FieldProblem(
                    f"tables.audit_event.{i}.actor_user_id",
                    f"refers to user {r['actor_user_id']}, which is not in the export",
                )
            )
    return problems


def _version_cycles(assessments: list[dict[str, Any]]) -> list[FieldProblem]:
    """Assessments whose chain of earlier versions (``previous_id``) comes back to them: no order of
    inserts satisfies the foreign key, and no version can be the first."""
    previous = {r["id"]: r.get("previous_id") for r in assessments}
    problems = []
    for i, r in enumerate(assessments):
        seen = {r["id"]}
        step = previous.get(r["id"])
        while step is not None and step not in seen:
            seen.add(step)
            step = previous.get(step)
        if step == r["id"]:
            problems.append(FieldProblem(f"tables.assessment.{i}.previous_id", "its earlier versions lead back to it"))
    return problems


def earlier_versions_first(assessments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The assessments in the order they can be inserted in: each after the version it was copied from
    (``previous_id``, a foreign key to the same table), otherwise as in the file. An export lists them by
    id, so a new version whose id sorts first came before its previous one and failed the foreign key.
    Cycles are refused before (:func:`relation_problems`)."""
    by_id = {r["id"]: r for r in assessments}
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    for row in assessments:
        chain = []
        step: dict[str, Any] | None = row
        while step is not None and step["id"] not in placed:
            chain.append(step)
            placed.add(step["id"])
            step = by_id.get(step.get("previous_id"))
        ordered.extend(reversed(chain))
    return ordered


def fill_decision_snapshots(rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """An approved or superseded assessment of an export made before ``decision_snapshot`` existed (the
    key absent, not null) keeps its decision's details as they are in the export, as migration 0013
    kept those of the assessments it found (and as ``review.approve`` takes them). Call after the
    references are checked: each assessment's decision is in ``rows``."""
    decisions = {d["id"]: d for d in rows.get("decision", [])}
    for a in rows.get("assessment", []):
        if a.get("status") in (Status.approved, Status.superseded) and "decision_snapshot" not in a:
            d = decisions[a["decision_id"]]
            planned = d.get("planned_date")
            a["decision_snapshot"] = {
                "case_number": d["case_number"],
                "title": d["title"],
                "summary": d.get("summary") or "",
                "deciding_body": d["deciding_body"],
                "planned_date": planned.isoformat() if planned is not None else None,
                "version": d.get("version") or 1,
            }


def _extension(
    registry: RubricRegistry, exported: Mapping[tuple[str, str, str], RubricExtension], pin: Mapping[str, Any]
) -> RubricExtension | None:
    key = (str(pin.get("id")), str(pin.get("version")), str(pin.get("content_hash")))
    for ext in registry.extensions:
        if (ext.id, ext.version) == key[:2] and extension_hash(ext) == key[2]:
            return ext
    return exported.get(key)


def rubric_problems(rows: Mapping[str, list[dict[str, Any]]], registry: RubricRegistry) -> list[FieldProblem]:
    """Each assessment's pinned rubric (and extensions) is installed here or in the export, and its
    screening and ratings name that rubric's perspectives and criteria, with the criterion's target."""
    problems: list[FieldProblem] = []
    exported: dict[tuple[str, str, str], RubricExtension] = {}
    for i, r in enumerate(rows.get("rubric_extension", [])):
        ext = RubricExtension.model_validate(r["content"])
        if extension_hash(ext) != r["content_hash"]:
            problems.append(FieldProblem(f"tables.rubric_extension.{i}.content_hash", "does not match the content"))
        exported[(ext.id, ext.version, r["content_hash"])] = ext
    rubrics: dict[uuid.UUID, Rubric] = {}
    for i, a in enumerate(rows.get("assessment", [])):
        base = registry.get(a["rubric_id"], a["rubric_version"])
        if base is None:
            problems.append(
                FieldProblem(
                    f"tables.assessment.{i}.rubric_version",
                    f"rubric {a['rubric_id']}@{a['rubric_version']} is not installed on this server",
                )
            )
            continue
        pins = a.get("extensions") or []
        found = [_extension(registry, exported, p) if isinstance(p, Mapping) else None for p in pins]
        missing = [n for n, ext in enumerate(found) if ext is None]
        for n in missing:
            problems.append(
                FieldProblem(f"tables.assessment.{i}.extensions.{n}", "the pinned extension is not in the export")
            )
        if missing:
            continue
        try:
            rubrics[a["id"]] = merge(base, [e for e in found if e is not None])
        except InvalidState as exc:
            problems.append(FieldProblem(f"tables.assessment.{i}.extensions", exc.detail))
    for i, s in enumerate(rows.get("screening_answer", [])):
        rubric = rubrics.get(s["assessment_id"])
        if rubric is not None and rubric.perspective(s["perspective_id"]) is None:
            problems.append(
                FieldProblem(
                    f"tables.screening_answer.{i}.perspective_id",
                    f"perspective {s['perspective_id']!r} does not exist in rubric {rubric.key}",
                )
            )
    for i, r in enumerate(rows.get("rating", [])):
        rubric = rubrics.get(r["assessment_id"])
        if rubric is None:
            continue
        found_criterion = rubric.criterion(r["criterion_id"])
        where = f"tables.rating.{i}"
        if found_criterion is None:
            problems.append(
                FieldProblem(
                    f"{where}.criterion_id", f"criterion {r['criterion_id']!r} does not exist in rubric {rubric.key}"
                )
            )
            continue
        perspective, criterion = found_criterion
        if r["perspective_id"] != perspective.id:
            problems.append(
                FieldProblem(f"{where}.perspective_id", f"the criterion's perspective is {perspective.id!r}")
            )
        if r["target"] != criterion.target.value:
            problems.append(FieldProblem(f"{where}.target", f"the criterion's target is {criterion.target.value!r}"))
    return problems

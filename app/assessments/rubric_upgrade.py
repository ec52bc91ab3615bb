"""Carry a draft's answers over to a newer rubric version (and the municipality's current extensions).

Ratings of criteria that the new version keeps stay as they are; ratings of renamed criteria move to
the new id; ratings of merged criteria become effects of the criterion they were merged into (each
keeps its own effect number where it is free). Ratings of removed criteria are never dropped silently:
they are returned in the report with their full content and recorded in the audit event, so the
official can re-rate them where the migration map points (``see``). Only drafts move, and only from
the version the official saw (If-Match). :func:`plan_upgrade` tells what a move would do without making
it (the web's preview), :func:`newer_version` whether there is a newer version to move to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.assessments import repository as repo
from app.assessments.models import Assessment, Rating, Status
from app.assessments.schemas import MAX_EFFECT
from app.assessments.service import begin_edit, refresh_flags, rubric_of
from app.audit import service as audit
from app.auth.actor import Actor
from app.errors import FieldProblem, InvalidState, ValidationFailed
from app.rubrics import extensions
from app.rubrics.diff import CRITERION_TEXTS
from app.rubrics.migration import Mapped
from app.rubrics.models import ExtensionPin, Rubric, Target, Text, semver_key
from app.rubrics.registry import RubricRegistry


class RubricPin(BaseModel):
    rubric_id: str
    version: str
    content_hash: str
    extensions: list[ExtensionPin]


class CarriedRating(BaseModel):
    rating_id: uuid.UUID
    alternative: str
    criterion_id: str
    target: Target
    effect: int
    reworded: bool = Field(description="The criterion's wording changed: check that the rating still fits")


class RenamedRating(BaseModel):
    rating_id: uuid.UUID
    alternative: str
    fate: Literal["renamed", "merged"]
    old_criterion_id: str
    criterion_id: str
    perspective_id: str
    target: Target
    old_effect: int
    effect: int


class RemovedRating(BaseModel):
    """A rating whose criterion the new version no longer has, in full, so nothing is lost."""

    alternative: str
    perspective_id: str
    criterion_id: str
    local: bool
    question: Text
    target: Target
    effect: int
    score: int | Literal["unknown"]
    likelihood: str | None
    horizon: str | None
    certainty: str | None
    rationale: str
    evidence: list[str]
    mitigation: str
    affected_groups: str
    affected_area: str
    reason: Text | None = Field(description="Why the criterion was removed (from the migration map)")
    see: list[str] = Field(description="Criteria of the new version that now cover the question")


class UpgradeReport(BaseModel):
    previous: RubricPin
    current: RubricPin
    carried: list[CarriedRating]
    renamed: list[RenamedRating]
    removed: list[RemovedRating]
    new_criteria: list[str] = Field(description="Criteria of the new version the draft has not met before")


class TooManyEffects(ValidationFailed):
    """The draft's ratings do not fit the new version: merging would give a criterion more effects of one
    alternative than a rating carries. ``full``: each such (criterion id of the new version, target), for
    a message in the reader's language (the API sends ``errors``, as for any ``ValidationFailed``)."""

    def __init__(self, detail: str, *, errors: list[FieldProblem], full: list[tuple[str, str]]) -> None:
        super().__init__(detail, errors=errors)
        self.full = full


@dataclass
class _Move:
    rating: Rating
    mapped: Mapped
    perspective_id: str
    effect: int = 0


@dataclass
class UpgradePlan:
    """What moving a draft to another rubric version would do, computed without writing anything: the
    report the official reads, the rubrics before and after (extensions merged), and the moves
    :func:`upgrade_rubric` applies."""

    report: UpgradeReport
    old_rubric: Rubric
    new_rubric: Rubric
    target: Rubric
    pins: list[ExtensionPin]
    moves: list[_Move]


@dataclass
class _Prepared:
    """The checked target of an upgrade, before the draft's ratings are read."""

    target: Rubric
    pins: list[ExtensionPin]
    old_rubric: Rubric
    new_rubric: Rubric
    mapping: dict[str, Mapped]
    previous: RubricPin


def newer_version(registry: RubricRegistry, assessment: Assessment) -> str | None:
    """The newest installed version of the assessment's rubric that is newer than the one it uses, or
    None (see :func:`upgrade_offer` for the same version with newer local extensions)."""
    own = semver_key(assessment.rubric_version)
    newer = [r.version for r in registry.versions(assessment.rubric_id) if semver_key(r.version) > own]
    return newer[-1] if newer else None


def upgrade_offer(session: Session, registry: RubricRegistry, actor: Actor, assessment: Assessment) -> str | None:
    """The version a draft can move to: the newest newer version of its rubric; else its own version when
    the municipality's local extensions that fit it are not the ones the draft pins (a newer version of
    an extension published, one added or withdrawn: ``upgrade_rubric`` to the same version takes them);
    else None."""
    newer = newer_version(registry, assessment)
    if newer is not None:
        return newer
    own = registry.get(assessment.rubric_id, assessment.rubric_version)
    if own is None:
        return None
    current = extensions.pins_for_new(session, registry, actor, own, None)
    return own.version if current != extensions.pins_of(assessment) else None


def plan_upgrade(
    session: Session, actor: Actor, registry: RubricRegistry, assessment: Assessment, to_version: str
) -> UpgradePlan:
    """What :func:`upgrade_rubric` would do, read only (no version claimed, nothing moved, nothing
    audited): the same checks and errors — ``InvalidState`` for a draft no longer or already on
    ``to_version``, ``ValidationFailed`` for an unknown or older version or too many effects."""
    return _planned(session, assessment, _prepare(session, actor, registry, assessment, to_version))


def upgrade_rubric(
    session: Session,
    actor: Actor,
    registry: RubricRegistry,
    assessment: Assessment,
    to_version: str,
    expected: int,
) -> UpgradeReport:
    prepared = _prepare(session, actor, registry, assessment, to_version)
    # the version is claimed before the ratings are read, so they are the ones of the version moved
    begin_edit(session, assessment, expected)
    plan = _planned(session, assessment, prepared)
    report, target = plan.report, plan.target
    _apply(session, plan.moves)
    assessment.rubric_version, assessment.rubric_hash = target.version, target.content_hash
    assessment.extensions = extensions.stored_pins(plan.pins)
    session.add(assessment)
    session.flush()
    refresh_flags(session, assessment)
    audit.record(
        session,
        actor,
        "assessment.rubric_upgraded",
        "assessment",
        assessment.id,
        {"rubric": report.previous.model_dump(mode="json")},
        {
            "rubric": report.current.model_dump(mode="json"),
            "carried": len(report.carried),
            "renamed": [r.model_dump(mode="json") for r in report.renamed],
            "removed": [r.model_dump(mode="json") for r in report.removed],
        },
    )
    return report


def _prepare(
    session: Session, actor: Actor, registry: RubricRegistry, assessment: Assessment, to_version: str
) -> _Prepared:
    actor.require("write")
    if assessment.status != Status.draft:
        raise InvalidState(f"the assessment is {assessment.status}: only a draft moves to another rubric version")
    target = _target_version(registry, assessment, to_version)
    pins = extensions.pins_for_new(session, registry, actor, target, None)
    old_pins = extensions.pins_of(assessment)
    if target.version == assessment.rubric_version and pins == old_pins:
        raise InvalidState(f"the assessment already uses {target.key} with the current local extensions")
    old_rubric = rubric_of(registry, assessment)
    new_rubric = extensions.merged_rubric(registry, session, assessment.municipality_id, target, pins)
    mapping = _mapping(registry, old_rubric, new_rubric)
    return _Prepared(target, pins, old_rubric, new_rubric, mapping, _pin(assessment, old_pins))


def _planned(session: Session, assessment: Assessment, prepared: _Prepared) -> UpgradePlan:
    """Each rating's fate and the report of them (reads the draft's alternatives and ratings only)."""
    target, old_rubric, new_rubric = prepared.target, prepared.old_rubric, prepared.new_rubric
    alt_keys = {a.id: a.key for a in repo.alternatives_for(session, assessment.id)}
    ratings = repo.ratings_for(session, assessment.id)
    report = UpgradeReport(
        previous=prepared.previous,
        current=RubricPin(
            rubric_id=target.id, version=target.version, content_hash=target.content_hash, extensions=prepared.pins
        ),
        carried=[],
        renamed=[],
        removed=[],
        new_criteria=[c.id for _, c in new_rubric.criteria() if old_rubric.criterion(c.id) is None],
    )
    moves = _plan(ratings, prepared.mapping, old_rubric, new_rubric)
    for move in moves:
        _report(report, move, alt_keys, old_rubric, new_rubric)
    return UpgradePlan(report, old_rubric, new_rubric, target, prepared.pins, moves)


def _target_version(registry: RubricRegistry, assessment: Assessment, to_version: str) -> Rubric:
    target = registry.get(assessment.rubric_id, to_version)
    if target is None:
        raise ValidationFailed(
            "unknown rubric version",
            errors=[FieldProblem("to_version", f"{assessment.rubric_id}@{to_version} is not installed", "unknown")],
        )
    if semver_key(to_version) < semver_key(assessment.rubric_version):
        raise ValidationFailed(
            "a draft only moves to a newer rubric version",
            errors=[FieldProblem("to_version", f"older than {assessment.rubric_version}", "older")],
        )
    return target


def _pin(assessment: Assessment, pins: list[ExtensionPin]) -> RubricPin:
    return RubricPin(
        rubric_id=assessment.rubric_id,
        version=assessment.rubric_version,
        content_hash=assessment.rubric_hash,
        extensions=pins,
    )


def _mapping(registry: RubricRegistry, old: Rubric, new: Rubric) -> dict[str, Mapped]:
    """The base rubric's migration maps, plus local criteria: kept if the new extensions still have
    them, removed otherwise."""
    mapping = registry.criterion_map(old.id, old.version, new.version)
    for _, c in old.criteria():
        if c.local:
            mapping[c.id] = Mapped("kept", c.id) if new.criterion(c.id) else Mapped("removed", None)
    return mapping


def _plan(ratings: Sequence[Rating], mapping: Mapping[str, Mapped], old: Rubric, new: Rubric) -> list[_Move]:
    """Decide each rating's fate and, for ratings moving into a criterion, a free effect number."""
    order = {c.id: i for i, (_, c) in enumerate(old.criteria())}
    moves: list[_Move] = []
    for r in sorted(ratings, key=lambda r: (order.get(r.criterion_id, len(order)), r.effect)):
        m = mapping.get(r.criterion_id, Mapped("removed", None))
        found = new.criterion(m.new_id) if m.new_id else None
        if found is None:
            m = m if m.fate == "removed" else Mapped("removed", None)
        moves.append(_Move(r, m, found[0].id if found else r.perspective_id, r.effect))
    taken: dict[tuple[uuid.UUID, str, str], set[int]] = {}
    for mv in moves:
        if mv.mapped.fate == "kept":
            taken.setdefault((mv.rating.alternative_id, mv.rating.criterion_id, mv.rating.target), set()).add(
                mv.rating.effect
            )
    full: list[FieldProblem] = []
    overflowing: list[tuple[str, str]] = []
    for mv in moves:
        if mv.mapped.fate in ("renamed", "merged") and mv.mapped.new_id:
            used = taken.setdefault((mv.rating.alternative_id, mv.mapped.new_id, mv.rating.target), set())
            # the smallest free number: a rating carries effects 1..MAX_EFFECT (the API's and the
            # transfer format's bound), so a merged one never gets a number nothing can address
            free = [e for e in range(1, MAX_EFFECT + 1) if e not in used]
            if not free:
                full.append(
                    FieldProblem(
                        "to_version",
                        f"criterion '{mv.mapped.new_id}' ({mv.rating.target}) would carry more than {MAX_EFFECT} "
                        f"effects of one alternative once '{mv.rating.criterion_id}' is merged into it; "
                        "remove or combine effects first",
                        "too_many_effects",
                    )
                )
                if (mv.mapped.new_id, mv.rating.target) not in overflowing:
                    overflowing.append((mv.mapped.new_id, mv.rating.target))
                continue
            mv.effect = mv.rating.effect if mv.rating.effect in free else free[0]
            used.add(mv.effect)
    if full:
        raise TooManyEffects(
            "the draft's ratings do not fit the new version; nothing was changed", errors=full, full=overflowing
        )
    return moves


def _report(report: UpgradeReport, mv: _Move, alt_keys: Mapping[uuid.UUID, str], old: Rubric, new: Rubric) -> None:
    r, m = mv.rating, mv.mapped
    alt = alt_keys.get(r.alternative_id, "")
    if m.fate == "kept":
        before, after = old.criterion(r.criterion_id), new.criterion(r.criterion_id)
        reworded = bool(
            before and after and any(getattr(before[1], n) != getattr(after[1], n) for n in CRITERION_TEXTS)
        )
        report.carried.append(
            CarriedRating(
                rating_id=r.id,
                alternative=alt,
                criterion_id=r.criterion_id,
                target=Target(r.target),
                effect=r.effect,
                reworded=reworded,
            )
        )
    elif m.fate in ("renamed", "merged") and m.new_id:
        report.renamed.append(
            RenamedRating(
                rating_id=r.id,
                alternative=alt,
                fate=m.fate,
                old_criterion_id=r.criterion_id,
                criterion_id=m.new_id,
                perspective_id=mv.perspective_id,
                target=Target(r.target),
                old_effect=r.effect,
                effect=mv.effect,
            )
        )
    else:
        found = old.criterion(r.criterion_id)
        report.removed.append(
            RemovedRating(
                alternative=alt,
                perspective_id=r.perspective_id,
                criterion_id=r.criterion_id,
                local=bool(found and found[1].local),
                question=found[1].question if found else Text(sv=r.criterion_id, fi=r.criterion_id, en=r.criterion_id),
                target=Target(r.target),
                effect=r.effect,
                score="unknown" if r.score is None else r.score,
                likelihood=r.likelihood,
                horizon=r.horizon,
                certainty=r.certainty,
                rationale=r.rationale,
                evidence=list(r.evidence or []),
                mitigation=r.mitigation,
                affected_groups=r.affected_groups,
                affected_area=r.affected_area,
                reason=m.removed.reason if m.removed else None,
                see=list(m.removed.see) if m.removed else [],
            )
        )


def _apply(session: Session, moves: Sequence[_Move]) -> None:
    """Delete removed ratings, then move the others in two steps (through free negative effect
    numbers), so no intermediate row collides with the (alternative, criterion, target, effect) key."""
    for mv in moves:
        if mv.mapped.fate == "removed":
            session.delete(mv.rating)
    session.flush()
    moving = [mv for mv in moves if mv.mapped.fate in ("renamed", "merged")]
    for i, mv in enumerate(moving):
        mv.rating.criterion_id, mv.rating.effect = mv.mapped.new_id or mv.rating.criterion_id, -(i + 1)
        mv.rating.perspective_id = mv.perspective_id
        session.add(mv.rating)
    session.flush()
    for mv in moving:
        mv.rating.effect = mv.effect
        session.add(mv.rating)
    for mv in moves:
        if mv.mapped.fate == "kept" and mv.rating.perspective_id != mv.perspective_id:
            mv.rating.perspective_id = mv.perspective_id
            session.add(mv.rating)
    session.flush()

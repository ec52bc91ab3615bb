"""Local extensions: a municipality's own criteria added to the base rubric without forking it.

The rubric an assessment is rated on is its pinned base version merged with the extension versions it
pinned (``assessment.extensions``: id, version, content hash): each extension's criteria are appended to
the perspectives they name, marked ``local``. Extensions come from files (``rubrics/extensions/``,
loaded into the registry) or from the API (table ``rubric_extension``); both are immutable per version,
so a merged rubric is content-addressed and cached in the registry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import Session

from app.audit import service as audit
from app.auth.actor import Actor
from app.errors import Conflict, FieldProblem, InvalidState, ValidationFailed
from app.rubrics import repository as repo
from app.rubrics.loader import extension_hash
from app.rubrics.models import Criterion, ExtensionPin, Rubric, RubricExtension, semver_key
from app.rubrics.registry import MERGED_CACHE_SIZE, RubricRegistry, clashing_criteria, extension_problems
from app.rubrics.tables import RubricExtensionRow


class PinnedAssessment(Protocol):
    """What the merge needs of an assessment (kept structural so rubrics do not import assessments)."""

    municipality_id: uuid.UUID
    rubric_id: str
    rubric_version: str
    extensions: list[dict[str, Any]] | None


@dataclass(frozen=True)
class InstalledExtension:
    extension: RubricExtension
    content_hash: str
    source: Literal["file", "api"]
    created_at: datetime | None = None
    created_by: str = ""

    def pin(self) -> ExtensionPin:
        return ExtensionPin(id=self.extension.id, version=self.extension.version, content_hash=self.content_hash)


def merge(base: Rubric, extensions: Sequence[RubricExtension]) -> Rubric:
    """The base rubric with each extension's criteria appended to their perspectives, marked local.
    The content hash stays the base's: extensions are pinned (and hashed) on their own."""
    extra: dict[str, list[Criterion]] = {}
    for ext in extensions:
        for c in ext.criteria:
            if base.perspective(c.perspective) is None:
                raise InvalidState(f"extension {ext.key} names perspective {c.perspective!r}, absent in {base.key}")
            data = c.model_dump(exclude={"perspective"}) | {"local": True}
            extra.setdefault(c.perspective, []).append(Criterion.model_validate(data))
    perspectives = [
        p.model_copy(update={"criteria": [*p.criteria, *extra[p.id]]}) if p.id in extra else p
        for p in base.perspectives
    ]
    return base.model_copy(update={"perspectives": perspectives})


def installed_extensions(
    session: Session, registry: RubricRegistry, municipality_id: uuid.UUID, municipality_code: str
) -> list[InstalledExtension]:
    """Every extension version of one municipality: files first, then those created through the API."""
    found = [InstalledExtension(e, extension_hash(e), "file") for e in registry.file_extensions(municipality_code)]
    for row in repo.extension_rows(session, municipality_id):
        found.append(_from_row(row))
    return found


def _from_row(row: RubricExtensionRow) -> InstalledExtension:
    return InstalledExtension(
        RubricExtension.model_validate(row.content), row.content_hash, "api", row.created_at, row.created_by
    )


def newest_fitting(installed: Sequence[InstalledExtension], rubric: Rubric) -> list[InstalledExtension]:
    """The newest version of each extension id that fits ``rubric``, in id order."""
    best: dict[str, InstalledExtension] = {}
    for item in installed:
        ext = item.extension
        if not ext.fits(rubric.id, rubric.version) or _problems_with(ext, rubric):
            continue
        current = best.get(ext.id)
        if current is None or semver_key(ext.version) > semver_key(current.extension.version):
            best[ext.id] = item
    return [best[k] for k in sorted(best)]


def _problems_with(ext: RubricExtension, rubric: Rubric) -> bool:
    """Whether ``ext`` cannot be merged into this particular base version."""
    return any(rubric.perspective(c.perspective) is None or rubric.criterion(c.id) is not None for c in ext.criteria)


def pins_for_new(
    session: Session,
    registry: RubricRegistry,
    actor: Actor,
    rubric: Rubric,
    requested: Sequence[str] | None,
    field: str = "extensions",
) -> list[ExtensionPin]:
    """The extensions a new assessment pins: ``None`` means the newest fitting version of each of the
    municipality's extensions; otherwise exactly the listed ``id@version`` (``[]``: none)."""
    installed = installed_extensions(session, registry, actor.municipality_id, actor.municipality_code)
    if requested is None:
        return [i.pin() for i in newest_fitting(installed, rubric)]
    by_key = {i.extension.key: i for i in installed}
    pins: list[ExtensionPin] = []
    problems: list[FieldProblem] = []
    for n, key in enumerate(requested):
        item = by_key.get(key)
        if item is None:
            problems.append(FieldProblem(f"{field}.{n}", f"no extension {key!r} in this municipality", "unknown"))
        elif not item.extension.fits(rubric.id, rubric.version) or _problems_with(item.extension, rubric):
            problems.append(FieldProblem(f"{field}.{n}", f"{key} does not fit rubric {rubric.key}", "incompatible"))
        elif any(p.id == item.extension.id for p in pins):
            problems.append(FieldProblem(f"{field}.{n}", f"two versions of {item.extension.id!r}", "duplicate"))
        else:
            pins.append(item.pin())
    if problems:
        raise ValidationFailed("some local extensions cannot be used", errors=problems)
    return pins


def stored_pins(pins: Sequence[ExtensionPin]) -> list[dict[str, Any]] | None:
    """Pins as stored in ``assessment.extensions`` (``None`` when there are none)."""
    return [p.model_dump(mode="json") for p in pins] or None


def pins_of(assessment: PinnedAssessment) -> list[ExtensionPin]:
    return [ExtensionPin.model_validate(p) for p in assessment.extensions or []]


def rubric_for_assessment(
    registry: RubricRegistry, assessment: PinnedAssessment, session: Session | None = None
) -> Rubric:
    """The rubric an assessment is rated and rendered with: its pinned base version merged with its
    pinned extension versions. ``session`` defaults to the one the assessment was loaded in."""
    base = registry.get(assessment.rubric_id, assessment.rubric_version)
    if base is None:
        raise InvalidState(f"rubric {assessment.rubric_id}@{assessment.rubric_version} is not installed on this server")
    pins = pins_of(assessment)
    if not pins:
        return base
    # an assessment row loaded by SQLModel belongs to a SQLModel session
    session = session or cast(Session | None, object_session(assessment))
    return merged_rubric(registry, session, assessment.municipality_id, base, pins)


def merged_rubric(
    registry: RubricRegistry,
    session: Session | None,
    municipality_id: uuid.UUID,
    base: Rubric,
    pins: Sequence[ExtensionPin],
) -> Rubric:
    """``base`` merged with the pinned extension versions, cached by content (ids, versions, hashes)."""
    if not pins:
        return base
    key = _merged_key(base, pins)
    cached = registry.merged.get(key)
    if cached is not None:
        return cached
    merged = merge(base, [_resolve(registry, session, municipality_id, pin) for pin in pins])
    if len(registry.merged) >= MERGED_CACHE_SIZE:
        registry.merged.pop(next(iter(registry.merged)), None)
    registry.merged[key] = merged
    return merged


def cached_merged_rubric(registry: RubricRegistry, base: Rubric, pins: Sequence[ExtensionPin]) -> Rubric | None:
    """``base`` merged with ``pins`` if that merge is in the registry's cache (it is content-addressed:
    the pins name each extension version by its hash), else None. For readers without an ORM session
    (the fast write path), which leave a first use to the ordinary path that fills the cache."""
    return registry.merged.get(_merged_key(base, pins)) if pins else base


def _merged_key(base: Rubric, pins: Sequence[ExtensionPin]) -> tuple[str, ...]:
    return (base.id, base.version, base.content_hash, *(v for p in pins for v in (p.id, p.version, p.content_hash)))


def _resolve(
    registry: RubricRegistry, session: Session | None, municipality_id: uuid.UUID, pin: ExtensionPin
) -> RubricExtension:
    for ext in registry.extensions:
        if ext.id == pin.id and ext.version == pin.version and extension_hash(ext) == pin.content_hash:
            return ext
    row = repo.extension_row(session, municipality_id, pin.id, pin.version) if session is not None else None
    if row is None or row.content_hash != pin.content_hash:
        raise InvalidState(f"the local extension {pin.key} this assessment was made with is not available")
    return RubricExtension.model_validate(row.content)


def create_extension(
    session: Session, actor: Actor, registry: RubricRegistry, extension: RubricExtension
) -> InstalledExtension:
    """Publish a new extension version for the actor's municipality. Versions are immutable: a new
    version must be newer than every existing version of the same extension id."""
    actor.require("admin")
    if extension.municipality != actor.municipality_code:
        raise ValidationFailed(
            "an extension belongs to your own municipality",
            errors=[FieldProblem("municipality", f"expected {actor.municipality_code}", "wrong_municipality")],
        )
    installed = installed_extensions(session, registry, actor.municipality_id, actor.municipality_code)
    problems = extension_problems(registry, extension)
    problems += clashing_criteria(extension, [i.extension for i in installed])
    if problems:
        raise ValidationFailed(
            "the extension does not fit the base rubric",
            errors=[FieldProblem(".".join(map(str, loc)), msg) for loc, msg in problems],
        )
    same_id = [i.extension.version for i in installed if i.extension.id == extension.id]
    newest = max(same_id, key=semver_key, default=None)
    if newest is not None and semver_key(extension.version) <= semver_key(newest):
        raise Conflict(
            f"{extension.id} already has version {newest}; versions are immutable, publish a newer one",
            errors=[FieldProblem("version", f"must be newer than {newest}", "not_newer")],
        )
    row = RubricExtensionRow(
        municipality_id=actor.municipality_id,
        extension_id=extension.id,
        version=extension.version,
        base=extension.base,
        base_version=extension.base_version,
        content=extension.model_dump(mode="json"),
        content_hash=extension_hash(extension),
        created_by=actor.label,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request published the same version first
        raise Conflict(f"{extension.key} was published at the same moment by another request") from exc
    after = {"id": extension.id, "version": extension.version, "content_hash": row.content_hash}
    audit.record(session, actor, "rubric_extension.created", "rubric_extension", row.id, None, after)
    return _from_row(row)

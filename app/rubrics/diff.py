"""What changed between two rubric versions: criteria added, removed (renamed, merged or dropped) and
changed, texts per language, perspectives and the scale. Pure: two rubrics and the criterion map in,
a :class:`RubricDiff` out (``livskraft rubrics diff`` and ``GET /api/v1/rubrics/{id}/diff``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from app.rubrics.migration import Mapped
from app.rubrics.models import LANGUAGES, Criterion, Perspective, Rubric, Scale, ScaleStep, Target, Text

CRITERION_TEXTS = ("question", "guidance", "evidence", "example_positive", "example_negative")


class Change(BaseModel):
    """One changed value; ``lang`` is set for texts, null for ids and targets."""

    field: str
    lang: Literal["sv", "fi", "en"] | None = None
    old: str
    new: str


class CriterionEntry(BaseModel):
    id: str
    perspective: str
    target: Target
    local: bool = False
    question: Text


class AddedCriterion(CriterionEntry):
    replaces: list[str] = Field(default_factory=list, description="Old criteria renamed or merged into this one")


class RemovedCriterionEntry(CriterionEntry):
    fate: Literal["renamed", "merged", "removed"]
    new_id: str | None = Field(description="Where its ratings are carried (renamed or merged), else null")
    reason: Text | None = None
    see: list[str] = Field(default_factory=list, description="Criteria that now cover the question")


class ChangedCriterion(BaseModel):
    id: str
    perspective: str
    target: Target
    changes: list[Change]


class PerspectiveChange(BaseModel):
    id: str
    changes: list[Change]


class RubricDiff(BaseModel):
    rubric_id: str
    from_version: str
    to_version: str
    from_hash: str
    to_hash: str
    added: list[AddedCriterion]
    removed: list[RemovedCriterionEntry]
    changed: list[ChangedCriterion]
    perspectives_added: list[str]
    perspectives_removed: list[str]
    perspectives_changed: list[PerspectiveChange]
    scale: list[Change]
    header: list[Change]

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.perspectives_added
            or self.perspectives_removed
            or self.perspectives_changed
            or self.scale
            or self.header
        )


def text_changes(field: str, old: Text | None, new: Text | None) -> list[Change]:
    out = []
    for lang in LANGUAGES:
        before = old.get(lang) if old else ""
        after = new.get(lang) if new else ""
        if before != after:
            out.append(Change(field=field, lang=lang, old=before, new=after))
    return out


def _entry(p: Perspective, c: Criterion) -> dict[str, object]:
    return {"id": c.id, "perspective": p.id, "target": c.target, "local": c.local, "question": c.question}


def _criterion_changes(old: tuple[Perspective, Criterion], new: tuple[Perspective, Criterion]) -> list[Change]:
    (op, oc), (np, nc) = old, new
    out: list[Change] = []
    if op.id != np.id:
        out.append(Change(field="perspective", old=op.id, new=np.id))
    if oc.target != nc.target:
        out.append(Change(field="target", old=oc.target.value, new=nc.target.value))
    for name in CRITERION_TEXTS:
        out.extend(text_changes(name, getattr(oc, name), getattr(nc, name)))
    return out


def _perspective_changes(old: Perspective, new: Perspective) -> list[Change]:
    return [
        *text_changes("title", old.title, new.title),
        *text_changes("purpose", old.purpose, new.purpose),
        *text_changes("screening.question", old.screening.question, new.screening.question),
        *text_changes("screening.guidance", old.screening.guidance, new.screening.guidance),
    ]


def _steps(field: str, old: Sequence[ScaleStep], new: Sequence[ScaleStep]) -> list[Change]:
    before, after = {s.id: s for s in old}, {s.id: s for s in new}
    out: list[Change] = []
    if list(before) != list(after):
        out.append(Change(field=field, old=", ".join(before), new=", ".join(after)))
    for sid, step in after.items():
        if sid in before:
            out.extend(text_changes(f"{field}.{sid}.label", before[sid].label, step.label))
            out.extend(text_changes(f"{field}.{sid}.description", before[sid].description, step.description))
    return out


def scale_changes(old: Scale, new: Scale) -> list[Change]:
    out: list[Change] = []
    for o, n in zip(old.scores, new.scores, strict=True):  # both always hold -3..+3 in order
        out.extend(text_changes(f"scores.{n.value:+d}.label", o.label, n.label))
        out.extend(text_changes(f"scores.{n.value:+d}.description", o.description, n.description))
    out.extend(_steps("unknown", [old.unknown], [new.unknown]))
    for name in ("likelihood", "horizon", "certainty"):
        out.extend(_steps(name, getattr(old, name), getattr(new, name)))
    return out


def _unmapped(cid: str, new_c: Mapping[str, object]) -> Mapped:
    return Mapped("kept", cid) if cid in new_c else Mapped("removed", None)


def diff_rubrics(old: Rubric, new: Rubric, mapping: Mapping[str, Mapped]) -> RubricDiff:
    """``mapping`` says where each old criterion went (``RubricRegistry.criterion_map``); an old id it
    does not mention is kept if the new rubric has it and removed otherwise."""
    old_c = {c.id: (p, c) for p, c in old.criteria()}
    new_c = {c.id: (p, c) for p, c in new.criteria()}
    fates = {cid: mapping.get(cid) or _unmapped(cid, new_c) for cid in old_c}
    replaces: dict[str, list[str]] = {}
    removed: list[RemovedCriterionEntry] = []
    for cid, m in fates.items():
        if m.fate == "kept":
            continue
        if m.new_id is not None:
            replaces.setdefault(m.new_id, []).append(cid)
        reason, see = (m.removed.reason, list(m.removed.see)) if m.removed else (None, [])
        removed.append(
            RemovedCriterionEntry.model_validate(
                _entry(*old_c[cid]) | {"fate": m.fate, "new_id": m.new_id, "reason": reason, "see": see}
            )
        )
    added = [
        AddedCriterion.model_validate(_entry(*pc) | {"replaces": replaces.get(cid, [])})
        for cid, pc in new_c.items()
        if cid not in old_c
    ]
    changed = []
    for cid, pc in new_c.items():
        if cid in old_c and fates[cid].fate == "kept":
            changes = _criterion_changes(old_c[cid], pc)
            if changes:
                changed.append(ChangedCriterion(id=cid, perspective=pc[0].id, target=pc[1].target, changes=changes))
    old_p, new_p = {p.id: p for p in old.perspectives}, {p.id: p for p in new.perspectives}
    return RubricDiff(
        rubric_id=new.id,
        from_version=old.version,
        to_version=new.version,
        from_hash=old.content_hash,
        to_hash=new.content_hash,
        added=added,
        removed=removed,
        changed=changed,
        perspectives_added=[pid for pid in new_p if pid not in old_p],
        perspectives_removed=[pid for pid in old_p if pid not in new_p],
        perspectives_changed=[
            PerspectiveChange(id=pid, changes=changes)
            for pid, p in new_p.items()
            if pid in old_p and (changes := _perspective_changes(old_p[pid], p))
        ],
        scale=scale_changes(old.scale, new.scale),
        header=[
            *text_changes("title", old.title, new.title),
            *text_changes("description", old.description, new.description),
        ],
    )

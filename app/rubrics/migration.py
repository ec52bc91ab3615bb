"""Where each criterion of an older rubric version went in a newer one (pure functions).

A version's migration map (``migration.yaml``) says which criteria of the previous version were
renamed, merged or removed; every other id is kept as it is. Maps of consecutive versions compose, so a
draft can be carried from 1.0.0 straight to 1.2.0. The same answer drives ``livskraft rubrics diff``,
the diff API and the carry-over of a draft's ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.rubrics.loader import Located, RubricProblem
from app.rubrics.models import RemovedCriterion, Rubric, RubricMigration

Fate = Literal["kept", "renamed", "merged", "removed"]
_STRENGTH: dict[str, int] = {"kept": 0, "renamed": 1, "merged": 2, "removed": 3}


@dataclass(frozen=True)
class Mapped:
    """The fate of one old criterion id: kept, renamed or merged into ``new_id``, or removed."""

    fate: Fate
    new_id: str | None
    removed: RemovedCriterion | None = None


def step_map(old: Rubric, new: Rubric, migration: RubricMigration | None) -> dict[str, Mapped]:
    """One version step: the fate of every criterion id of ``old`` in ``new``."""
    new_ids = {c.id for _, c in new.criteria()}
    renamed = migration.renamed if migration else {}
    merged = migration.merged if migration else {}
    removed = {r.id: r for r in migration.removed} if migration else {}
    out: dict[str, Mapped] = {}
    for _, c in old.criteria():
        if c.id in renamed:
            out[c.id] = Mapped("renamed", renamed[c.id])
        elif c.id in merged:
            out[c.id] = Mapped("merged", merged[c.id])
        elif c.id in removed:
            out[c.id] = Mapped("removed", None, removed[c.id])
        elif c.id in new_ids:
            out[c.id] = Mapped("kept", c.id)
        else:
            out[c.id] = Mapped("removed", None)
    return out


def compose(first: dict[str, Mapped], then: dict[str, Mapped]) -> dict[str, Mapped]:
    """Follow each id of ``first`` through ``then``; the stronger fate wins (removed > merged > renamed)."""
    out: dict[str, Mapped] = {}
    for old_id, m in first.items():
        if m.new_id is None:
            out[old_id] = m
            continue
        nxt = then.get(m.new_id, Mapped("removed", None))
        fate = m.fate if _STRENGTH[m.fate] >= _STRENGTH[nxt.fate] else nxt.fate
        out[old_id] = Mapped(fate if nxt.new_id is not None else "removed", nxt.new_id, nxt.removed)
    return out


def chain_map(steps: Sequence[tuple[Rubric, Rubric, RubricMigration | None]]) -> dict[str, Mapped]:
    """Compose consecutive steps (old, new, the new version's map from old)."""
    result: dict[str, Mapped] | None = None
    for old, new, migration in steps:
        step = step_map(old, new, migration)
        result = step if result is None else compose(result, step)
    return result or {}


def check_migration(old: Rubric, new: Rubric, migration: RubricMigration, where: Located) -> list[RubricProblem]:
    """A map must name real ids, keep each criterion's target, and account for every id that disappears
    (so no rating is ever dropped without the official being told why)."""
    old_c = {c.id: c for _, c in old.criteria()}
    new_c = {c.id: c for _, c in new.criteria()}
    problems: list[RubricProblem] = []
    for section in ("renamed", "merged"):
        mapping: dict[str, str] = getattr(migration, section)
        for old_id, new_id in mapping.items():
            loc = (section, old_id)
            if old_id not in old_c:
                problems.append(where.problem(loc, f"{old_id!r} is not a criterion of {old.key}"))
            elif new_id not in new_c:
                problems.append(where.problem(loc, f"{new_id!r} is not a criterion of {new.key}"))
            elif old_c[old_id].target != new_c[new_id].target:
                problems.append(
                    where.problem(loc, f"{old_id!r} is about {old_c[old_id].target.value}, {new_id!r} is not")
                )
            if section == "renamed" and old_id in new_c:
                problems.append(where.problem(loc, f"{old_id!r} still exists in {new.key}: it was not renamed"))
    for i, r in enumerate(migration.removed):
        if r.id not in old_c:
            problems.append(where.problem(("removed", i, "id"), f"{r.id!r} is not a criterion of {old.key}"))
        elif r.id in new_c:
            problems.append(where.problem(("removed", i, "id"), f"{r.id!r} still exists in {new.key}"))
        for j, see in enumerate(r.see):
            if see not in new_c:
                problems.append(where.problem(("removed", i, "see", j), f"{see!r} is not a criterion of {new.key}"))
    listed = {*migration.renamed, *migration.merged, *(r.id for r in migration.removed)}
    for old_id in old_c:
        if old_id not in new_c and old_id not in listed:
            problems.append(
                where.problem(
                    (),
                    f"criterion {old_id!r} of {old.key} is missing in {new.key}: "
                    "list it under renamed, merged or removed",
                )
            )
    return problems

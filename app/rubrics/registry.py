"""All rubric versions known to the service, loaded once at start-up.

Assessments pin a rubric id + version (+ hash); the registry keeps every version loadable so an old
assessment keeps rendering with the text it was made with after newer versions appear. It also holds
each version's migration map and the local extensions shipped as files (``rubrics/extensions/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from app.municipalities.codes import lookup
from app.rubrics.loader import (
    Located,
    RubricFileError,
    RubricProblem,
    load_located,
    load_migration,
    load_rubric_dir,
)
from app.rubrics.migration import Mapped, chain_map, check_migration
from app.rubrics.models import PERSPECTIVE_IDS, Rubric, RubricExtension, RubricMigration, semver_key

MERGED_CACHE_SIZE = 256


@dataclass
class RubricRegistry:
    rubrics: dict[tuple[str, str], Rubric] = field(default_factory=dict)
    extensions: list[RubricExtension] = field(default_factory=list)
    migrations: dict[tuple[str, str], RubricMigration] = field(default_factory=dict)
    """(rubric id, version) -> the map from the previous version into this one."""
    merged: dict[tuple[object, ...], Rubric] = field(default_factory=dict, repr=False)
    """Base rubrics merged with pinned extensions, keyed by content (ids, versions and hashes)."""

    def add(self, rubric: Rubric) -> None:
        self.rubrics[(rubric.id, rubric.version)] = rubric

    def get(self, rubric_id: str, version: str | None = None) -> Rubric | None:
        if version is None:
            return self.latest(rubric_id)
        return self.rubrics.get((rubric_id, version))

    def latest(self, rubric_id: str) -> Rubric | None:
        versions = [r for (rid, _), r in self.rubrics.items() if rid == rubric_id]
        return max(versions, key=lambda r: semver_key(r.version), default=None)

    def ids(self) -> list[str]:
        return sorted({rid for rid, _ in self.rubrics})

    def versions(self, rubric_id: str) -> list[Rubric]:
        return sorted(
            (r for (rid, _), r in self.rubrics.items() if rid == rubric_id), key=lambda r: semver_key(r.version)
        )

    def default(self) -> Rubric:
        """The newest version of the first rubric id: what a new assessment uses unless told otherwise."""
        rubric = self.latest(self.ids()[0]) if self.rubrics else None
        if rubric is None:
            raise LookupError("no rubrics loaded")
        return rubric

    def migration(self, rubric_id: str, version: str) -> RubricMigration | None:
        return self.migrations.get((rubric_id, version))

    def file_extensions(self, municipality_code: str) -> list[RubricExtension]:
        return [e for e in self.extensions if e.municipality == municipality_code]

    def criterion_map(self, rubric_id: str, from_version: str, to_version: str) -> dict[str, Mapped]:
        """Where every criterion of ``from_version`` went in ``to_version`` (a newer or equal version),
        following the migration map of each version in between."""
        old = self.get(rubric_id, from_version)
        if old is None or self.get(rubric_id, to_version) is None:
            raise LookupError(f"{rubric_id}@{from_version} or @{to_version} is not installed")
        lo, hi = semver_key(from_version), semver_key(to_version)
        if hi < lo:
            raise ValueError("the target version is older than the starting version")
        path = [r for r in self.versions(rubric_id) if lo < semver_key(r.version) <= hi]
        steps = []
        previous = old
        for rubric in path:
            migration = self.migration(rubric_id, rubric.version)
            usable = migration if migration and migration.from_version == previous.version else None
            steps.append((previous, rubric, usable))
            previous = rubric
        if not steps:
            return {c.id: Mapped("kept", c.id) for _, c in old.criteria()}
        return chain_map(steps)


def _version_dirs(root: Path) -> Iterator[Path]:
    for rubric_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "extensions"):
        yield from sorted(p for p in rubric_dir.iterdir() if p.is_dir())


def load_registry(root: Path) -> RubricRegistry:
    """Load every rubric version, migration map and extension under ``root``; collects all problems
    before failing."""
    registry = RubricRegistry()
    problems: list[RubricProblem] = []
    if not root.is_dir():
        raise RubricFileError([RubricProblem(str(root), None, "", "rubric folder does not exist")])
    maps: list[tuple[str, str, RubricMigration, Located]] = []
    for version_dir in _version_dirs(root):
        try:
            rubric = load_rubric_dir(version_dir, root)
            registry.add(rubric)
            found = load_migration(version_dir, root)
            if found is not None:
                maps.append((rubric.id, rubric.version, *found))
        except RubricFileError as exc:
            problems.extend(exc.problems)
    for rubric_id, version, migration, where in maps:
        problems.extend(_check_map(registry, rubric_id, version, migration, where))
        registry.migrations[(rubric_id, version)] = migration
    problems.extend(_check_unmapped(registry))
    ext_root = root / "extensions"
    if ext_root.is_dir():
        problems.extend(_misnamed_extension_files(ext_root, root))
        versions: dict[tuple[str, str, tuple[int, int, int]], str] = {}
        for path in sorted(ext_root.rglob("*.yaml")):
            try:
                extension, where = load_located(RubricExtension, path, root)
            except RubricFileError as exc:
                problems.extend(exc.problems)
                continue
            found_problems = _check_extension_file(registry, extension, path, where)
            same = versions.setdefault(
                (extension.municipality, extension.id, semver_key(extension.version)), where.file
            )
            if same != where.file:  # 01.0.0 and 1.0.0: which one an assessment pinning 1.0.0 gets is a guess
                message = f"{extension.version} is the same version as {same}: keep one of the two files"
                found_problems.append(where.problem(("version",), message))
            mine = registry.file_extensions(extension.municipality)
            found_problems += [where.problem(loc, msg) for loc, msg in clashing_criteria(extension, mine)]
            problems.extend(found_problems)
            if not found_problems:
                registry.extensions.append(extension)
    if problems:
        raise RubricFileError(problems)
    if not registry.rubrics:
        raise RubricFileError([RubricProblem(str(root), None, "", "no rubric versions found")])
    return registry


def _check_map(
    registry: RubricRegistry, rubric_id: str, version: str, migration: RubricMigration, where: Located
) -> list[RubricProblem]:
    old, new = registry.get(rubric_id, migration.from_version), registry.get(rubric_id, version)
    if new is None:
        return []  # the version itself failed to load; its problems are reported already
    if old is None:
        return [where.problem(("from_version",), f"{rubric_id}@{migration.from_version} is not installed")]
    if semver_key(migration.from_version) >= semver_key(version):
        return [where.problem(("from_version",), f"must be older than {version}")]
    return check_migration(old, new, migration, where)


def _check_unmapped(registry: RubricRegistry) -> list[RubricProblem]:
    """A released criterion id may only disappear through a migration map."""
    problems: list[RubricProblem] = []
    for rubric_id in registry.ids():
        versions = registry.versions(rubric_id)
        for old, new in pairwise(versions):
            migration = registry.migration(rubric_id, new.version)
            if migration is not None and migration.from_version == old.version:
                continue  # checked in full by check_migration
            gone = sorted({c.id for _, c in old.criteria()} - {c.id for _, c in new.criteria()})
            if gone:
                problems.append(
                    RubricProblem(
                        f"{rubric_id}/{new.version}/migration.yaml",
                        None,
                        "",
                        f"criteria of {old.key} missing in {new.key} need a migration map from "
                        f"{old.version}: {', '.join(gone)}",
                    )
                )
    return problems


def _misnamed_extension_files(ext_root: Path, root: Path) -> list[RubricProblem]:
    """Extension files whose name ends in ``.yml`` or ``.YAML``: only ``*.yaml`` is loaded, so such a file
    would be left out without a word while ``rubrics check`` passes."""
    return [
        RubricProblem(
            str(path.relative_to(root)),
            None,
            "",
            f"not loaded: extension files end in .yaml (rename it to {path.stem}.yaml)",
        )
        for path in sorted(ext_root.rglob("*"))
        if path.is_file() and path.suffix.lower() in {".yaml", ".yml"} and path.suffix != ".yaml"
    ]


def _check_extension_file(
    registry: RubricRegistry, extension: RubricExtension, path: Path, where: Located
) -> list[RubricProblem]:
    expected = (extension.municipality, extension.id, f"{extension.version}.yaml")
    if (path.parent.parent.name, path.parent.name, path.name) != expected:
        return [
            where.problem(
                ("id",),
                f"the file must be extensions/{extension.municipality}/{extension.id}/{extension.version}.yaml",
            )
        ]
    if lookup(extension.municipality) is None:
        # no municipality can be created with that code, so the extension would never be used
        message = (
            f"{extension.municipality!r} is not an official municipality code "
            "(a 3-digit kuntanumero in Finland, a 4-digit kommunkod in Sweden)"
        )
        return [where.problem(("municipality",), message)]
    return [where.problem(loc, msg) for loc, msg in extension_problems(registry, extension)]


def clashing_criteria(
    extension: RubricExtension, others: Iterable[RubricExtension]
) -> list[tuple[tuple[object, ...], str]]:
    """Criteria of ``extension`` whose id a criterion of another extension of the municipality has (an id
    ``a.b.c`` fits both the extensions ``a`` and ``a.b``): an assessment pinning both would get two
    questions of one id, whose ratings could not be told apart."""
    taken = {c.id: o.key for o in others if o.id != extension.id for c in o.criteria}
    return [
        (("criteria", i, "id"), f"{c.id!r} is already a criterion of the extension {taken[c.id]}")
        for i, c in enumerate(extension.criteria)
        if c.id in taken
    ]


def extension_problems(registry: RubricRegistry, extension: RubricExtension) -> list[tuple[tuple[object, ...], str]]:
    """Problems of an extension against the installed base rubric versions it says it fits: each as
    (field path, message). Shared by the file loader and the API."""
    taken = next((p for p in PERSPECTIVE_IDS if extension.id == p or extension.id.startswith(f"{p}.")), None)
    if taken is not None:
        # the base rubric's criterion ids begin with a perspective id: a newer base version could add the
        # very id of a criterion of this extension
        message = f"an extension id must not begin with the perspective id {taken!r}, as the base rubric's ids do"
        return [(("id",), message)]
    if not registry.versions(extension.base):
        installed = ", ".join(repr(rid) for rid in registry.ids())
        return [(("base",), f"no base rubric {extension.base!r} is installed (installed: {installed})")]
    bases = [r for r in registry.versions(extension.base) if extension.fits(r.id, r.version)]
    if not bases:
        return [(("base_version",), f"no installed version of {extension.base!r} fits {extension.base_version!r}")]
    problems: list[tuple[tuple[object, ...], str]] = []
    for i, c in enumerate(extension.criteria):
        for base in bases:
            if base.perspective(c.perspective) is None:
                problems.append((("criteria", i, "perspective"), f"{base.key} has no perspective {c.perspective!r}"))
                break
            if base.criterion(c.id) is not None:
                problems.append((("criteria", i, "id"), f"{c.id!r} is already a criterion of {base.key}"))
                break
    return problems

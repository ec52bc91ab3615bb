"""Load rubric files (YAML) into validated models, with errors that name file, line and field.

Layout of the top-level ``rubrics/`` folder::

    rubrics/<rubric-id>/<version>/rubric.yaml            header: id, version, titles, scale, order
    rubrics/<rubric-id>/<version>/perspectives/<id>.yaml one perspective with its criteria
    rubrics/<rubric-id>/<version>/migration.yaml         how the previous version's criteria map here
    rubrics/extensions/<municipality-code>/<ext-id>/<version>.yaml   local criteria

Files are parsed with a safe loader that refuses anchors and aliases (no "billion laughs"), caps the
file size, and keeps every node's line so a validation error can point at the exact line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.rubrics.models import (
    PERSPECTIVE_IDS,
    Perspective,
    Rubric,
    RubricExtension,
    RubricHeader,
    RubricMigration,
    Target,
)
from app.text import refusal

MAX_FILE_BYTES = 2_000_000
CRITERIA_PER_TARGET = (3, 6)
"""How many criteria each perspective of a base rubric has for each target (docs/rubric.md, section 3)."""
MAX_DEPTH = 100
"""How deeply collections may nest (rubric files need fewer than ten levels). Deeper input is refused with
its line before PyYAML's recursive composer could run out of stack."""
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what PyYAML counts as a new line
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RubricProblem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RubricFileError(Exception):
    """A rubric file is broken; carries every problem found, each with file, line and field."""

    def __init__(self, problems: list[RubricProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases: rubric files never need them and they enable bombs.
    It also refuses collections nested more than :data:`MAX_DEPTH` levels deep."""

    _depth = 0
    node_line: int | None = None
    """The line of the node being composed: where the nesting is when the stack runs out."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in rubric files", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in rubric files", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested too deeply (more than {MAX_DEPTH} levels)", event.start_mark
            )
        self._depth += 1
        self.node_line = event.start_mark.line + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A key written twice is a typo whose first value would be lost silently: refuse it."""
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # complex keys: PyYAML's constructor refuses them with its own error
                key = key_node.value
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


def _node_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = key_node.start_mark.line + 1
            _node_lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    """The line of the deepest part of ``loc`` the file has. A mapping key is kept as its text (``1: x``
    as ``"1"``) while the validation error names the key as read (the number 1): both are tried."""
    path: tuple[Any, ...] = ()
    for key in loc:
        if (*path, key) in lines:
            path = (*path, key)
        elif (*path, str(key)) in lines:
            path = (*path, str(key))
        else:
            break
    return lines.get(path)


def parse_yaml(path: Path, display: str | None = None) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse one YAML file; returns the data and a map from field path to line number."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricFileError([RubricProblem(name, None, "", f"cannot read file: {exc.strerror}")]) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise RubricFileError([RubricProblem(name, None, "", f"file is larger than {MAX_FILE_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricFileError([RubricProblem(name, None, "", "file is not valid UTF-8")]) from exc
    return parse_yaml_text(text, name)


def _line_at(text: str, position: int) -> int:
    """The line (from 1) of a character position, counting line breaks the way PyYAML's marks do."""
    return len(_LINE_BREAK.findall(text, 0, position)) + 1


def parse_yaml_text(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    line_reached: int | None = None
    try:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise RubricFileError([RubricProblem(name, 1, "", "file is empty")])
            data = loader.construct_document(node)
        except RecursionError:
            line_reached = loader.node_line
            raise
        finally:
            loader.dispose()
        lines: dict[tuple[Any, ...], int] = {}
        _node_lines(node, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise RubricFileError([RubricProblem(name, line, "", f"invalid YAML: {msg}")]) from exc
    except yaml.reader.ReaderError as exc:
        # not a MarkedYAMLError: it only knows the character's position, which nobody can find in an editor
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"invalid YAML: character U+{char:04X} is not allowed in a YAML file ({exc.reason})"
        raise RubricFileError([RubricProblem(name, _line_at(text, exc.position), "", message)]) from exc
    except yaml.YAMLError as exc:
        raise RubricFileError([RubricProblem(name, None, "", f"invalid YAML: {exc}")]) from exc
    except RecursionError as exc:
        # A backstop: MAX_DEPTH stops deep nesting first, unless the stack was already nearly used up.
        raise RubricFileError([RubricProblem(name, line_reached, "", "invalid YAML: nested too deeply")]) from exc
    return data, lines


def validate_data(model: type[M], data: Any, lines: dict[tuple[Any, ...], int], name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(RubricProblem(name, _line_for(loc, lines), field, _message(err)))
        raise RubricFileError(problems) from exc


def _message(err: Any) -> str:
    """A validation error in words an author of a YAML file can act on."""
    message = refusal(err) or str(err["msg"]).removeprefix("Value error, ")
    found = err.get("input")
    if err["type"] == "string_type":
        # ``municipality: 905``, ``version: 1.0``, ``en: yes``: YAML reads such an unquoted value as
        # something else than the text the author sees
        if isinstance(found, bool):  # yes, no, on, off: shown as read, the author would not recognise it
            message += " (YAML reads the unquoted value as true or false: put it in quotes)"
        elif isinstance(found, int | float | date):
            kind = "a date" if isinstance(found, date) else "a number"
            message += f" (YAML reads the unquoted value {found} as {kind}: put it in quotes)"
    return message


def load_model(model: type[M], path: Path, root: Path | None = None) -> M:
    return load_located(model, path, root)[0]


@dataclass(frozen=True)
class Located:
    """Where a loaded model came from: the file name shown in errors and the line of every field."""

    file: str
    lines: dict[tuple[Any, ...], int]

    def problem(self, loc: tuple[Any, ...], message: str) -> RubricProblem:
        return RubricProblem(self.file, _line_for(loc, self.lines), ".".join(str(p) for p in loc), message)


def load_located(model: type[M], path: Path, root: Path | None = None) -> tuple[M, Located]:
    """Load one file into ``model`` and keep its field lines, for checks that span several files."""
    name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    data, lines = parse_yaml(path, name)
    return validate_data(model, data, lines, name), Located(name, lines)


def content_hash(rubric: Rubric) -> str:
    """sha256 over canonical JSON of the rubric without its hash: equal content, equal hash."""
    return _sha256(rubric.model_dump(mode="json", exclude={"content_hash"}))


def extension_hash(extension: RubricExtension) -> str:
    """sha256 over canonical JSON of an extension: what an assessment pins beside id and version."""
    return _sha256(extension.model_dump(mode="json"))


def _sha256(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_rubric_dir(version_dir: Path, root: Path | None = None) -> Rubric:
    """Load one rubric version from its folder (``rubric.yaml`` + ``perspectives/*.yaml``)."""
    root = root or version_dir.parent.parent
    header, header_at = load_located(RubricHeader, version_dir / "rubric.yaml", root)
    problems: list[RubricProblem] = _perspective_list_problems(header, header_at)
    perspectives: list[Perspective] = []
    for pid in header.perspectives:
        p_path = version_dir / "perspectives" / f"{pid}.yaml"
        if not p_path.exists():
            problems.append(
                RubricProblem(
                    str((version_dir / "rubric.yaml").relative_to(root)),
                    None,
                    "perspectives",
                    f"perspective {pid!r} is listed but {p_path.relative_to(root)} does not exist",
                )
            )
            continue
        try:
            perspective, located = load_located(Perspective, p_path, root)
        except RubricFileError as exc:
            problems.extend(exc.problems)
            continue
        if perspective.id != pid:
            problems.append(located.problem(("id",), f"expected id {pid!r}, found {perspective.id!r}"))
        problems.extend(_criteria_problems(perspective, located))
        perspectives.append(perspective)
    if header.version != version_dir.name or header.id != version_dir.parent.name:
        problems.append(
            RubricProblem(
                str((version_dir / "rubric.yaml").relative_to(root)),
                1,
                "version",
                f"folder {version_dir.parent.name}/{version_dir.name} must match id/version "
                f"{header.id}/{header.version}",
            )
        )
    if problems:
        raise RubricFileError(problems)
    try:
        rubric = Rubric(
            id=header.id,
            version=header.version,
            title=header.title,
            description=header.description,
            scale=header.scale,
            perspectives=perspectives,
        )
    except ValidationError as exc:
        raise RubricFileError(
            [
                RubricProblem(str(version_dir.relative_to(root)), None, ".".join(map(str, e["loc"])), e["msg"])
                for e in exc.errors()
            ]
        ) from exc
    return rubric.model_copy(update={"content_hash": content_hash(rubric)})


def _perspective_list_problems(header: RubricHeader, located: Located) -> list[RubricProblem]:
    """A base rubric lists each of the nine fixed perspectives exactly once (the API, stored ratings and
    the screening rely on their ids)."""
    problems = []
    seen: set[str] = set()
    for i, pid in enumerate(header.perspectives):
        if pid not in PERSPECTIVE_IDS:
            known = ", ".join(PERSPECTIVE_IDS)
            problems.append(
                located.problem(("perspectives", i), f"unknown perspective {pid!r} (the ids are fixed: {known})")
            )
        elif pid in seen:
            problems.append(located.problem(("perspectives", i), f"perspective {pid!r} is listed twice"))
        seen.add(pid)
    missing = [pid for pid in PERSPECTIVE_IDS if pid not in seen]
    if missing:
        names = ", ".join(repr(pid) for pid in missing)
        problems.append(
            located.problem(("perspectives",), f"every base rubric has the nine perspectives: {names} missing")
        )
    return problems


def _criteria_problems(perspective: Perspective, located: Located) -> list[RubricProblem]:
    """A base criterion's id is ``<perspective>.<target>.<slug>`` (so it never clashes with another
    perspective's or an extension's), and each target has 3 to 6 criteria."""
    problems = []
    for i, criterion in enumerate(perspective.criteria):
        prefix = f"{perspective.id}.{criterion.target}."
        if not criterion.id.startswith(prefix) or len(criterion.id) == len(prefix):
            message = f"a criterion of this perspective and target is named {prefix}<slug>, found {criterion.id!r}"
            problems.append(located.problem(("criteria", i, "id"), message))
    low, high = CRITERIA_PER_TARGET
    for target in Target:
        n = len(perspective.criteria_for(target))
        if not low <= n <= high:
            message = f"{n} criteria for the target {target.value!r}; each target has {low} to {high}"
            problems.append(located.problem(("criteria",), message))
    return problems


def load_extension(path: Path, root: Path | None = None) -> RubricExtension:
    return load_model(RubricExtension, path, root)


MIGRATION_FILE = "migration.yaml"


def load_migration(version_dir: Path, root: Path | None = None) -> tuple[RubricMigration, Located] | None:
    """The migration map of a rubric version (``<version>/migration.yaml``), if it has one."""
    path = version_dir / MIGRATION_FILE
    if not path.exists():
        return None
    return load_located(RubricMigration, path, root or version_dir.parent.parent)

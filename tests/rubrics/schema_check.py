"""Validate rubric files against the published JSON Schema with a third-party validator (jsonschema-rs),
reporting each problem with file, line and field through the rubric loader's line map."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from app.rubrics.loader import Located, RubricProblem, parse_yaml
from app.rubrics.schema import kind_of, rubric_file_schema


@cache
def _validator(kind: str) -> Any:
    schema = rubric_file_schema()
    return jsonschema_rs.validator_for(
        {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"}
    )


def _field(error: Any) -> tuple[Any, ...]:
    loc = tuple(error.instance_path)
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return (*loc, kind.property)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties) and kind.unexpected:
        return (*loc, kind.unexpected[0])
    return loc


def schema_problems(path: Path, root: Path) -> list[RubricProblem]:
    """Every schema violation of one file under ``root`` (empty: the file is valid)."""
    name = str(path.relative_to(root))
    data, lines = parse_yaml(path, name)
    where = Located(name, lines)
    validator = _validator(kind_of(path.relative_to(root)))
    return [where.problem(_field(e), e.message) for e in validator.iter_errors(data)]


def rubric_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.yaml"))

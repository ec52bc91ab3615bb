"""The JSON Schema of rubric files, generated from the same pydantic models that validate them.

Published at ``/api/v1/rubrics/schema``; editors can point at it (``# yaml-language-server: $schema=…``)
and the test suite validates every file in ``rubrics/`` against it. Each kind of file has its own
definition (``$defs``), and the top level accepts any of them.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.rubrics.models import Perspective, RubricExtension, RubricHeader, RubricMigration

FILE_KINDS: dict[str, type[BaseModel]] = {
    "RubricHeader": RubricHeader,
    "Perspective": Perspective,
    "RubricMigration": RubricMigration,
    "RubricExtension": RubricExtension,
}


def rubric_file_schema() -> dict[str, Any]:
    _, generated = models_json_schema([(m, "validation") for m in FILE_KINDS.values()], ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Livskraft rubric files",
        "description": (
            "rubric.yaml is a RubricHeader, perspectives/<id>.yaml a Perspective, migration.yaml a "
            "RubricMigration, extensions/<municipality>/<id>/<version>.yaml a RubricExtension."
        ),
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in FILE_KINDS],
        "$defs": generated.get("$defs", {}),
    }


def kind_of(path: PurePath) -> str:
    """Which definition a file under ``rubrics/`` must match, by its place in the folder layout."""
    if "extensions" in path.parts:
        return "RubricExtension"
    if path.name == "rubric.yaml":
        return "RubricHeader"
    if path.name == "migration.yaml":
        return "RubricMigration"
    return "Perspective"

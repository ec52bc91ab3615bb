"""Create a decision from an open decision record: map it (pure), then use the ordinary decision service,
so the same rules apply (write right, case number unique within the municipality → 409, audit event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlmodel import Session

from app.assessments import service as decisions
from app.assessments.models import Decision
from app.auth.actor import Actor
from app.db.base import utcnow
from app.errors import FieldProblem, ValidationFailed
from app.opendecisions import ahjo, sixaika
from app.opendecisions.common import Imported, clean_source, record_path

Format = Literal["6aika", "ahjo"]


def map_record(fmt: Format, record: Mapping[str, Any], language: sixaika.Language | None = None) -> Imported:
    """The decision and its source; every string of the source is cleaned here, once for all formats,
    because the importers copy ids, types and names into it as the record spells them."""
    imported = sixaika.map_record(record, language) if fmt == "6aika" else ahjo.map_record(record)
    return Imported(imported.decision, clean_source(imported.source))


def import_decision(
    session: Session,
    actor: Actor,
    fmt: Format,
    record: Mapping[str, Any],
    language: sixaika.Language | None = None,
) -> Decision:
    actor.require("write")
    imported = map_record(fmt, record, language)
    code = imported.source.get("municipality_code")
    if code and code != actor.municipality_code:
        raise ValidationFailed(
            f"the record is a decision of municipality {code}; this token belongs to {actor.municipality_code}",
            errors=[
                FieldProblem(
                    record_path(record, "municipality.kuntanumero", "municipality.code"),
                    f"belongs to municipality {code}, not {actor.municipality_code}",
                    "other_municipality",
                )
            ],
        )
    imported_at = utcnow().isoformat().removesuffix("+00:00") + "Z"  # in UTC, written as every time of the API
    source = {**imported.source, "imported_at": imported_at, "imported_by": actor.label}
    return decisions.create_decision(session, actor, imported.decision, source)

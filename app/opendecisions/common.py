"""What both importers share: tolerant record models, limits taken from the decision schema, and the
step from mapped fields to a validated :class:`DecisionCreate` whose errors name the *record's* fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from app.assessments.models import Decision
from app.assessments.schemas import DecisionCreate
from app.errors import FieldProblem, ValidationFailed
from app.municipalities.timezone import local_day
from app.opendecisions.text import clean, shorten, truncate


def _max_length(name: str) -> int:
    """The tighter of the API schema's and the database column's limit for a decision field."""
    limits = [
        m.max_length
        for m in DecisionCreate.model_fields[name].metadata
        if isinstance(getattr(m, "max_length", None), int)
    ]
    column_length = getattr(Decision.__table__.c[name].type, "length", None)  # type: ignore[attr-defined]
    if isinstance(column_length, int):
        limits.append(column_length)
    return int(min(limits))


SUMMARY_LIMIT = _max_length("summary")
TITLE_LIMIT = _max_length("title")
BODY_LIMIT = _max_length("deciding_body")
CASE_NUMBER_LIMIT = _max_length("case_number")
SOURCE_TEXT_LIMIT = 200_000
"""The untruncated proposal kept in ``source`` (the request body limit caps it long before this)."""

FORMAT_NAMES = {"6aika": "6Aika Open Decision API", "ahjo": "Helsinki Ahjo decisions API"}


def _ident(value: Any) -> Any:
    """Identifiers arrive as strings or numbers depending on the publisher; keep them as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Ident = Annotated[str, BeforeValidator(_ident)]


class Loose(BaseModel):
    """A part of a foreign record: unknown fields are ignored (the formats carry far more than we use)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)


M = TypeVar("M", bound=BaseModel)


def _record_path(record: Mapping[str, Any], loc: tuple[Any, ...]) -> tuple[str, str | None]:
    """``record.<path>`` of an error's location, as the record spells it: only the keys and indexes the
    record has. Pydantic puts the member of a union that failed in the location too (``case.Case``,
    ``case.list[Case]``, ``organization.name.constrained-str``): the name of a schema, not of a field.
    Also the path of the first union whose member's tag was left out (None when there was none)."""
    parts, node, union = ["record"], record, None
    for segment in loc:
        keyed = isinstance(node, Mapping) and isinstance(segment, str) and segment in node
        listed = isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node)
        if not (keyed or listed):  # a union member's tag (every field of these models is optional)
            union = union or ".".join(parts)
            continue
        node = node[segment]
        parts.append(str(segment))
    return ".".join(parts), union


def _record_problems(record: Mapping[str, Any], errors: list[Any]) -> list[FieldProblem]:
    """One problem per field of the record. The members of a union each report what they expected: a
    member that only says the value is of another type (``case`` "should be a valid list") is left out
    when another member got further (the list's item ``case.0.register_id``), and those that fail at
    the same field say it in one message ("a valid string, or a valid dictionary")."""
    located = [(*_record_path(record, tuple(e["loc"])), str(e["msg"]), str(e["type"])) for e in errors]
    deeper = {union for path, union, _, _ in located if union is not None and path != union}
    by_field: dict[str, list[tuple[str, str]]] = {}
    for path, union, message, code in located:
        if union is not None and path == union and union in deeper and code.endswith("_type"):
            continue
        by_field.setdefault(path, []).append((message, code))
    problems = []
    for path, found in by_field.items():
        messages: list[str] = []
        for message, _ in found:
            said = message if not messages else message.removeprefix("Input should be ")
            if said not in messages:
                messages.append(said)
        codes = {code for _, code in found}
        problems.append(FieldProblem(path, ", or ".join(messages)[:300], found[0][1] if len(codes) == 1 else "invalid"))
    return problems


def parse_record(model: type[M], record: Mapping[str, Any]) -> M:
    """Validate a posted record; errors become 422 problems located at ``record.<path>``, one per field
    (:func:`_record_problems`)."""
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        problems = _record_problems(record, list(exc.errors()))
        raise ValidationFailed("the record does not have the expected shape; see errors", errors=problems) from exc


@dataclass
class Mapped:
    """Fields for the decision, each with the record path it came from (for error messages)."""

    case_number: tuple[str | None, str]
    title: tuple[str | None, str]
    deciding_body: tuple[str | None, str]
    summary: str = ""
    planned_date: date | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    planned_date_path: str = "record"
    """The record field the meeting date came from (a date the decision rules refuse is named by it)."""


@dataclass(frozen=True)
class Imported:
    decision: DecisionCreate
    source: dict[str, Any]


def text_or_none(value: str | None) -> str | None:
    text = clean(value) if value else ""
    return text or None


def clean_source(value: Any) -> Any:
    """``source`` with every string cleaned like the title and texts are (:func:`clean`): no control
    characters, which PostgreSQL cannot store (NUL) and nobody can read. A string left empty becomes
    ``None``, as a missing value would be."""
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, Mapping):
        return {key: clean_source(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_source(item) for item in value]
    return value


def meeting_date(value: str | None, path: str, problems: list[FieldProblem]) -> date | None:
    """The calendar date of a meeting: a date or local time as written (``2021-12-13T16:00:00.000``);
    an instant with an offset on the day it is in Finland, where the meetings of these formats are held
    (``2017-06-04T21:00:00Z`` is 5 June in Helsinki; ``2017-06-05T00:00:00+03:00`` stays 5 June)."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) > 10:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return local_day(moment, "FI") if moment.tzinfo is not None else moment.date()
        return date.fromisoformat(text)
    except ValueError:
        problems.append(FieldProblem(path, f"{text[:40]!r} is not an ISO 8601 date or date-time", "date_parsing"))
        return None


def section(number: str | None) -> str | None:
    """The section (pykälä) as ``§ 207``, whether the record wrote ``207`` or ``§ 207`` (or ``207 §``)."""
    text = clean(number).strip("§ ") if number else ""
    return f"§ {text}" if text else None


_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"']{1,1990}$", re.IGNORECASE)


def safe_url(value: Any) -> str | None:
    """Keep only plain http(s) links, so a stored link can never be ``javascript:`` or similar."""
    return value if isinstance(value, str) and _SAFE_URL.match(value) else None


def summary_text(text: str) -> tuple[str, bool]:
    return truncate(text, SUMMARY_LIMIT)


def build(mapped: Mapped, fmt: str) -> DecisionCreate:
    """Turn mapped fields into a validated decision, or a 422 that says which record field is wrong."""
    problems = list(mapped.problems)
    values: dict[str, Any] = {"summary": mapped.summary, "planned_date": mapped.planned_date}
    origins: dict[str, str] = {"planned_date": mapped.planned_date_path}
    for name, (value, path) in (
        ("case_number", mapped.case_number),
        ("title", mapped.title),
        ("deciding_body", mapped.deciding_body),
    ):
        origins[name] = path
        if not value:
            problems.append(FieldProblem(path, _MISSING[name].format(fmt=FORMAT_NAMES[fmt]), "missing"))
            continue
        if name == "case_number":
            if len(value) > CASE_NUMBER_LIMIT:
                problems.append(
                    FieldProblem(path, f"the case number is longer than {CASE_NUMBER_LIMIT} characters", "too_long")
                )
                continue
            values[name] = value
        else:
            values[name] = shorten(value, TITLE_LIMIT if name == "title" else BODY_LIMIT)
    if problems:
        raise ValidationFailed("the record cannot be imported as a decision; see errors", errors=problems)
    try:
        return DecisionCreate.model_validate(values)
    except ValidationError as exc:
        errors = [
            FieldProblem(origins.get(str(e["loc"][0]), "record"), e["msg"][:300], e["type"]) for e in exc.errors()
        ]
        raise ValidationFailed("the record cannot be imported as a decision; see errors", errors=errors) from exc


_MISSING = {
    "case_number": "the case number is missing; a decision needs the municipality's case number ({fmt})",
    "title": "the title is missing ({fmt})",
    "deciding_body": "the deciding body (organisation) is missing ({fmt})",
}


def record_path(record: Mapping[str, Any], *candidates: str) -> str:
    """The first candidate path (dotted, list items as numbers) present in the record, as
    ``record.<path>``, so an error names the field the way the sender spelled it; else the first one."""
    for candidate in candidates:
        node: Any = record
        for part in candidate.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                break
        else:
            return f"record.{candidate}"
    return f"record.{candidates[0]}"

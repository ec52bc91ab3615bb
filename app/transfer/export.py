"""Lossless export/import of one municipality as JSON (format ``livskraft.export/1``).

The export holds every row of the municipality's decisions, assessments, screening, alternatives,
ratings, review entries, follow-ups, users (without password hashes) and the audit trail, with ids and
timestamps, sorted; so export → import into an empty database → export gives identical bytes. Secrets
(password hashes, API tokens, webhook secrets, sessions) are never exported; imported users get an
unusable password and must be given a new one (`livskraft users reset-password`). The import copies the
audit chain as it was and adds no event of its own, so the chain still verifies.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    create_model,
)
from sqlalchemy import Boolean, Column, Date, Integer, String, Table, TypeDecorator, Uuid
from sqlmodel import Session

from app.db.types import UTCDateTime
from app.errors import Conflict, FieldProblem, ValidationFailed
from app.municipalities import repository as municipality_repo
from app.municipalities.codes import lookup
from app.portfolio import service as portfolio
from app.rubrics.registry import RubricRegistry
from app.transfer import repository as repo
from app.transfer import values

FORMAT = "livskraft.export/1"
USER_SECRET_COLUMNS = ("password_hash", "failed_logins", "locked_until", "last_login_at")
UNUSABLE_PASSWORD = "!imported-account-needs-a-password-reset"  # noqa: S105 - not a valid argon2 hash


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_municipality(session: Session, municipality_id: uuid.UUID) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    assessment_ids: list[Any] = []
    for name in repo.ORDER:
        rows = []
        for row in repo.rows_of(session, name, municipality_id, assessment_ids):
            data = {k: _jsonable(v) for k, v in row._mapping.items()}
            if name == "user":
                for col in USER_SECRET_COLUMNS:
                    data.pop(col, None)
            if name == "audit_event":
                data.pop("id", None)  # a database-wide serial; ``seq`` orders the municipality's chain
            rows.append(data)
        if name == "assessment":
            assessment_ids = [uuid.UUID(r["id"]) for r in rows]
        tables[name] = rows
    municipality = tables.pop("municipality")[0]
    return {"format": FORMAT, "municipality": municipality, "tables": tables}


def dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


# How pydantic's error types read for someone fixing a JSON file by hand.
_MESSAGES = {
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "list_type": "expected a list",
    "missing": "missing",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "bool_type": "expected true or false",
    "uuid_parsing": "not a UUID",
    "uuid_type": "not a UUID",
    "literal_error": f"expected {FORMAT}",
}
_SHOWN_PROBLEMS = 3


def _python_type(column: Column[Any]) -> Any:
    """The type a column's value has after validation, from JSON as :func:`export_municipality` writes it."""
    ctype = column.type
    if isinstance(ctype, UTCDateTime):
        return datetime
    if isinstance(ctype, TypeDecorator):  # sqlmodel's AutoString: a String underneath
        ctype = ctype.impl_instance
    if isinstance(ctype, Uuid):
        return uuid.UUID
    if isinstance(ctype, Date):
        return date
    if isinstance(ctype, Boolean):
        return Annotated[bool, Strict()]
    if isinstance(ctype, Integer):
        return Annotated[int, Strict()]
    if isinstance(ctype, String):
        return Annotated[str, Strict(), StringConstraints(max_length=ctype.length)]
    return Any  # JSON


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null")
    return value


def _optional(table: Table, column: Column[Any]) -> bool:
    """A column the export may leave out: it has a default, or is a secret that exports never carry. Row
    ids are always written (the format is lossless, and other rows refer to them), so they are required."""
    if column.name == "id" and column.primary_key and column is not table.autoincrement_column:
        return False
    return (
        column.default is not None
        or column.server_default is not None
        or column is table.autoincrement_column
        or (table.name == "user" and column.name in USER_SECRET_COLUMNS)
    )


@cache
def _row_model(name: str) -> type[BaseModel]:
    """A model of one row of a table: its columns with their types; unknown keys are refused."""
    table = repo.table(name)
    fields: dict[str, Any] = {}
    for i, column in enumerate(table.c):
        kind = _python_type(column)
        if column.nullable:
            kind = kind | None
        elif kind is Any:  # a JSON column that must hold a value; ``Any`` alone would let null through
            kind = Annotated[Any, AfterValidator(_not_null)]
        required = not column.nullable and not _optional(table, column)
        # field names are positional, the column name is the alias: columns may be called ``json``, ``copy``, ...
        fields[f"c{i}"] = (kind, Field(alias=column.name) if required else Field(None, alias=column.name))
    return create_model(f"Export_{name}", __config__=ConfigDict(extra="forbid", populate_by_name=False), **fields)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal["livskraft.export/1"]
    municipality: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


def _problems(exc: ValidationError, prefix: tuple[str, ...], unknown: str) -> list[FieldProblem]:
    problems = []
    for e in exc.errors():
        where = ".".join([*prefix, *(str(p) for p in e["loc"])])
        if e["type"] == "extra_forbidden":
            message = unknown
        elif e["type"] == "value_error":
            message = str(e.get("ctx", {}).get("error", e["msg"]))
        else:
            message = _MESSAGES.get(e["type"], e["msg"])
        problems.append(FieldProblem(where, message, e["type"]))
    return problems


def _no_nul(value: Any, where: str, problems: list[FieldProblem]) -> None:
    """PostgreSQL stores no NUL character in text or JSON; find each one, so the error can say where."""
    if isinstance(value, str):
        if "\x00" in value:
            problems.append(FieldProblem(where, "contains a NUL character, which PostgreSQL cannot store", "nul"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, where, problems)
            _no_nul(item, f"{where}.{key}", problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_nul(item, f"{where}.{i}", problems)


def _restore(name: str, row: dict[str, Any], where: str, problems: list[FieldProblem]) -> dict[str, Any] | None:
    """One row as the insert needs it (UUIDs, datetimes, dates), or ``None`` with its problems added."""
    try:
        model = _row_model(name).model_validate(row)
    except ValidationError as exc:
        problems.extend(_problems(exc, (where,), "unknown column"))
        return None
    out = model.model_dump(by_alias=True, exclude_unset=True)
    if name == "user":
        out.setdefault("password_hash", UNUSABLE_PASSWORD)
        out.setdefault("failed_logins", 0)
    return out


def _check_references(rows: dict[str, list[dict[str, Any]]], problems: list[FieldProblem]) -> None:
    """Every reference (municipality, decision, assessment, user, ...) points at a row of this export, so
    an import can neither fail half-way on a foreign key nor attach rows to another municipality's data."""
    ids = {name: {r["id"] for r in table_rows if "id" in r} for name, table_rows in rows.items()}
    for name, table_rows in rows.items():
        foreign = [(c.name, fk.column.table.name) for c in repo.table(name).c for fk in c.foreign_keys]
        for i, row in enumerate(table_rows):
            for column, target in foreign:
                value = row.get(column)
                if value is not None and value not in ids.get(target, set()):
                    where = "municipality" if name == "municipality" else f"tables.{name}.{i}"
                    problems.append(
                        FieldProblem(f"{where}.{column}", f"refers to {target} {value}, which is not in the export")
                    )


def _refuse(problems: list[FieldProblem]) -> ValidationFailed:
    """One line that says what is wrong (the first few problems), with every problem in ``errors``."""
    shown = "; ".join(f"{p.field}: {p.message}" for p in problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return ValidationFailed(
        f"not a valid export: {shown}" + (f" (and {more} more)" if more > 0 else ""), errors=problems
    )


def validate_export(
    data: Any, *, postgresql: bool = False, registry: RubricRegistry | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of an export by table (``municipality`` first), checked before anything is written:
    the envelope, every column's type and length, required columns, each row's values by the domain's
    rules (:mod:`app.transfer.values`), references and, with ``registry``, the ratings' criteria against
    their assessments' pinned rubrics. Raises one :class:`ValidationFailed` naming every problem
    (``municipality.country``, ``tables.decision.3.id``, ``tables.rating.0.score``)."""
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        if not isinstance(data, dict):
            raise _refuse([FieldProblem("(top level)", "expected an object", "dict_type")]) from exc
        raise _refuse(_problems(exc, (), "unknown key")) from exc
    problems: list[FieldProblem] = [
        FieldProblem(f"tables.{name}", "unknown table", "unknown_table")
        for name in envelope.tables
        if name not in repo.ORDER[1:]
    ]
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in repo.ORDER:
        source = [envelope.municipality] if name == "municipality" else envelope.tables.get(name, [])
        restored = []
        for i, row in enumerate(source):
            where = "municipality" if name == "municipality" else f"tables.{name}.{i}"
            if postgresql:
                _no_nul(row, where, problems)
            out = _restore(name, row, where, problems)
            if out is not None:
                problems.extend(values.row_problems(name, out, where))  # the domain's rules for its values
                restored.append(out)
        rows[name] = restored
    if not problems:
        _check_references(rows, problems)
    if not problems:
        problems.extend(values.relation_problems(rows))
    if not problems and registry is not None:
        problems.extend(values.rubric_problems(rows, registry))
    if problems:
        raise _refuse(problems)
    values.fill_decision_snapshots(rows)  # an export from before they were kept
    return rows


def import_municipality(session: Session, data: Any, registry: RubricRegistry | None = None) -> str:
    """Insert an export into a database where the municipality does not exist yet; returns its code.

    The whole file is validated first (with ``registry``, the ratings against their rubrics too), so a
    broken one is refused before anything is written."""
    rows = validate_export(data, postgresql=session.get_bind().dialect.name == "postgresql", registry=registry)
    municipality = rows["municipality"][0]
    code: str = municipality["code"]
    if lookup(code) is None:
        raise ValidationFailed(
            f"not a valid export: municipality.code: {code!r} is not an official municipality code",
            errors=[FieldProblem("municipality.code", f"{code!r} is not an official municipality code")],
        )
    if municipality_repo.by_code(session, code) is not None:
        raise Conflict(f"municipality {code} already exists in this database; import into an empty one")
    for name in repo.ORDER:
        table_rows = values.earlier_versions_first(rows[name]) if name == "assessment" else rows[name]
        repo.insert_rows(session, name, table_rows)
    session.flush()
    portfolio.rebuild_municipality(session, municipality["id"])  # derived data, not exported
    return code

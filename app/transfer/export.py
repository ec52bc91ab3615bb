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
from typing import Any

from sqlalchemy import Date, Uuid
from sqlmodel import Session

from app.db.types import UTCDateTime
from app.errors import Conflict, FieldProblem, ValidationFailed
from app.municipalities import repository as municipality_repo
from app.municipalities.codes import lookup
from app.portfolio import service as portfolio
from app.transfer import repository as repo

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


def _restore(name: str, row: dict[str, Any]) -> dict[str, Any]:
    table = repo.table(name)
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key not in table.c:
            raise ValidationFailed(f"unknown column {name}.{key}", errors=[FieldProblem(f"tables.{name}", key)])
        ctype = table.c[key].type
        if value is not None and isinstance(ctype, Uuid):
            value = uuid.UUID(value)
        elif value is not None and isinstance(ctype, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(ctype, Date):
            value = date.fromisoformat(value)
        out[key] = value
    if name == "user":
        out.setdefault("password_hash", UNUSABLE_PASSWORD)
        out.setdefault("failed_logins", 0)
    return out


def import_municipality(session: Session, data: dict[str, Any]) -> str:
    """Insert an export into a database where the municipality does not exist yet; returns its code."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationFailed("not a Livskraft export", errors=[FieldProblem("format", f"expected {FORMAT}")])
    municipality = data.get("municipality") or {}
    code = str(municipality.get("code", ""))
    if lookup(code) is None:
        raise ValidationFailed("unknown municipality", errors=[FieldProblem("municipality.code", code)])
    if municipality_repo.by_code(session, code) is not None:
        raise Conflict(f"municipality {code} already exists in this database; import into an empty one")
    tables = data.get("tables") or {}
    repo.insert_rows(session, "municipality", [_restore("municipality", municipality)])
    for name in repo.ORDER[1:]:
        repo.insert_rows(session, name, [_restore(name, r) for r in tables.get(name, [])])
    session.flush()
    portfolio.rebuild_municipality(session, uuid.UUID(str(municipality["id"])))  # derived data, not exported
    return code

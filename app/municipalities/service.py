"""Creating tenants: the code must be a real kuntanumero (FI) or kommunkod (SE)."""

from __future__ import annotations

from sqlmodel import Session

from app.errors import Conflict, FieldProblem, ValidationFailed
from app.municipalities import repository as repo
from app.municipalities.codes import lookup
from app.municipalities.models import Municipality


def create_municipality(
    session: Session, code: str, country: str | None = None, name: str | None = None
) -> Municipality:
    code = code.strip()
    official = lookup(code, country.upper() if country else None)
    if official is None:
        raise ValidationFailed(
            "unknown municipality code",
            errors=[
                FieldProblem(
                    "code",
                    f"'{code}' is not an official code: use a 3-digit kuntanumero (FI) or a 4-digit kommunkod (SE)",
                    "unknown_code",
                )
            ],
        )
    if repo.by_code(session, official.code) is not None:
        raise Conflict(f"municipality {official.code} already exists")
    municipality = Municipality(code=official.code, country=official.country, name=name or official.name)
    session.add(municipality)
    session.flush()
    return municipality


def get_or_create(session: Session, code: str) -> Municipality:
    return repo.by_code(session, code) or create_municipality(session, code)

"""The caller's municipality, its settings (weights, branding) and its audit trail."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.deps import ActorDep, AdminOnly, IfMatchTagDep, SessionDep
from app.api.pagination import MAX_LIMIT, Page, as_seq, cursor_tag, decode_cursor, encode_cursor
from app.api.problems import responses
from app.assessments.schemas import NotNull
from app.audit import repository as audit_repo
from app.audit import service as audit
from app.errors import NotFound, PreconditionFailed
from app.municipalities.models import Municipality
from app.routing import Router
from app.rubrics.models import PERSPECTIVE_IDS, Target
from app.text import CLEAN_TEXT

router = Router(prefix="/api/v1", tags=["municipalities"])
Weight = Annotated[float, Field(ge=0, le=10, strict=True)]
"""A JSON number (``2`` or ``1.5``); a string (``"2"``) is refused, as every typed field of a body is."""


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    perspectives: dict[str, Weight] = Field(default_factory=dict, description="Perspective id → weight (default 1)")
    targets: dict[str, Weight] = Field(default_factory=dict, description="Target → weight (default 1)")


class MunicipalitySettings(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"weights": {"perspectives": {"policy": 2, "rural-services": 1.5}}, "brand_colour": "#00509e"}]
        },
    )
    weights: NotNull[Weights] = None
    brand_colour: NotNull[Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]] = None
    display_name: NotNull[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=CLEAN_TEXT)]
    ] = None


class MunicipalityPublic(BaseModel):
    code: str
    country: str
    name: str
    settings: dict[str, Any]


class AuditEventPublic(BaseModel):
    seq: int
    at: datetime
    actor: str
    actor_user_id: uuid.UUID | None = Field(
        description="The id of the user who acted, whatever their name and e-mail address are now (`actor` "
        "shows them as they were then); null when no person acted (`token:…`, a token not acting for a "
        "person; `system`) and for every event recorded before events carried user ids (migration 0014)"
    )
    action: str
    resource_type: str
    resource_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


def _public(m: Municipality) -> MunicipalityPublic:
    return MunicipalityPublic(code=m.code, country=m.country, name=m.name, settings=m.settings)


def _own(session: SessionDep, actor: ActorDep, code: str, for_update: bool = False) -> Municipality:
    m = session.get(Municipality, actor.municipality_id, with_for_update=for_update)
    if m is None or m.code != code:
        raise NotFound("municipality not found")
    return m


def settings_etag(m: Municipality) -> str:
    """The ETag of a municipality: a hash of what a client reads (no version column is needed)."""
    content = json.dumps([m.code, m.name, m.settings], sort_keys=True, separators=(",", ":"), default=str)
    return '"s' + hashlib.sha256(content.encode("utf-8")).hexdigest()[:20] + '"'


@router.get("/municipalities", summary="List municipalities visible to the caller", responses=responses(401))
def list_municipalities(session: SessionDep, actor: ActorDep) -> list[MunicipalityPublic]:
    """A token sees exactly one municipality: its own."""
    m = session.get(Municipality, actor.municipality_id)
    return [_public(m)] if m else []


@router.get("/municipalities/{code}", summary="Read a municipality", responses=responses(401, 404))
def get_municipality(code: str, session: SessionDep, actor: ActorDep, response: Response) -> MunicipalityPublic:
    """The caller's own municipality by its official code (another code: 404). The `ETag` header is what
    a change of its settings must send as `If-Match`."""
    m = _own(session, actor, code)
    response.headers["ETag"] = settings_etag(m)
    return _public(m)


@router.patch(
    "/municipalities/{code}/settings",
    summary="Change weights and branding",
    responses=responses(401, 403, 404, 412, 413, 415, 422, 428),
    dependencies=[AdminOnly],
)
def update_settings(
    code: str,
    data: MunicipalitySettings,
    session: SessionDep,
    actor: ActorDep,
    expected: IfMatchTagDep,
    response: Response,
) -> MunicipalityPublic:
    """Admin scope; `If-Match` with the ETag of `GET /municipalities/{code}`. Weights are used by the
    scoring model for drafts and for assessments approved afterwards; reports state the weights they used."""
    actor.require("admin")
    m = _own(session, actor, code, for_update=True)  # the check and the write see the same row
    if not expected.matches(settings_etag(m)):
        raise PreconditionFailed("the settings were changed by someone else since you read them; read again")
    if data.weights is not None:
        from app.errors import FieldProblem, ValidationFailed

        bad = [
            FieldProblem(f"weights.perspectives.{k}", "unknown perspective id")
            for k in data.weights.perspectives
            if k not in PERSPECTIVE_IDS
        ] + [
            FieldProblem(f"weights.targets.{k}", "unknown target")
            for k in data.weights.targets
            if k not in list(Target)
        ]
        if bad:
            raise ValidationFailed("unknown keys in weights", errors=bad)
    before = dict(m.settings)
    changes = data.model_dump(exclude_none=True, mode="json")
    if all(m.settings.get(key) == value for key, value in changes.items()):
        # an empty change, or one to the values they have, writes nothing: as they are, with their ETag
        response.headers["ETag"] = settings_etag(m)
        return _public(m)
    m.settings = {**m.settings, **changes}
    session.add(m)
    session.flush()
    audit.record(session, actor, "municipality.settings", "municipality", m.id, before, m.settings)
    response.headers["ETag"] = settings_etag(m)
    return _public(m)


AUDIT_CURSOR = cursor_tag("audit-events", "seq", "asc")


@router.get("/audit-events", summary="The audit trail", responses=responses(401, 422))
def list_audit_events(
    session: SessionDep,
    actor: ActorDep,
    resource_id: Annotated[str | None, Query(max_length=64, pattern=CLEAN_TEXT)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[AuditEventPublic]:
    """Every change in the municipality, oldest first, hash-chained (`livskraft audit verify`). The
    events of administration are listed only to a caller with the admin right, as the routes and pages
    that manage them are: API tokens (`token.*`), webhook subscriptions (`webhook.*`: subscriber URLs),
    user accounts and invitations (`user.*`: e-mail addresses, roles) and sign-ins (`login.*`,
    `password_change.*`). Other callers see the trail without them (the `seq` numbers then have gaps)."""
    after = decode_cursor(cursor, AUDIT_CURSOR, as_seq)
    hidden = () if "admin" in actor.scopes else audit_repo.ADMIN_RESOURCE_TYPES
    rows = audit_repo.page(session, actor.municipality_id, resource_id, after[0] if after else 0, limit + 1, hidden)
    items = [AuditEventPublic.model_validate(e, from_attributes=True) for e in rows[:limit]]
    next_cursor = encode_cursor(AUDIT_CURSOR, [rows[limit - 1].seq]) if len(rows) > limit else None
    return Page[AuditEventPublic](items=items, next_cursor=next_cursor)

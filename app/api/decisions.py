"""Decision endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query, Response, status

from app.api.deps import ActorDep, DecisionDep, IfMatchDep, RegistryDep, SessionDep, unchanged
from app.api.pagination import (
    MAX_LIMIT,
    Page,
    Parser,
    as_date,
    as_datetime,
    as_text,
    as_uuid,
    cursor_tag,
    decode_cursor,
    encode_cursor,
    nullable,
)
from app.api.param_models import in_order
from app.api.problems import responses
from app.assessments import service
from app.assessments.list_repository import DecisionQuery, page_decisions
from app.assessments.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    DecisionCreate,
    DecisionPublic,
    DecisionUpdate,
)
from app.assessments.views import assessment_public, decision_public, etag
from app.routing import Router
from app.text import CLEAN_TEXT

router = Router(prefix="/api/v1/decisions", tags=["decisions"])


DECISION_LINKS = {
    "get_decision": {"operationId": "get_decision", "parameters": {"decision_id": "$response.body#/id"}},
    "update_decision": {"operationId": "update_decision", "parameters": {"decision_id": "$response.body#/id"}},
    "create_assessment": {"operationId": "create_assessment", "parameters": {"decision_id": "$response.body#/id"}},
}
ASSESSMENT_LINKS = {
    op: {"operationId": op, "parameters": {"assessment_id": "$response.body#/id"}}
    for op in (
        "get_assessment",
        "put_screening",
        "add_alternative",
        "list_ratings",
        "put_ratings",
        "get_summary",
        "submit",
        "history",
        "list_follow_ups",
        "assessment_report",
    )
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a decision",
    responses={**responses(401, 403, 409, 413, 415, 422), 201: {"description": "Created", "links": DECISION_LINKS}},
)
def create_decision(data: DecisionCreate, session: SessionDep, actor: ActorDep, response: Response) -> DecisionPublic:
    """Register a decision that is being prepared. The case number is unique within the municipality."""
    decision = service.create_decision(session, actor, data)
    response.headers["ETag"] = etag(decision.version)
    response.headers["Location"] = f"/api/v1/decisions/{decision.id}"
    return decision_public(decision, actor.municipality_code)


SORT_VALUE: dict[str, Parser] = {"created_at": as_datetime, "planned_date": nullable(as_date), "case_number": as_text}
"""How a cursor's sort value is read back, by sort (a decision's planned date may be empty)."""


@router.get("", summary="List decisions", responses=responses(401, 422))
def list_decisions(
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[
        str | None, Query(max_length=200, pattern=CLEAN_TEXT, description="Search in title and case number")
    ] = None,
    case_number: Annotated[
        str | None, Query(max_length=64, pattern=CLEAN_TEXT, description="Exact case number")
    ] = None,
    deciding_body: Annotated[str | None, Query(max_length=200, pattern=CLEAN_TEXT)] = None,
    date_from: Annotated[date | None, Query(alias="from", description="Planned date on or after")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Planned date on or before")] = None,
    sort: Literal["created_at", "planned_date", "case_number"] = "created_at",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[
        str | None,
        Query(max_length=500, description="`next_cursor` of the previous page, with the same `sort` and `order`"),
    ] = None,
) -> Page[DecisionPublic]:
    """The municipality's decisions, a page at a time (`next_cursor`), ordered by `sort` and id. `q`
    finds the text as typed (`%` and `_` are not wildcards)."""
    in_order(date_from, date_to)
    query = DecisionQuery(q, deciding_body, date_from, date_to, case_number, sort, order)
    tag = cursor_tag("decisions", sort, order)
    after = decode_cursor(cursor, tag, SORT_VALUE[sort], as_uuid)
    rows, (total, exact) = page_decisions(session, actor.municipality_id, query, after, limit + 1)
    items = [decision_public(d, actor.municipality_code) for d in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(tag, [getattr(last, sort), str(last.id)]) if last is not None else None
    return Page[DecisionPublic](items=items, next_cursor=next_cursor, total=total, total_exact=exact)


@router.get("/{decision_id}", summary="Read a decision", responses=responses(401, 404, 422))
def get_decision(decision: DecisionDep, actor: ActorDep, response: Response) -> DecisionPublic:
    """One decision of the municipality, with its `ETag` for later changes."""
    response.headers["ETag"] = etag(decision.version)
    return decision_public(decision, actor.municipality_code)


@router.patch(
    "/{decision_id}",
    summary="Change a decision",
    responses=responses(401, 403, 404, 409, 412, 413, 415, 422, 428),
)
def update_decision(
    data: DecisionUpdate,
    decision: DecisionDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> DecisionPublic:
    """Change fields of a decision. Send `If-Match` with the ETag you read. An empty change (`{}`)
    writes nothing and keeps the ETag. While the latest version of the decision's assessment is
    submitted or approved the decision's details are fixed (409, type `invalid-state`); a new draft
    version of the assessment lets them change again."""
    if not data.model_fields_set:
        unchanged(expected.against(decision.version), decision.version, "decision")
    else:
        decision = service.update_decision(
            session, actor, decision, data, expected.against(decision.version), skip_unchanged=True
        )
    response.headers["ETag"] = etag(decision.version)
    return decision_public(decision, actor.municipality_code)


@router.post(
    "/{decision_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    summary="Start the assessment of a decision",
    responses={
        **responses(401, 403, 404, 409, 413, 415, 422),
        201: {"description": "Created", "links": ASSESSMENT_LINKS},
    },
)
def create_assessment(
    data: AssessmentCreate,
    decision: DecisionDep,
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
    response: Response,
) -> AssessmentPublic:
    """Create a draft assessment pinned to a rubric version, with the proposal and the compulsory zero
    alternative (what happens if nothing is decided)."""
    assessment = service.create_assessment(session, actor, registry, decision, data)
    response.headers["ETag"] = etag(assessment.lock_version)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    return assessment_public(session, assessment, actor.municipality_code)

"""Assessment endpoints: read, screen, alternatives, ratings, summary, review workflow, follow-up."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session

from app.api import fast_path
from app.api.deps import (
    ActorDep,
    AssessmentDep,
    AssessmentWriterDep,
    BearerTokenDep,
    Caller,
    CallerDep,
    IfMatch,
    IfMatchDep,
    RegistryDep,
    SessionDep,
    actor_for_request,
    unchanged,
)
from app.api.pagination import MAX_LIMIT, Page, as_datetime, as_uuid, cursor_tag, decode_cursor, encode_cursor
from app.api.param_models import documented, in_order, parsed
from app.api.problems import responses
from app.assessments import repository as repo
from app.assessments import review, service, summary_cache, views
from app.assessments.list_repository import AssessmentQuery, page_assessment_rows
from app.assessments.models import Assessment
from app.assessments.schemas import (
    AlternativeCreate,
    AlternativePublic,
    AlternativeUpdate,
    AssessmentListItem,
    AssessmentPublic,
    FollowUpCreate,
    FollowUpPublic,
    RatingPublic,
    RatingsUpdate,
    ReviewAction,
    ReviewDateUpdate,
    ScreeningUpdate,
    StatusName,
    SummaryPublic,
    TextLanguageUpdate,
)
from app.audit import repository as audit_repo
from app.auth.actor import Actor
from app.db.session import request_unit_of_work
from app.routing import Router
from app.rubrics.models import PERSPECTIVE_IDS, Target
from app.rubrics.registry import RubricRegistry
from app.text import CLEAN_TEXT

router = Router(prefix="/api/v1/assessments", tags=["assessments"])


class ListQuery(BaseModel):
    """The list's query parameters, validated in one call (``app/api/param_models.py``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    status: StatusName | None = None
    deciding_body: Annotated[str | None, Field(max_length=200, pattern=CLEAN_TEXT)] = None
    date_from: Annotated[date | None, Field(alias="from", description="Decision's planned date on or after")] = None
    date_to: Annotated[date | None, Field(alias="to", description="Decision's planned date on or before")] = None
    perspective: Annotated[
        str | None,
        Field(
            max_length=80,
            pattern=CLEAN_TEXT,
            description="Has proposal ratings in this perspective",
            json_schema_extra={"enum": list(PERSPECTIVE_IDS)},
        ),
    ] = None
    target: Target | None = None
    significant_negative: Annotated[
        bool | None, Field(description="Has (or has not) a significant negative impact of the proposal")
    ] = None
    decision_id: uuid.UUID | None = None
    sort: Literal["updated_at", "created_at"] = "updated_at"
    order: Literal["asc", "desc"] = "desc"
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[
        str | None,
        Field(max_length=500, description="`next_cursor` of the previous page, with the same `sort` and `order`"),
    ] = None

    @field_validator("perspective")
    @classmethod
    def _known_perspective(cls, value: str | None) -> str | None:
        """An unknown perspective is refused like an unknown ``target`` (not an empty page)."""
        if value is not None and value not in PERSPECTIVE_IDS:
            raise PydanticCustomError(
                "enum", "Input should be one of: {expected}", {"expected": ", ".join(PERSPECTIVE_IDS)}
            )
        return value


WRITE_ERRORS = responses(401, 403, 404, 409, 412, 413, 415, 422, 428)


def _public(session: Any, assessment: Assessment, actor: Actor, response: Response) -> AssessmentPublic:
    response.headers["ETag"] = views.etag(assessment.lock_version)
    return views.assessment_public(session, assessment, actor.municipality_code)


@router.get(
    "",
    summary="List assessments",
    responses=responses(401, 422),
    response_model=Page[AssessmentListItem],
    openapi_extra=documented(ListQuery),
)
async def list_assessments(caller: CallerDep, params: Annotated[ListQuery, Depends(parsed(ListQuery))]) -> Response:
    """The municipality's assessments, a page at a time (`next_cursor`), with filters, ordered by `sort`
    and id. An assessment changed while you page moves in the default order (`updated_at`): for a full
    sync sort by `created_at`."""
    in_order(params.date_from, params.date_to)  # before the kept pages: a refusal is never a kept answer
    query = AssessmentQuery(
        params.status,
        params.deciding_body,
        params.date_from,
        params.date_to,
        params.perspective,
        params.target.value if params.target else None,
        params.significant_negative,
        params.decision_id,
        params.sort,
        params.order,
    )
    limit, cursor = params.limit, params.cursor
    page = fast_path.cached_list(caller, query, limit, cursor)
    if page is not None:
        return page
    async with request_unit_of_work(write=False) as session:
        return await run_in_threadpool(_list_assessments, session, caller, query, limit, cursor)


def _list_assessments(
    session: Session, caller: Caller, query: AssessmentQuery, limit: int, cursor: str | None
) -> Response:
    actor = caller.actor
    tag = cursor_tag("assessments", query.sort, query.order)
    after = decode_cursor(cursor, tag, as_datetime, as_uuid)  # both sorts are by a time
    rows, (total, exact) = page_assessment_rows(session, actor.municipality_id, query, after, limit + 1)
    items = [views.assessment_list_item_row(row) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(tag, [getattr(last, query.sort), str(last.id)]) if last is not None else None
    page = Page[AssessmentListItem](items=items, next_cursor=next_cursor, total=total, total_exact=exact)
    return fast_path.remember_list(caller, query, limit, cursor, page.model_dump_json().encode())


@router.get(
    "/{assessment_id}",
    summary="Read an assessment",
    responses=responses(401, 404, 422),
    response_model=AssessmentPublic,
)
async def get_assessment(assessment_id: uuid.UUID, request: Request, token: BearerTokenDep) -> Response:
    """The assessment with its screening, alternatives and review history. The `ETag` header (also in
    the body as `etag`) is what changes must send as `If-Match`."""
    cached = await fast_path.cached_read(request, token, "assessment", assessment_id)
    if cached is not None:
        return cached
    # the request's one unit of work, opened only when the cache could not answer
    async with request_unit_of_work(write=False) as session:
        return await run_in_threadpool(_read_assessment, request, session, token, assessment_id)


def _read_assessment(request: Request, session: Session, token: str, assessment_id: uuid.UUID) -> Response:
    actor = actor_for_request(request, session, token)
    assessment = service.get_assessment(session, actor, assessment_id)
    body = views.assessment_public(session, assessment, actor.municipality_code).model_dump_json().encode()
    return fast_path.remember("assessment", assessment, body, etag=views.etag(assessment.lock_version))


@router.put("/{assessment_id}/screening", summary="Screen the perspectives", responses=WRITE_ERRORS)
def put_screening(
    data: ScreeningUpdate,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
    response: Response,
) -> AssessmentPublic:
    """Mark each perspective relevant or not; a reason is required for "not relevant", and a short
    statement when nothing is relevant."""
    version = expected.against(assessment.lock_version)
    service.set_screening(session, actor, registry, assessment, data, version, skip_unchanged=True)
    return _public(session, assessment, actor, response)


@router.post(
    "/{assessment_id}/alternatives",
    status_code=status.HTTP_201_CREATED,
    summary="Add a further option",
    responses=WRITE_ERRORS,
)
def add_alternative(
    data: AlternativeCreate,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> AlternativePublic:
    """Besides the proposal and the zero alternative, compare up to five further options."""
    alt = service.add_alternative(session, actor, assessment, data, expected.against(assessment.lock_version))
    response.headers["ETag"] = views.etag(assessment.lock_version)
    return views.alternative_public(alt)


@router.patch("/{assessment_id}/alternatives/{key}", summary="Change an alternative", responses=WRITE_ERRORS)
def update_alternative(
    key: str,
    data: AlternativeUpdate,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> AlternativePublic:
    """Change the title or description of an alternative (the proposal, the zero alternative or a further option).
    An empty change (`{}`) writes nothing and keeps the ETag."""
    if not data.model_fields_set:
        alt = service.alternative_by_key(session, assessment, key)
        unchanged(
            expected.against(assessment.lock_version),
            assessment.lock_version,
            "assessment",
            current_version=assessment.lock_version,
        )
    else:
        alt = service.update_alternative(
            session, actor, assessment, key, data, expected.against(assessment.lock_version), skip_unchanged=True
        )
    response.headers["ETag"] = views.etag(assessment.lock_version)
    return views.alternative_public(alt)


@router.delete(
    "/{assessment_id}/alternatives/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a further option",
    responses=WRITE_ERRORS,
)
def delete_alternative(
    key: str, assessment: AssessmentDep, expected: IfMatchDep, session: SessionDep, actor: ActorDep, response: Response
) -> None:
    """Further options can be removed with their ratings; the proposal and the zero alternative cannot."""
    service.delete_alternative(session, actor, assessment, key, expected.against(assessment.lock_version))
    response.headers["ETag"] = views.etag(assessment.lock_version)


@router.get("/{assessment_id}/ratings", summary="List ratings", responses=responses(401, 404, 422))
def list_ratings(assessment: AssessmentDep, session: SessionDep, response: Response) -> list[RatingPublic]:
    """Every rated effect of every alternative, ordered by perspective, criterion, target and effect, then
    by alternative (the proposal, the zero alternative, the further options as added) and the rating's id."""
    response.headers["ETag"] = views.etag(assessment.lock_version)
    return views.ratings_public(session, assessment)


@router.put(
    "/{assessment_id}/ratings",
    summary="Save ratings",
    responses=WRITE_ERRORS,
    response_model=list[RatingPublic],
)
async def put_ratings(
    assessment_id: uuid.UUID,
    actor: AssessmentWriterDep,
    expected: IfMatchDep,
    data: RatingsUpdate,
    registry: RegistryDep,
    session: SessionDep,
    request: Request,
) -> Response:
    """Create or replace ratings, keyed by (alternative, criterion, target, effect), all or nothing.
    A non-zero or unknown score needs a rationale; a negative score needs mitigation."""
    single = expected.single  # the fast path needs the version before it reads the assessment
    if single is not None:
        saved = await fast_path.saved_ratings(request, actor, registry, assessment_id, single, data.ratings)
        if saved is not None:
            return saved
    return await run_in_threadpool(_put_ratings, session, actor, registry, assessment_id, expected, data)


def _put_ratings(
    session: Session,
    actor: Actor,
    registry: RubricRegistry,
    assessment_id: uuid.UUID,
    expected: IfMatch,
    data: RatingsUpdate,
) -> Response:
    assessment = service.get_assessment(session, actor, assessment_id)
    version = expected.against(assessment.lock_version)
    service.put_ratings(session, actor, registry, assessment, data.ratings, version, skip_unchanged=True)
    return fast_path.ratings_response(views.ratings_public(session, assessment), assessment.lock_version)


@router.delete(
    "/{assessment_id}/ratings/{rating_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a rating",
    responses=WRITE_ERRORS,
)
def delete_rating(
    rating_id: uuid.UUID,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> None:
    """Remove one rated effect from a draft (the criterion then counts as not rated yet)."""
    service.delete_rating(session, actor, assessment, rating_id, expected.against(assessment.lock_version))
    response.headers["ETag"] = views.etag(assessment.lock_version)


@router.get(
    "/{assessment_id}/summary",
    summary="The summary",
    responses=responses(401, 404, 409, 422),
    response_model=SummaryPublic,
)
async def get_summary(
    assessment_id: uuid.UUID, request: Request, token: BearerTokenDep, registry: RegistryDep
) -> Response:
    """The perspective × target matrix per alternative, the per-target profile, the most significant
    impacts, the proposal − zero delta, uncertainty and what is not rated yet (method: docs/method.md)."""
    cached = await fast_path.cached_read(request, token, "summary", assessment_id)
    if cached is not None:
        return cached
    async with request_unit_of_work(write=False) as session:
        return await run_in_threadpool(_read_summary, request, session, registry, token, assessment_id)


def _read_summary(
    request: Request, session: Session, registry: RubricRegistry, token: str, assessment_id: uuid.UUID
) -> Response:
    actor = actor_for_request(request, session, token)
    assessment = service.get_assessment(session, actor, assessment_id)
    summary = summary_cache.summary(session, service.rubric_of(registry, assessment), assessment)
    body = summary.model_dump_json().encode()
    return fast_path.remember("summary", assessment, body, weights=views.weights_raw(session, assessment))


def _action(assessment: Assessment, session: Any, actor: Actor, response: Response) -> AssessmentPublic:
    return _public(session, assessment, actor, response)


@router.post("/{assessment_id}/submit", summary="Submit for review", responses=WRITE_ERRORS)
def submit(
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    registry: RegistryDep,
    response: Response,
    data: ReviewAction | None = None,
) -> AssessmentPublic:
    """Send a draft to review. Every perspective must be screened; if any is relevant the proposal needs ratings."""
    review.submit(
        session, actor, registry, assessment, expected.against(assessment.lock_version), data.comment if data else ""
    )
    return _action(assessment, session, actor, response)


@router.post("/{assessment_id}/return", summary="Return to the author with comments", responses=WRITE_ERRORS)
def return_assessment(
    data: ReviewAction,
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> AssessmentPublic:
    """Reviewers only, never on their own assessment; a comment is required."""
    review.return_to_draft(session, actor, assessment, expected.against(assessment.lock_version), data.comment)
    return _action(assessment, session, actor, response)


@router.post("/{assessment_id}/approve", summary="Approve", responses=WRITE_ERRORS)
def approve(
    assessment: AssessmentDep,
    expected: IfMatchDep,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    data: ReviewAction | None = None,
) -> AssessmentPublic:
    """Reviewers only (a personal token of a user with the reviewer role), never their own assessment,
    and never a version they changed themselves (403, type `approving-own-changes`: another reviewer
    approves it). An approved assessment is immutable."""
    review.approve(session, actor, assessment, expected.against(assessment.lock_version), data.comment if data else "")
    return _action(assessment, session, actor, response)


@router.post(
    "/{assessment_id}/versions",
    status_code=status.HTTP_201_CREATED,
    summary="Start a new version of an approved assessment",
    responses=responses(401, 403, 404, 409, 422),
)
def new_version(
    assessment: AssessmentDep, session: SessionDep, actor: ActorDep, response: Response
) -> AssessmentPublic:
    """Copies the approved assessment into a new draft linked to it; approving the new version
    supersedes the old one."""
    copy = review.new_version(session, actor, assessment)
    response.headers["Location"] = f"/api/v1/assessments/{copy.id}"
    return _public(session, copy, actor, response)


@router.put("/{assessment_id}/review-date", summary="Set the follow-up review date", responses=WRITE_ERRORS)
def put_review_date(
    data: ReviewDateUpdate,
    assessment: AssessmentDep,
    session: SessionDep,
    actor: ActorDep,
    expected: IfMatchDep,
    response: Response,
) -> AssessmentPublic:
    """When the approved assessment's predictions are to be compared with what actually happened. Like
    every change it needs `If-Match` and gives the assessment a new `ETag`."""
    version = expected.against(assessment.lock_version)
    review.set_review_date(session, actor, assessment, data.review_date, version, skip_unchanged=True)
    return _public(session, assessment, actor, response)


@router.put("/{assessment_id}/text-language", summary="State the language of the texts", responses=WRITE_ERRORS)
def put_text_language(
    data: TextLanguageUpdate,
    assessment: AssessmentDep,
    session: SessionDep,
    actor: ActorDep,
    expected: IfMatchDep,
    response: Response,
) -> AssessmentPublic:
    """The language the draft's texts are written in (`sv`, `fi`, `en`, or null: not stated). The web
    pages, PDFs and Word copies mark the texts with it (`lang`), so a Swedish rationale in a Finnish
    report is hyphenated and read aloud as Swedish. A draft only (409 otherwise); needs `If-Match`."""
    version = expected.against(assessment.lock_version)
    service.set_text_language(session, actor, assessment, data.text_language, version, skip_unchanged=True)
    return _public(session, assessment, actor, response)


@router.get("/{assessment_id}/follow-ups", summary="List follow-ups", responses=responses(401, 404, 422))
def list_follow_ups(assessment: AssessmentDep, session: SessionDep) -> list[FollowUpPublic]:
    """What actually happened, recorded against the proposal's significant ratings."""
    return [FollowUpPublic.model_validate(f, from_attributes=True) for f in repo.follow_ups_for(session, assessment.id)]


@router.post(
    "/{assessment_id}/follow-ups",
    status_code=status.HTTP_201_CREATED,
    summary="Record what actually happened",
    responses=responses(401, 403, 404, 409, 413, 415, 422),
)
def add_follow_up(
    data: FollowUpCreate, assessment: AssessmentDep, session: SessionDep, actor: ActorDep
) -> FollowUpPublic:
    """For a significant rating of an approved assessment: better, as predicted, worse or unknown. One
    per rating: posting again for the same rating replaces its outcome and note (an upsert; the earlier
    value stays in the history); posting the stored outcome and note again (a retry) changes nothing,
    not even who recorded it and when."""
    row = review.add_follow_up(session, actor, assessment, data, skip_unchanged=True)
    return FollowUpPublic.model_validate(row, from_attributes=True)


class HistoryEvent(BaseModel):
    """One change of an assessment, as the audit trail recorded it."""

    seq: int = Field(description="Its place in the municipality's audit chain")
    at: datetime
    actor: str = Field(description="Who acted, as they were named then (`token:…` and `system` for no person)")
    actor_user_id: uuid.UUID | None = Field(
        description="The id of the user who acted, whatever they are named now; null when no person acted "
        "and for changes recorded before events carried user ids (migration 0014)"
    )
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/{assessment_id}/history", summary="Change history", responses=responses(401, 404, 422))
def history(assessment: AssessmentDep, session: SessionDep, actor: ActorDep) -> list[HistoryEvent]:
    """Every change to the assessment, with who and when, from the audit trail."""
    events = audit_repo.events_for(session, actor.municipality_id, [str(assessment.id)])
    return [HistoryEvent.model_validate(e, from_attributes=True) for e in events]

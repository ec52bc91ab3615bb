"""Dependencies of the API routes: one session per request, the actor, load-or-404, If-Match."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlmodel import Session

from app.api.middleware import entity_tags
from app.assessments import service
from app.assessments.models import Assessment, Decision
from app.auth.actor import Actor
from app.auth.tokens import TOKEN_PREFIX, actor_for_principal, actor_for_token, hash_token
from app.db.base import INT4_MAX
from app.db.loop_db import LoopDatabase
from app.db.session import request_unit_of_work
from app.errors import DomainError, PreconditionFailed, PreconditionRequired, Unauthorized
from app.rubrics.registry import RubricRegistry

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: commits before the response is sent, so a 2xx means durable.
    Dependencies that do no I/O are ``async``: each sync one costs a thread hand-off."""
    async with request_unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class BearerToken(HTTPBearer):
    """The bearer token as sent (not yet checked); a request without one is refused here, at once.
    Documented as FastAPI's ``HTTPBearer`` (the OpenAPI security scheme), read in this one dependency:
    ``HTTPBearer`` and a second dependency to unwrap its credentials cost every API request 38 µs, this
    one 22 µs (in process, a bare app)."""

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
        if not token or scheme.lower() != "bearer":
            raise Unauthorized("send an API token as 'Authorization: Bearer TOKEN'")
        return token


bearer_token = BearerToken(scheme_name="HTTPBearer", description="An API token: `Authorization: Bearer lk_…`")
BearerTokenDep = Annotated[str, Depends(bearer_token)]


def actor_for_request(request: Request, session: Session, token: str) -> Actor:
    """The caller's actor: reads need ``read``, changes ``write``."""
    return _may_call(request, actor_for_token(session, token))


def _may_call(request: Request, actor: Actor) -> Actor:
    actor.require("read")
    if request.method not in READ_METHODS:
        actor.require("write")
    return actor


@dataclass(frozen=True)
class Caller:
    actor: Actor
    municipality_head: str | None
    """The head of the municipality's audit chain, read before the request's own queries (None: not
    read, the caller was checked the ordinary way)."""
    national_head: str | None = None
    """The portfolio summary tables' token (``PortfolioState``), read likewise when asked for (None: not
    read)."""


async def _caller(
    request: Request, session: Session | None, token: str, assessment_id: uuid.UUID | None, national: bool = False
) -> Caller:
    """The caller's actor (and, with ``assessment_id``, 404 unless the assessment is one of its
    municipality): on PostgreSQL in one statement over the event-loop pool (``app/db/loop_db.py``),
    else, or when that pool cannot answer, the ordinary way in ``session`` (or a session of its own)."""
    loop_db: LoopDatabase | None = getattr(request.app.state, "loop_db", None)
    if loop_db is not None and token.startswith(TOKEN_PREFIX):
        row = await loop_db.principal(hash_token(token), assessment_id, national)
        if row is not None:
            actor = _may_call(request, actor_for_principal(row))
            if assessment_id is not None and not row.assessment_found:
                raise service.assessment_not_found()
            if not loop_db.reads:  # LIVSKRAFT_FAST_READS=false: nothing is kept per head either
                return Caller(actor, None)
            return Caller(actor, row.municipality_head, row.national_head)
    async with nullcontext(session) if session is not None else request_unit_of_work(write=False) as s:
        return Caller(await run_in_threadpool(_ordinary_caller, request, s, token, assessment_id), None)


def _ordinary_caller(request: Request, session: Session, token: str, assessment_id: uuid.UUID | None) -> Actor:
    actor = actor_for_request(request, session, token)
    if assessment_id is not None:
        service.get_assessment(session, actor, assessment_id)
    return actor


async def get_caller(request: Request, token: BearerTokenDep) -> Caller:
    """For read routes that may answer from a cache, with no session at all (a miss opens its own unit
    of work): who calls, checked before the query is validated, as with ``ActorDep``."""
    return await _caller(request, None, token, None)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_portfolio_caller(request: Request, token: BearerTokenDep) -> Caller:
    """As ``get_caller``; for the country's portfolio (``scope=country``, peeked at before the query is
    validated: a wrong peek only means nothing is kept) also the portfolio summary tables' token."""
    return await _caller(request, None, token, None, national=request.query_params.get("scope") == "country")


PortfolioCallerDep = Annotated[Caller, Depends(get_portfolio_caller)]


async def get_assessment_writer(
    assessment_id: uuid.UUID, request: Request, session: SessionDep, token: BearerTokenDep
) -> Actor:
    """For routes that change an assessment and may do so without the request's session: the caller's
    actor once the assessment is known to be one of its municipality (else 404), all before the body is
    validated, as with ``AssessmentDep``."""
    return (await _caller(request, session, token, assessment_id)).actor


AssessmentWriterDep = Annotated[Actor, Depends(get_assessment_writer)]


async def get_assessment_caller(assessment_id: uuid.UUID, request: Request, token: BearerTokenDep) -> Caller:
    """For reads of an assessment that may answer from a cache, with no session (a miss opens its own
    unit of work): the caller, once the assessment is known to be one of its municipality (else 404)."""
    return await _caller(request, None, token, assessment_id)


AssessmentCallerDep = Annotated[Caller, Depends(get_assessment_caller)]


def get_actor(request: Request, session: SessionDep, token: BearerTokenDep) -> Actor:
    """Who calls, checked before the body is even validated."""
    return actor_for_request(request, session, token)


ActorDep = Annotated[Actor, Depends(get_actor)]


async def require_admin(actor: ActorDep) -> None:
    """For routes (or routers) that need the admin right; runs before the body is validated."""
    actor.require("admin")


AdminOnly = Depends(require_admin)


def rubrics(request: Request) -> RubricRegistry:
    """The app's rubrics (for a route that needs them only now and then: a dependency costs each request)."""
    registry: RubricRegistry = request.app.state.rubrics
    return registry


async def get_registry(request: Request) -> RubricRegistry:
    return rubrics(request)


RegistryDep = Annotated[RubricRegistry, Depends(get_registry)]

_ETAG = re.compile(r'^"v(0|[1-9][0-9]{0,9})"$')
"""An ETag as we send it: ``"v7"``, never with leading zeros (``"v07"`` is another tag: the strong
comparison of RFC 9110 compares the characters, so it is a 412 like any tag we did not send)."""
WEAK_IF_MATCH = 'If-Match compares strongly (RFC 9110): a weak ETag (W/"…") never matches; send the ETag as it was read'


@dataclass(frozen=True)
class IfMatch:
    """``If-Match`` as RFC 9110 §13.1.1 reads it, the same on every route: ``*`` (true while the
    resource exists) or a list of entity-tags, true when any of them is the current ETag by the strong
    comparison (a weak tag never is)."""

    sent: str
    any: bool
    tags: tuple[str, ...]
    """The strong tags of the list, as sent (``'"v3"'``)."""
    weak: bool
    """The list held a weak tag."""
    none_match: str | None = None
    """``If-None-Match`` as sent with the change (RFC 9110 §13.1.2): false — so the change is a 412 —
    when it is ``*`` (the resource exists) or names the current ETag (weak comparison)."""

    def none_match_holds(self, current: str) -> bool:
        """Whether ``If-None-Match`` (when sent) lets a change of a resource whose ETag is ``current`` go on."""
        if self.none_match is None:
            return True
        if self.none_match.strip() == "*":
            return False
        tags = entity_tags(self.none_match)
        return tags is None or all(tag != current.removeprefix("W/") for _, tag in tags)

    def none_match_refusal(self, current: str) -> PreconditionFailed:
        sent = (self.none_match or "").strip()[:80]
        exists = "the resource exists" if sent == "*" else f"it names the current ETag {current}"
        return PreconditionFailed(f"If-None-Match {sent!r} is false ({exists}): nothing was changed")

    def matches(self, current: str) -> bool:
        if not self.none_match_holds(current):
            raise self.none_match_refusal(current)
        return self.any or current in self.tags

    @property
    def versions(self) -> tuple[int, ...]:
        """The versions named by the tags we send for versions (``"v3"``)."""
        found = (_ETAG.match(tag) for tag in self.tags)
        return tuple(int(m.group(1)) for m in found if m and int(m.group(1)) <= INT4_MAX)

    @property
    def single(self) -> int | None:
        """The one version named, when the header is exactly one of our tags (no list, no ``*``)."""
        versions = self.versions
        if self.none_match is not None:  # decided against the loaded resource (:meth:`against`)
            return None
        return versions[0] if len(self.tags) == 1 and len(versions) == 1 else None

    def against(self, current: int) -> int:
        """The version a change is made against: ``current`` when the condition holds (``*``, or
        ``current`` is listed), else a version that is not current (the change is then a 412, and
        the write that claims the version stays atomic: a change at the same moment is a 412 too).
        A false ``If-None-Match`` is a 412 at once."""
        if not self.none_match_holds(f'"v{current}"'):
            raise self.none_match_refusal(f'"v{current}"')
        if self.any or current in self.versions:
            return current
        return next(iter(self.versions), -1)

    def refusal(self) -> PreconditionFailed:
        """The 412 of a list that cannot match the resource whatever it holds."""
        if self.weak and not self.tags:
            return PreconditionFailed(WEAK_IF_MATCH)
        return PreconditionFailed(f"If-Match {self.sent[:80]!r} does not match the current version")


def parse_if_match(value: str) -> IfMatch:
    """``*`` or a comma-separated list of entity-tags; anything else matches nothing (a 412 as a stale
    tag: no ETag of ours looks like it)."""
    if value.strip() == "*":
        return IfMatch(value, True, (), False)
    tags = entity_tags(value)
    if tags is None:
        return IfMatch(value, False, (), False)
    return IfMatch(value, False, tuple(tag for weak, tag in tags if not weak), any(weak for weak, _ in tags))


def unchanged(expected: int, current: int, what: str, **extra: Any) -> None:
    """An empty change (``PATCH {}``) writes nothing and keeps the ETag, but still honours ``If-Match``:
    412 unless ``expected`` is the current version."""
    if expected != current:
        raise PreconditionFailed(f"the {what} was changed by someone else; reload and try again", **extra)


def _path_params(dependant: Dependant) -> list[Any]:
    """The path parameters of a route: its own and its dependencies' (each name once)."""
    fields: dict[str, Any] = {}
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.path_params:
            fields.setdefault(field.alias, field)
        pending.extend(current.dependencies)
    return list(fields.values())


def refuse_precondition(request: Request, problem: DomainError) -> NoReturn:
    """Refuse a change for its ``If-Match`` (428 or 412) — unless its path names no resource at all.

    FastAPI validates the path parameters of a dependency, collects what is wrong and goes on with the
    next dependency, answering 422 only once all have run; a dependency that raises wins. So a malformed
    id (``POST /assessments/%00/submit``) without ``If-Match`` got 428, asking for an ETag of a resource
    that cannot exist. The path is checked first, as every route does (422 naming the parameter); only on
    this refusal, so a request that passes costs nothing more."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        _, errors = request_params_to_args(_path_params(route.dependant), request.path_params)
        if errors:
            raise RequestValidationError(errors)
    raise problem


def if_match_sent(request: Request, if_match: str | None) -> IfMatch:
    """``If-Match`` as sent, parsed; 428 when it is missing or blank (after the path is checked), 412
    when it holds no strong tag (nor ``*``), which nothing can match."""
    if if_match is None or not if_match.strip():
        refuse_precondition(request, PreconditionRequired("send If-Match with the ETag you read, so no update is lost"))
    parsed = parse_if_match(if_match)
    if not parsed.any and not parsed.tags:
        refuse_precondition(request, parsed.refusal())
    none_match = request.headers.get("if-none-match")
    return replace(parsed, none_match=none_match) if none_match is not None and none_match.strip() else parsed


async def require_if_match(
    request: Request,
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag you read, e.g. `"v3"` (or a list of ETags, or `*`: RFC 9110). Required on '
            "every change: a stale one gets 412."
        ),
    ] = None,
) -> IfMatch:
    """For resources versioned by a number (``"v3"``): a list naming none of our versions is a 412 at
    once; which version is current is decided against the loaded resource (:meth:`IfMatch.against`)."""
    sent = if_match_sent(request, if_match)
    if not sent.any and not sent.versions:
        refuse_precondition(request, sent.refusal())
    return sent


IfMatchDep = Annotated[IfMatch, Depends(require_if_match)]


async def require_if_match_tag(
    request: Request,
    if_match: Annotated[
        str | None,
        Header(
            description="The ETag you read (or a list of ETags, or `*`: RFC 9110). Required on every change: "
            "a stale one gets 412."
        ),
    ] = None,
) -> IfMatch:
    """For resources whose ETag is a content hash rather than a version number: compare with
    :meth:`IfMatch.matches`. A weak tag never matches (the strong comparison of RFC 9110): 412."""
    return if_match_sent(request, if_match)


IfMatchTagDep = Annotated[IfMatch, Depends(require_if_match_tag)]


def decision_dep(decision_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> Decision:
    return service.get_decision(session, actor, decision_id)


def assessment_dep(assessment_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> Assessment:
    return service.get_assessment(session, actor, assessment_id)


DecisionDep = Annotated[Decision, Depends(decision_dep)]
AssessmentDep = Annotated[Assessment, Depends(assessment_dep)]

"""The fast paths on the event loop (PostgreSQL; see ``app/db/loop_db.py``): repeated reads of an
assessment and its summary, answered from the representation cache after one statement; list pages,
portfolios and decision-summary PDFs kept per head of the audit chain (:func:`kept`, :func:`keep`); and
saving ratings in two round trips (``app/assessments/fast_ratings.py``). Any doubt falls through to the
ordinary route, which decides every refusal (401, 403, 404, 409, 412, 422, 503) itself."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

from app.api.deps import Caller
from app.assessments import fast_ratings
from app.assessments import representation_cache as cache
from app.assessments.list_repository import AssessmentQuery
from app.assessments.models import Assessment
from app.assessments.schemas import RatingIn, RatingPublic
from app.assessments.views import etag
from app.auth.actor import Actor
from app.auth.tokens import TOKEN_PREFIX, effective_scopes, hash_token, token_usable
from app.db.loop_db import LoopDatabase
from app.rubrics.registry import RubricRegistry

served = 0
"""Reads served by the fast path in this process (tests and benchmarks read it)."""
saved = 0
"""Rating saves done by the fast path in this process."""
RATINGS: TypeAdapter[list[RatingPublic]] = TypeAdapter(list[RatingPublic])


def remember(
    kind: cache.Kind, assessment: Assessment, body: bytes, etag: str | None = None, weights: Any = None
) -> Response:
    """Keep what the ordinary route computed for this version of the assessment, and send it."""
    representation = cache.Representation(body, etag)
    cache.put(cache.key(kind, assessment.id, assessment.lock_version, assessment.updated_at, weights), representation)
    return json_response(representation)


def json_response(representation: cache.Representation) -> Response:
    headers = {"ETag": representation.etag} if representation.etag else None
    return Response(representation.body, media_type="application/json", headers=headers)


async def cached_read(request: Request, token: str, kind: cache.Kind, assessment_id: uuid.UUID) -> Response | None:
    global served
    reader: LoopDatabase | None = getattr(request.app.state, "loop_db", None)
    if reader is None or not reader.reads or not token.startswith(TOKEN_PREFIX):
        return None
    access = await reader.assessment_access(hash_token(token), assessment_id)
    if access is None or access.lock_version is None or access.updated_at is None:
        return None
    if not token_usable(access.revoked, access.user_id, access.user_role, access.user_active):
        return None
    if "read" not in effective_scopes(access.scopes, access.user_id, access.user_role):
        return None
    found = cache.get(cache.key(kind, assessment_id, access.lock_version, access.updated_at, access.weights))
    if found is None:
        return None
    served += 1
    return json_response(found)


def ratings_response(ratings: list[RatingPublic], lock_version: int) -> Response:
    """The answer to saving ratings: every rating of the assessment, with the new version's ETag."""
    return Response(RATINGS.dump_json(ratings), media_type="application/json", headers={"ETag": etag(lock_version)})


async def saved_ratings(
    request: Request,
    actor: Actor,
    registry: RubricRegistry,
    assessment_id: uuid.UUID,
    expected: int,
    ratings: list[RatingIn],
) -> Response | None:
    """Ratings saved on the event loop, or None: the ordinary route must answer (nothing was written)."""
    global saved
    writer: LoopDatabase | None = getattr(request.app.state, "loop_db", None)
    if writer is None or not writer.writes:
        return None
    done = await writer.attempt(lambda conn: fast_ratings.save(conn, actor, registry, assessment_id, expected, ratings))
    if done is None:
        return None
    saved += 1
    return ratings_response(RATINGS.validate_python(done.ratings), done.lock_version)


def _list_key(caller: Caller, query: AssessmentQuery, limit: int, cursor: str | None) -> cache.Key | None:
    if caller.municipality_head is None:  # checked the ordinary way: the chain's head is not known
        return None
    return cache.list_key(caller.actor.municipality_id, caller.municipality_head, (query, limit, cursor))


def cached_list(caller: Caller, query: AssessmentQuery, limit: int, cursor: str | None) -> Response | None:
    """A page of the assessment list as sent before, if nothing has changed in the municipality since
    (its audit chain's head, read with the caller's token, is the same)."""
    return kept(_list_key(caller, query, limit, cursor))


def remember_list(caller: Caller, query: AssessmentQuery, limit: int, cursor: str | None, body: bytes) -> Response:
    """Keep a page computed by the ordinary path under the chain's head read *before* its queries: the
    page is at least as new as that head, never older."""
    return keep(_list_key(caller, query, limit, cursor), body)


def portfolio_key(caller: Caller, country: str | None, year: int) -> cache.Key | None:
    """The key of the caller's municipality's portfolio of ``year`` or, with ``country``, of its
    country's (None: the head it depends on was not read, nothing is kept)."""
    if country is not None:
        head = caller.national_head
        return cache.portfolio_key(None, head, (country, year)) if head is not None else None
    head = caller.municipality_head
    return cache.portfolio_key(caller.actor.municipality_id, head, year) if head is not None else None


def pdf_key(caller: Caller, assessment_id: uuid.UUID, lang: str, variant: str) -> cache.Key | None:
    """The key of an assessment's decision-summary PDF (None: the chain's head was not read)."""
    head = caller.municipality_head
    return cache.pdf_key(assessment_id, head, lang, variant) if head is not None else None


def kept_bytes(key: cache.Key | None) -> bytes | None:
    """The body sent before under ``key`` (any media type), or None."""
    global served
    found = cache.get(key) if key is not None else None
    if found is None:
        return None
    served += 1
    return found.body


def keep_bytes(key: cache.Key | None, body: bytes) -> bytes:
    """Keep ``body``, computed by the ordinary path after the head in ``key`` was read."""
    if key is not None:
        cache.put(key, cache.Representation(body, None))
    return body


def kept(key: cache.Key | None) -> Response | None:
    """The JSON sent before under ``key`` (a page or report kept per head), or None."""
    body = kept_bytes(key)
    return json_response(cache.Representation(body, None)) if body is not None else None


def keep(key: cache.Key | None, body: bytes) -> Response:
    """Send ``body`` (JSON), computed by the ordinary path after the head in ``key`` was read, and keep it."""
    return json_response(cache.Representation(keep_bytes(key, body), None))

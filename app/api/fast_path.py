"""Repeated reads of an assessment and its summary, answered from the representation cache after one
statement on the event loop (PostgreSQL; see ``app/db/fast_reads.py``). Any doubt falls through to
the ordinary route, which decides every refusal (401, 403, 404, 503) itself."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response

from app.assessments import representation_cache as cache
from app.assessments.models import Assessment
from app.auth.tokens import TOKEN_PREFIX, effective_scopes, hash_token, token_usable
from app.db.fast_reads import FastReads

served = 0
"""Responses served by the fast path in this process (tests and benchmarks read it)."""


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
    reader: FastReads | None = getattr(request.app.state, "fast_reads", None)
    if reader is None or not token.startswith(TOKEN_PREFIX):
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

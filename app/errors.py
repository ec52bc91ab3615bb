"""Typed domain errors. Each carries its HTTP status; one handler renders them as RFC 9457 problems.

Services raise these; they never know about HTTP beyond the status number they suggest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FieldProblem:
    """One field-level validation problem: where (a JSON-pointer-like path) and what is wrong."""

    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "code": self.code}


class DomainError(Exception):
    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldProblem] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class NotFound(DomainError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Unauthorized(DomainError):
    status = 401
    type_slug = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class InvalidState(Conflict):
    """The resource is in a state that does not allow the action (e.g. editing an approved assessment)."""

    type_slug = "invalid-state"
    title = "Action not allowed in the current state"


class PreconditionFailed(DomainError):
    status = 412
    type_slug = "precondition-failed"
    title = "The resource has changed"


class PreconditionRequired(DomainError):
    status = 428
    type_slug = "precondition-required"
    title = "If-Match header required"


class ValidationFailed(DomainError):
    status = 422
    type_slug = "validation-error"
    title = "The request is not valid"


class PayloadTooLarge(DomainError):
    status = 413
    type_slug = "payload-too-large"
    title = "Request body too large"


class UnsupportedMediaType(DomainError):
    status = 415
    type_slug = "unsupported-media-type"
    title = "Unsupported media type"


class ServiceUnavailable(DomainError):
    status = 503
    type_slug = "service-unavailable"
    title = "Service temporarily unavailable"

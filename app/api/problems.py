"""One error format for the whole API: RFC 9457 ``application/problem+json``.

Domain errors, request validation errors, HTTP errors and unexpected errors all leave through here.
Validation problems carry field-level detail in ``errors``: ``[{field, message, code}]``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, FieldProblem

log = logging.getLogger("livskraft")
PROBLEM = "application/problem+json"
TYPE_BASE = "https://livskraft.example/problems/"

HTTP_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "The resource has changed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The request is not valid",
    428: "If-Match header required",
    429: "Too many requests",
    501: "Not implemented on this server",
    503: "Service temporarily unavailable",
    507: "Insufficient storage",
}


class FieldError(BaseModel):
    field: str
    message: str
    code: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=[TYPE_BASE + "validation-error"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[FieldProblem] | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or str(status)),
        "title": title or HTTP_TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [e.as_dict() for e in errors or []],
    }
    if instance:
        body["instance"] = instance
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts) or "body"


def _safe_msg(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    return msg[:500]


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _wants_html(request):
        return await _render_html(request, exc.status, exc.type_slug)
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.type_slug,
        title=exc.title,
        errors=exc.errors,
        instance=request.url.path,
        extra=exc.extra,
    )


def _field_problem(err: dict[str, Any]) -> FieldProblem:
    kind = str(err.get("type", "invalid"))
    loc = tuple(err.get("loc", ()))
    if kind == "json_invalid" and loc[:1] == ("body",):
        # FastAPI puts the character offset where JSON decoding stopped in the location ("body", 15):
        # the field is the body; the offset belongs in the message
        reason = str((err.get("ctx") or {}).get("error", "")) or "not valid JSON"
        where = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        return FieldProblem("body", f"the body is not valid JSON: {reason}{where}"[:500], kind)
    return FieldProblem(_field(loc), _safe_msg(err), kind)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_html(request):
        return await _render_html(request, 404, "not-found")
    errors = [_field_problem(e) for e in exc.errors()]
    body_errors = [e for e in exc.errors() if e.get("type") == "json_invalid"]
    detail = "the request body is not valid JSON" if body_errors else "the request is not valid; see errors"
    return problem_response(422, detail, slug="validation-error", errors=errors, instance=request.url.path)


def _unreadable_body(exc: StarletteHTTPException) -> FieldProblem | None:
    """FastAPI answers 400 "There was an error parsing the body" when ``json.loads`` fails with anything
    but a JSONDecodeError: bytes that are not UTF-8 (nor UTF-16/32) text, or JSON nested too deeply to
    read without running out of stack. Such a body is not valid JSON like any other: say so, as a 422
    naming the body (code ``json_invalid``), like every other body that is not valid JSON."""
    cause = exc.__cause__
    if exc.status_code != 400:
        return None
    if isinstance(cause, RecursionError):
        return FieldProblem("body", "the JSON is nested too deeply to be read", "json_invalid")
    if isinstance(cause, UnicodeDecodeError):
        message = (
            f"the body is not UTF-8 text: byte {cause.start} (0x{cause.object[cause.start]:02x}) cannot be decoded"
        )
        return FieldProblem("body", message, "json_invalid")
    if isinstance(cause, ValueError):  # any other decoding error of the body's bytes
        return FieldProblem("body", "the body is not valid JSON text", "json_invalid")
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _wants_html(request):
        return await _render_html(request, exc.status_code, str(exc.status_code))
    unreadable = _unreadable_body(exc)
    if unreadable is not None:
        detail = "the request body is not valid JSON"
        return problem_response(422, detail, slug="validation-error", errors=[unreadable], instance=request.url.path)
    detail = exc.detail if isinstance(exc.detail, str) else HTTP_TITLES.get(exc.status_code, "Error")
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None))


DB_UNREACHABLE = (503, "service-unavailable", "the database is not reachable; try again shortly")
DB_READ_ONLY = (
    503,
    "database-read-only",
    "the database is read-only, so changes cannot be saved now; nothing was saved (reading still works)",
)
DB_FULL = (507, "insufficient-storage", "the database cannot be written: the disk is full; nothing was saved")
DB_WRITE_FAILED = (
    507,
    "insufficient-storage",
    "the database cannot be written: the disk refused the write (full, over a size limit or failing); "
    "nothing was saved",
)
DB_BUSY = (503, "service-unavailable", "the database is busy; try again shortly")
DB_NO_FILE = (503, "service-unavailable", "the database file cannot be opened; try again shortly")
DB_QUEUE_TIMEOUT = (
    503,
    "service-unavailable",
    "the server is busy: the request waited {seconds:g} s for the database and was not run; try again shortly",
)
RETRY_AFTER = "5"
"""Seconds a client is asked to wait after a 503 (``Retry-After``)."""


def database_problem(exc: Exception) -> tuple[int, str, str]:
    """(status, type slug, detail) for a database error, from the driver's error code, never its text.

    SQLite names its errors (``sqlite_errorname``); PostgreSQL gives an SQLSTATE (class 53: out of disk
    or memory; class 40: deadlock or serialisation failure). Anything else is "not reachable".
    """
    orig = getattr(exc, "orig", None)
    name = str(getattr(orig, "sqlite_errorname", ""))
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    if name.startswith("SQLITE_READONLY") or sqlstate == "25006":  # 25006: a PostgreSQL read-only standby
        return DB_READ_ONLY
    if name == "SQLITE_FULL" or sqlstate.startswith("531"):
        return DB_FULL
    if name in ("SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE", "SQLITE_IOERR_DIR_FSYNC"):
        return DB_WRITE_FAILED
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or sqlstate.startswith("40"):  # 40P01 deadlock
        return DB_BUSY
    if name.startswith("SQLITE_CANTOPEN"):
        return DB_NO_FILE
    return DB_UNREACHABLE


async def _db_unavailable(request: Request, exc: Exception) -> Response:
    status, slug, detail = database_problem(exc)
    log.warning("database error (%s): %s", slug, exc)
    if _wants_html(request):
        return await _render_html(request, status, slug)
    return problem_response(
        status,
        detail,
        slug=slug,
        title=HTTP_TITLES[status],
        instance=request.url.path,
        headers={"Retry-After": RETRY_AFTER} if status == 503 else None,
    )


async def queue_timeout(request: Request, seconds: float) -> Response:
    """The answer to a request that waited ``seconds`` (``LIVSKRAFT_DB_QUEUE_TIMEOUT``) in the database
    gate without its turn (``app/db/gate.py``): 503 with ``Retry-After``, problem+json in the API, the
    error page on the web. Nothing of the request has run."""
    status, slug, detail = DB_QUEUE_TIMEOUT
    log.warning("%s %s waited %g s for the database; answered 503", request.method, request.url.path, seconds)
    if _wants_html(request):
        response = await _render_html(request, status, slug)
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    return problem_response(
        status,
        detail.format(seconds=seconds),
        slug=slug,
        title=HTTP_TITLES[status],
        instance=request.url.path,
        headers={"Retry-After": RETRY_AFTER},
    )


async def _read_only_or_unexpected(request: Request, exc: Exception) -> Response:
    """PostgreSQL reports writes on a read-only standby as an internal error (SQLSTATE 25006)."""
    if str(getattr(getattr(exc, "orig", None), "sqlstate", "")) == "25006":
        return await _db_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if _wants_html(request):
        return await _render_html(request, 500, "internal")
    return problem_response(500, "an unexpected error occurred; it has been logged", instance=request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _db_unavailable)
    app.add_exception_handler(InternalError, _read_only_or_unexpected)
    app.add_exception_handler(PoolTimeout, _db_unavailable)
    app.add_exception_handler(Exception, _unexpected)
    _install_openapi(app)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare problem responses in the OpenAPI document (as ``application/problem+json`` only: see
    :func:`_problem_content_only`)."""
    return {
        s: {"model": Problem, "description": HTTP_TITLES.get(s, "Error"), "content": {PROBLEM: {}}} for s in statuses
    }


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_content_only(spec: dict[str, Any]) -> None:
    """Every error answer is sent as ``application/problem+json`` with the Problem schema, and only so.

    FastAPI puts a response's model under the route's own media type (``application/json``), which the
    server never sends for an error, and adds its own 422 (``HTTPValidationError``) to routes that do
    not declare one; generated clients then cannot parse an error. Rewrite each 4xx/5xx answer to the
    one media type it has, and drop FastAPI's validation schemas once nothing refers to them."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    answer["content"] = {PROBLEM: {"schema": dict(PROBLEM_REF)}}
                    if answer.get("description") == "Validation Error":
                        answer["description"] = HTTP_TITLES[422]
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):  # the first refers to the second
        if f'"#/components/schemas/{name}"' not in json.dumps(spec):
            schemas.pop(name, None)


def _install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            _problem_content_only(spec)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- HTML error pages for the web interface ------------------------------------------------------
# Paths outside the API get an HTML page in the reader's language instead of problem+json; the web
# package registers the renderer (status, slug) → page at start-up.

HtmlRenderer = Callable[[Request, int, str], Response]
_html_renderer: list[HtmlRenderer] = []
API_PREFIXES = ("/api/", "/openapi.json", "/docs", "/healthz", "/redoc")


def set_html_renderer(renderer: HtmlRenderer) -> None:
    _html_renderer[:] = [renderer]


def _wants_html(request: Request) -> bool:
    return bool(_html_renderer) and not request.url.path.startswith(API_PREFIXES)


async def _render_html(request: Request, status: int, slug: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_html_renderer[0], request, status, slug)

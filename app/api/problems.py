"""One error format for the whole API: RFC 9457 ``application/problem+json``.

Domain errors, request validation errors, HTTP errors and unexpected errors all leave through here.
Validation problems carry field-level detail in ``errors``: ``[{field, message, code}]``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.json_body import DuplicateKeys, NotJsonNumber
from app.assessments.schemas import NotNull, StatusName
from app.errors import DomainError, FieldProblem
from app.routing import allowed_methods
from app.text import refusal

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
    500: "Internal server error",
    501: "Not implemented on this server",
    503: "Service temporarily unavailable",
    507: "Insufficient storage",
}
HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    501: "not-implemented",
    503: "service-unavailable",
    507: "insufficient-storage",
}
"""The problem type of each status when nothing more specific is known: the same slugs the domain
errors (``app/errors.py``) use, so a 404 of the framework (no such route) and one of ours (no such
decision) have one type."""
FRAMEWORK_DETAILS = {
    404: "there is no such resource",
    405: "this resource does not support the method; see the Allow header",
}
"""Details for the framework's own refusals, whose detail is just the status phrase ("Not Found")."""


def problem_type(status: int) -> str:
    return TYPE_BASE + HTTP_SLUGS.get(status, "about-blank" if status < 500 else "internal-error")


def problem_body(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[FieldProblem] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    """The problem details of every error answer, whoever builds it (the handlers here, the ASGI
    middleware): one scheme of type URIs and titles, and ``instance`` (the request's path)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug if slug else problem_type(status),
        "title": title or HTTP_TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [e.as_dict() for e in errors or []],
    }
    if instance:
        body["instance"] = instance
    return body


class FieldError(BaseModel):
    field: str
    message: str
    code: str


class Problem(BaseModel):
    """RFC 9457 problem details. Some problems carry extension members (RFC 9457 §3.2), each declared
    below with the answers that send it; a client must ignore members it does not know."""

    model_config = ConfigDict(extra="allow")  # ``additionalProperties: true``: more members may come

    type: str = Field(examples=[TYPE_BASE + "validation-error"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    assessment_id: NotNull[uuid.UUID] = Field(
        default=None,
        description="The assessment the conflict is about (409): the decision's latest version, which keeps "
        "the decision from being changed, the assessment the decision already has, or the newer version",
    )
    assessment_status: NotNull[StatusName] = Field(
        default=None, description="That assessment's status, when it keeps the decision from being changed (409)"
    )
    current_version: NotNull[int] = Field(
        default=None, description='The version the assessment has now (412): its `ETag` is `"v<current_version>"`'
    )
    decisions: NotNull[int] = Field(
        default=None, description="How many decisions the period of a portfolio report holds (422, too many)"
    )
    limit: NotNull[int] = Field(
        default=None, description="The most decisions a portfolio report covers (422, with `decisions`)"
    )
    database: NotNull[Literal["unreachable"]] = Field(
        default=None, description="The database's state, in the answer of the health check (`/healthz`, 503)"
    )


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
    body = problem_body(status, detail, slug=slug, title=title, errors=errors, instance=instance)
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


_STRICT_TYPES = {
    "int_type": "a JSON integer",
    "float_type": "a JSON number",
    "bool_type": "a JSON boolean (true or false)",
}
"""The errors of a body's numbers and booleans, which are strict (no ``"2"``, ``2.0`` or ``"yes"``), said
with the type expected and the one sent."""


def _json_kind(value: Any) -> str:
    """What JSON type ``value`` was sent as, for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a decimal point or exponent"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _strict_wording(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors, those of a body's number or boolean sent as another JSON type said as such (not for
    a union's member, which says what it expected as the other members do: their messages merge)."""
    out = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        kind = str(err.get("type", ""))
        if kind in _STRICT_TYPES and loc[:1] == ("body",) and not _is_union_tag(loc[-1]):
            err = {**err, "msg": f"must be {_STRICT_TYPES[kind]}, not {_json_kind(err.get('input'))}"}
        out.append(err)
    return out


def _field_problem(err: dict[str, Any]) -> FieldProblem:
    kind = str(err.get("type", "invalid"))
    loc = tuple(err.get("loc", ()))
    if kind == "json_invalid" and loc[:1] == ("body",):
        # FastAPI puts the character offset where JSON decoding stopped in the location ("body", 15):
        # the field is the body; the offset belongs in the message
        reason = str((err.get("ctx") or {}).get("error", "")) or "not valid JSON"
        where = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        return FieldProblem("body", f"the body is not valid JSON: {reason}{where}"[:500], kind)
    if refused := refusal(err):  # the text rule in words and what broke it, not the pattern itself
        return FieldProblem(_field(loc), refused[:500], kind)
    return FieldProblem(_field(loc), _safe_msg(err), kind)


_UNION_TAG = re.compile(
    r"(?:[a-z]+-[a-z-]+|[a-z]+\[.*\]|[a-z]+-[a-z-]+\[.*\]"
    r"|str|int|float|bool|bytes|date|time|datetime|timedelta|uuid|url|decimal|none|list|dict|tuple|set)",
    re.DOTALL,
)
"""What pydantic puts in an error's location for the member of a union that failed (``constrained-int``,
``str-enum[UnknownScore]``, ``list[str]``, ``int``): the name of a schema, not of a field."""


def _is_union_tag(segment: Any) -> bool:
    return isinstance(segment, str) and _UNION_TAG.fullmatch(segment) is not None


def _without_union_tags(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors with the union members' tags taken out of their locations: a union field that fails
    reports each member (``ratings.0.score.constrained-int``, ``ratings.0.score.str-enum[UnknownScore]``);
    the field is ``ratings.0.score``. A segment is a member's tag when it looks like one and a sibling
    error (the same location up to it) has another tag there: a field or key that merely has such a
    name is kept."""
    locs = [tuple(e.get("loc", ())) for e in errors]
    out = []
    for err, loc in zip(errors, locs, strict=True):
        kept = [
            segment
            for i, segment in enumerate(loc)
            if not (
                i > 0
                and _is_union_tag(segment)
                and any(len(o) > i and o[:i] == loc[:i] and o[i] != segment and _is_union_tag(o[i]) for o in locs)
            )
        ]
        out.append({**err, "loc": tuple(kept)} if len(kept) != len(loc) else err)
    return out


def _merged(problems: list[FieldProblem]) -> list[FieldProblem]:
    """One problem per field, in the order of their first: the members of a union each say what they
    expected ("Input should be less than or equal to 3", "Input should be 'unknown'"), which become one
    message ("Input should be less than or equal to 3, or 'unknown'")."""
    by_field: dict[str, list[FieldProblem]] = {}
    for p in problems:
        by_field.setdefault(p.field, []).append(p)
    merged = []
    for field, same in by_field.items():
        if len(same) == 1:
            merged.append(same[0])
            continue
        messages: list[str] = []
        for p in same:
            message = p.message if not messages else p.message.removeprefix("Input should be ")
            if message not in messages:
                messages.append(message)
        codes = {p.code for p in same}
        code = same[0].code if len(codes) == 1 else "invalid"
        merged.append(FieldProblem(field, ", or ".join(messages)[:500], code))
    return merged


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_html(request):
        return await _render_html(request, 404, "not-found")
    errors = _merged([_field_problem(e) for e in _without_union_tags(_strict_wording(list(exc.errors())))])
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
    if isinstance(cause, NotJsonNumber):
        return FieldProblem("body", str(cause), "json_invalid")
    if isinstance(cause, ValueError) and not isinstance(cause, DuplicateKeys):  # any other decoding error
        return FieldProblem("body", "the body is not valid JSON text", "json_invalid")
    return None


def _repeated_keys(exc: StarletteHTTPException) -> list[FieldProblem]:
    """A JSON body with an object that repeats a key (``app.api.json_body``), which FastAPI answers 400
    "There was an error parsing the body" like any body it cannot read: ``json.loads`` would keep the
    last value, another parser perhaps the first, so it is refused as a 422 naming each repeated key by
    its path, as a field (code ``duplicate_key``)."""
    cause = exc.__cause__
    if exc.status_code != 400 or not isinstance(cause, DuplicateKeys):
        return []
    return [
        FieldProblem(
            path,
            f"the key {json.dumps(key, ensure_ascii=False)} appears more than once in this object"[:500],
            "duplicate_key",
        )
        for path, key in cause.where
    ]


def _framework_detail(status: int, detail: Any) -> str:
    """The detail of an ``HTTPException``: its own, unless it is only the status phrase (the framework's
    "Not Found"), which says less than the title."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    if isinstance(detail, str) and detail and detail != phrase:
        return detail
    return FRAMEWORK_DETAILS.get(status) or HTTP_TITLES.get(status, "the request cannot be answered")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 405:  # every method of the path, not only those of the route that happened to match it
        headers["Allow"] = allowed_methods(request.app, request.url.path) or headers.get("Allow", "")
    if _wants_html(request):
        page = await _render_html(request, status, str(status))
        if "Allow" in headers:
            page.headers["Allow"] = headers["Allow"]
        return page
    unreadable = _unreadable_body(exc)
    if unreadable is not None:
        detail = "the request body is not valid JSON"
        return problem_response(422, detail, slug="validation-error", errors=[unreadable], instance=request.url.path)
    repeated = _repeated_keys(exc)
    if repeated:
        detail = "the request body repeats a key in an object; nothing was saved"
        return problem_response(422, detail, slug="validation-error", errors=repeated, instance=request.url.path)
    detail = _framework_detail(status, exc.detail)
    return problem_response(status, detail, instance=request.url.path, headers=headers or None)


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


SQLITE_PROGRAMMING_ERRORS = ("SQLITE_ERROR", "SQLITE_MISUSE", "SQLITE_RANGE", "SQLITE_MISMATCH", "SQLITE_TOOBIG")
"""SQLite's codes for a statement that is wrong, not a database that is away: a syntax error, an unknown
table or column (``SQLITE_ERROR``), a misused API, a parameter out of range, a datatype mismatch, a
value too big. Retrying cannot help, so they are the server's error (500), never "unavailable" (503)."""


def is_programming_error(exc: Exception) -> bool:
    """Whether a driver's ``OperationalError`` reports a faulty statement rather than an unavailable,
    busy or full database: SQLite's ``SQLITE_ERROR`` & co. (the driver raises every SQLite error as an
    ``OperationalError``, "near WHERE: syntax error" too), PostgreSQL's class 54 (a program limit,
    such as a statement too complex). Decided by the error code, never by the message."""
    orig = getattr(exc, "orig", None)
    name = str(getattr(orig, "sqlite_errorname", ""))
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    return name.startswith(SQLITE_PROGRAMMING_ERRORS) or sqlstate.startswith("54")


async def _db_unavailable(request: Request, exc: Exception) -> Response:
    if is_programming_error(exc):
        return await _unexpected(request, exc)
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


def _declare_not_acceptable(spec: dict[str, Any]) -> None:
    """Every operation of the API that answers with content is a ``406`` when ``Accept`` excludes the
    one media type it sends (``app.api.middleware.HttpProtocol``)."""
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch"):
                answers = operation.setdefault("responses", {})
                answers.setdefault("406", {"description": HTTP_TITLES[406]})


def _install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            _declare_not_acceptable(spec)
            _problem_content_only(spec)
            from app.api.middleware import document_idempotency  # the middleware imports this module

            document_idempotency(spec)
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

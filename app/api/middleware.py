"""ASGI middleware of the API: body size limit (413), JSON only (415) and in UTF-8 (422), Idempotency-Key
on POST, the record of when each API token was last used, and the HTTP rules every route shares (HEAD,
OPTIONS, trailing slashes).

Written as plain ASGI (not BaseHTTPMiddleware) so reads pay almost nothing for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from starlette._utils import get_route_path  # what the routes match against (the path without root_path)
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import repository as api_repo
from app.api.models import IdempotencyRecord
from app.api.problems import FRAMEWORK_DETAILS, problem_body
from app.auth import repository as auth_repo
from app.auth.tokens import TOKEN_PREFIX, hash_token, token_usable
from app.db.base import utcnow
from app.db.session import unit_of_work
from app.errors import FieldProblem
from app.routing import allowed_methods

API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_KEY = 200
MAX_PATH = 500  # the stored path's column


def _problem(
    status: int, slug: str, title: str, detail: str, errors: list[FieldProblem] | None = None, *, path: str
) -> bytes:
    """A problem built here, before any route runs: the same scheme as every other (``problem_body``),
    with the request's path as ``instance``."""
    return json.dumps(problem_body(status, detail, slug=slug, title=title, errors=errors, instance=path)).encode()


async def _send_problem(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class BodyTooLarge(Exception):
    pass


UTF8_ENCODINGS = frozenset({"utf-8", "utf-8-sig"})
"""What ``json.detect_encoding`` may find at the start of a body that is accepted: UTF-8, with or without
a byte order mark (RFC 8259 §8.1: JSON between systems is UTF-8; a parser MAY ignore a BOM, and so it is)."""


def not_utf8(head: bytes) -> FieldProblem | None:
    """The problem of a JSON body whose first (up to four) bytes show it is UTF-16 or UTF-32 text, with or
    without a byte order mark, or None. The same test ``json.loads`` makes (``json.detect_encoding``) to
    decode such a body, which it would accept: RFC 8259 §8.1 requires UTF-8 for JSON between systems, so
    it is refused as any other body that is not UTF-8 text (422 on ``body``, code ``json_invalid``)."""
    encoding = json.detect_encoding(head)
    if encoding in UTF8_ENCODINGS:
        return None
    message = f"the body is not UTF-8 text: it is encoded as {encoding.upper()}; send JSON in UTF-8 (RFC 8259)"
    return FieldProblem("body", message, "json_invalid")


async def _body_head(receive: Receive, size: int) -> tuple[list[Message], bytes]:
    """The messages received until the body holds ``size`` bytes or ends (or the client left), and the
    body's bytes so far."""
    messages: list[Message] = []
    head = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, head
        head += message.get("body", b"")
        if len(head) >= size or not message.get("more_body", False):
            return messages, head


class ApiRequestLimits:
    """413 for bodies over the limit (by Content-Length or while streaming); 415 for non-JSON bodies; 422
    for a body in UTF-16 or UTF-32 (:func:`not_utf8`), read from its first four bytes before the route."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX) or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        too_large = _problem(
            413,
            "payload-too-large",
            "Request body too large",
            f"the request body is larger than {self.max_body} bytes",
            path=scope["path"],
        )
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _send_problem(send, 413, too_large)
            return
        has_body = (length is not None and length != "0") or _header(scope, b"transfer-encoding") is not None
        ctype = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if has_body and not (
            ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))
        ):
            body = _problem(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                f"send JSON with Content-Type: application/json (got {ctype or 'none'})",
                path=scope["path"],
            )
            await _send_problem(send, 415, body)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            buffered: list[Message] = []
            if has_body:
                buffered, head = await _body_head(limited_receive, 4)
                problem = not_utf8(head)
                if problem is not None:
                    detail = "the request body is not valid JSON"
                    body = _problem(
                        422, "validation-error", "The request is not valid", detail, [problem], path=scope["path"]
                    )
                    await _send_problem(send, 422, body)
                    return

            async def replaying_receive() -> Message:
                return buffered.pop(0) if buffered else await limited_receive()

            await self.app(scope, replaying_receive if buffered else limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_problem(send, 413, too_large)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            return b"".join(chunks)


IN_PROGRESS = "a request with this Idempotency-Key is still in progress"
IDEMPOTENCY_LEASE = timedelta(minutes=10)
"""How long a reservation stays "in progress" (409 to a retry) before a retry may take it over. Far
longer than any request takes (bodies are at most 1 MB; a database wait ends within seconds: the pool
in 5 s, SQLite's lock in 10–30 s), so only a reservation whose request died — the process killed —
is ever taken over."""


def document_idempotency(spec: dict[str, Any]) -> None:
    """Declare the optional ``Idempotency-Key`` header on every POST of the API in the OpenAPI document
    (the middleware reads it before any route does, so no route declares it), for generated clients."""
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
        "description": "Makes the POST safe to retry: a retry with the same key, token and request gets the "
        "stored answer of the first success instead of running again; the same key with another request "
        "is a 422, one still running a 409 (docs/api.md, 'Safe retries').",
    }
    for path, operations in spec.get("paths", {}).items():
        post = operations.get("post")
        if post is None or not path.startswith(API_PREFIX):
            continue
        parameters = post.setdefault("parameters", [])
        if not any(p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key" for p in parameters):
            parameters.append(dict(header))


class Idempotency:
    """``Idempotency-Key`` on POST: the first request runs, retries get the stored response.

    The key is reserved in its own committed transaction *before* the request runs, so two concurrent
    retries cannot both execute; the same key with a different request (method, path and query, or body
    bytes) is refused (422). Only successful (2xx) responses are kept and replayed: after any other
    answer the reservation is deleted, so a corrected retry (a fresh ``If-Match``, a fixed body) runs.
    A reservation whose request never finished is taken over after ``IDEMPOTENCY_LEASE``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if len(scope["path"]) > MAX_PATH or "\x00" in scope["path"]:  # no route has such a path: 404 or 422
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY:
            body = _problem(
                422,
                "validation-error",
                "The request is not valid",
                "invalid Idempotency-Key",
                [FieldProblem("Idempotency-Key", f"use 1 to {MAX_KEY} characters")],
                path=scope["path"],
            )
            await _send_problem(send, 422, body)
            return
        auth = _header(scope, b"authorization") or ""
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        body = await _read_body(receive)
        digest = hashlib.sha256(
            b"\0".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        outcome = await run_in_threadpool(_reserve, token, key, scope["method"], scope["path"], digest)
        if outcome is None:  # not a valid token: let the app answer 401
            await self.app(scope, _replay_receive(body), send)
            return
        record_id, reserved_at, stored = outcome
        if stored is not None:
            await _replay(send, stored)
            return
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def capturing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replay_receive(body), capturing_send)
        finally:
            await run_in_threadpool(_finish, record_id, reserved_at, captured)


def _replay_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _replay(send: Send, stored: MutableMapping[str, Any]) -> None:
    if "problem" in stored:
        await _send_problem(send, stored["status"], stored["problem"])
        return
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored["headers"]]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": stored["status"], "headers": headers})
    await send({"type": "http.response.body", "body": stored["body"]})


Reservation = tuple[Any, datetime | None, MutableMapping[str, Any] | None]


def _reserve(token: str, key: str, method: str, path: str, digest: str) -> Reservation | None:
    """None (no valid token), (record id, reserved at, None) to run the request, or (id, None, the
    response to send: the stored one, or a 409 / 422 problem)."""
    with unit_of_work() as session:
        # the same rule as every request's: a personal token of a deactivated user replays nothing either
        row = auth_repo.token_principal(session, hash_token(token)) if token else None
        if row is None or not token_usable(row.revoked_at is not None, row.user_id, row.user_role, row.user_active):
            return None
        token_id = row.token_id
    for _ in range(5):  # another request may free or take the key between the statements: look again
        reserved_at = utcnow()
        try:
            with unit_of_work() as session:
                record = IdempotencyRecord(
                    token_id=token_id,
                    key=key,
                    method=method,
                    path=path,
                    request_hash=digest,
                    created_at=reserved_at,
                )
                session.add(record)
                session.flush()
                return record.id, reserved_at, None
        except IntegrityError:
            pass
        with unit_of_work(write=False) as session:
            existing = api_repo.idempotency_record(session, token_id, key)
        if existing is None:  # the reservation was freed meanwhile (its request did not succeed): reserve
            continue
        if existing.request_hash != digest:
            problem = _problem(
                422,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used for a different request",
                [FieldProblem("Idempotency-Key", "already used with another method, path, query or body")],
                path=path,
            )
            return existing.id, None, {"status": 422, "problem": problem}
        if existing.status_code is not None:
            return (
                existing.id,
                None,
                {
                    "status": existing.status_code,
                    "headers": list(existing.response_headers.get("h", [])),
                    "body": existing.response_body or b"",
                },
            )
        if existing.created_at > reserved_at - IDEMPOTENCY_LEASE:
            problem = _problem(409, "conflict", "Conflict", IN_PROGRESS, path=path)
            return existing.id, None, {"status": 409, "problem": problem}
        # the reservation outlived its lease: its request died. Take it over (one retry wins).
        with unit_of_work() as session:
            if api_repo.take_over_reservation(session, existing.id, existing.created_at, reserved_at):
                return existing.id, reserved_at, None
    problem = _problem(409, "conflict", "Conflict", IN_PROGRESS, path=path)
    return None, None, {"status": 409, "problem": problem}


def _finish(record_id: Any, reserved_at: datetime | None, captured: dict[str, Any]) -> None:
    """Keep a successful (2xx) response for replay; free the key after any other answer."""
    with unit_of_work() as session:
        record = session.get(IdempotencyRecord, record_id)
        if record is None or record.created_at != reserved_at:  # freed, or taken over after the lease
            return
        if not 200 <= captured["status"] < 300:
            session.delete(record)
            return
        keep = {b"content-type", b"etag", b"location", b"retry-after"}  # as the first answer had them
        record.status_code = captured["status"]
        record.response_headers = {
            "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in captured["headers"] if k.lower() in keep]
        }
        record.response_body = b"".join(captured["body"])
        session.add(record)


TOKEN_USE_INTERVAL = timedelta(hours=1)
"""How often a token's ``last_used_at`` is written: at most once an hour per token (the admin's list
shows when a token was last used, to the hour), so a busy token costs one write an hour, not one per
request."""
_uses_recorded: dict[str, float] = {}
"""Token hash → when this process last recorded (or tried to record) its use (``time.monotonic``)."""
_recording: set[asyncio.Task[None]] = set()
"""Records under way (a reference keeps each task alive until it ends)."""
log = logging.getLogger("livskraft.tokens")


class TokenUse:
    """Record that an API token was used (``api_token.last_used_at``), after the answer is sent.

    Every way a token is checked (the ordinary path, the event-loop statements, the kept answers) only
    reads; the write happens here, once per token and interval per process, in its own short
    transaction after the response (a task of its own), so no request waits for it. An answer 401
    (unknown or revoked token) or 5xx (possibly never checked) records nothing; on a read-only or busy
    database the record is skipped and logged, never an error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        authorization = _header(scope, b"authorization")
        token = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else ""
        if not token.startswith(TOKEN_PREFIX):
            await self.app(scope, receive, send)
            return
        status = 0

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching_send)
        if status == 401 or not 200 <= status < 500:  # refused as unknown or revoked, or never checked (503)
            return
        token_hash = hash_token(token)
        now = time.monotonic()
        last = _uses_recorded.get(token_hash)
        if last is not None and now - last < TOKEN_USE_INTERVAL.total_seconds():
            return
        if len(_uses_recorded) >= 10_000:  # bounded: forgetting only means one more write an hour
            _uses_recorded.clear()
        _uses_recorded[token_hash] = now
        # detached: the request is over, and on a busy SQLite file the write may wait for the lock
        task = asyncio.get_running_loop().create_task(run_in_threadpool(_record_use, token_hash))
        _recording.add(task)
        task.add_done_callback(_recording.discard)


def _record_use(token_hash: str) -> None:
    now = utcnow()
    try:
        with unit_of_work() as session:
            auth_repo.record_token_use(session, token_hash, now, now - TOKEN_USE_INTERVAL)
    except Exception as exc:  # a read-only, full or busy database: the use goes unrecorded this time
        log.info("the use of an API token was not recorded: %s", type(exc).__name__)


PATH_SAFE = "/:@!$&'()*+,;=~"
"""What stays as it is when a path is percent-encoded for a ``Location`` (RFC 3986's path characters)."""
CACHE_DEFAULT = b"no-store"
"""``Cache-Control`` of every API answer that sets none itself: JSON and CSV hold a municipality's data
(the export e-mail addresses, a new webhook its secret), so no shared or browser cache keeps them. A
client that keeps a copy itself may revalidate it: ``If-None-Match`` (:func:`_not_modified`). The PDFs
and ZIPs set their own (``private, no-cache``)."""
_ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\uffff]*")\s*(?:,|$)')
"""One entity-tag of a list (RFC 9110 §8.8.3), with the comma after it."""


def entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """The entity-tags of an ``If-Match`` or ``If-None-Match`` list as (weak, opaque tag) pairs; None
    when the value is not such a list (nor ``*``, which the caller reads first)."""
    tags: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(value):
        m = _ENTITY_TAG.match(value, pos)
        if m is None or m.end() == pos:
            return None
        tags.append((bool(m.group(1)), m.group(2)))
        pos = m.end()
    return tags


def _not_modified(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` is false for a representation with ``etag``: ``*``, or a tag of the
    list that is ``etag`` by the weak comparison (RFC 9110 §13.1.2: ``W/"v3"`` matches ``"v3"``)."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.strip().removeprefix("W/")
    return any(tag == opaque for _, tag in entity_tags(if_none_match) or [])


_NOT_MODIFIED_HEADERS = frozenset({b"etag", b"cache-control", b"vary", b"content-location", b"date", b"expires"})
"""What a ``304`` carries of the ``200`` it stands for (RFC 9110 §15.4.5); no body, no content headers."""
REALM = 'Bearer realm="livskraft"'


class HttpProtocol:
    """HTTP rules every route shares, in one plain-ASGI layer (outermost):

    * ``HEAD`` is answered wherever ``GET`` is: the ``GET`` runs and its headers are sent without the
      body (the routes declare only ``GET``);
    * ``OPTIONS`` on a path a route matches: ``204`` with ``Allow`` (``app.routing.allowed_methods``);
    * in the API: ``Cache-Control: no-store`` on an answer that sets none (:data:`CACHE_DEFAULT`),
      ``WWW-Authenticate: Bearer realm="livskraft"`` on every ``401`` (RFC 6750; with
      ``error="invalid_token"`` when a token was sent), and a path with a trailing slash that no route
      has is a ``404`` problem, never a redirect built from the ``Host`` header; a ``GET`` (or ``HEAD``)
      whose ``200`` carries an ``ETag`` that ``If-None-Match`` names is a ``304`` without the body (RFC
      9110 §13.1.2; evaluated on the answer, so after every check of the request: a caller that may not
      read the resource gets what it got before);
    * in the web: a path with a trailing slash that no route has, whose path without it a route has, is
      redirected there (``307``) by a relative ``Location`` (the path and query alone), never one built
      from the ``Host`` header, which a client can forge (Starlette's own slash redirect is off:
      ``redirect_slashes=False`` in ``app.main``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope["path"]
        api = path.startswith(API_PREFIX)
        if method == "OPTIONS" or (api and path.endswith("/")):
            allowed = allowed_methods(scope.get("app"), path)
            if method == "OPTIONS" and allowed:
                await _send_empty(send, 204, [(b"allow", allowed.encode()), (b"cache-control", CACHE_DEFAULT)])
                return
            if api and not allowed:  # no such route: not a redirect to the path without the slash
                body = _problem(404, "not-found", "Not found", FRAMEWORK_DETAILS[404], path=path)
                await _send_problem(send, 404, body, [(b"cache-control", CACHE_DEFAULT)])
                return
        if not api and path != "/" and path.endswith("/"):
            location = _slash_redirect(scope)
            if location is not None:
                await _send_empty(send, 307, [(b"location", location), (b"content-length", b"0")])
                return
        if method == "HEAD":
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        if not api:
            await self.app(scope, receive, send)
            return
        token_sent = bool(_bearer(scope))
        if_none_match = _header(scope, b"if-none-match") if scope["method"] == "GET" else None
        accept = _accept(scope)
        if (
            accept is not None
            and scope["method"] in BODY_METHODS
            and not acceptable(accept, "application/json")
            and scope["method"] in allowed_methods(scope.get("app"), path).split(", ")  # else the 404/405
        ):
            await _send_not_acceptable(send, accept, "application/json", path)
            return
        reading = scope["method"] == "GET"
        swallowing = False
        answered = False  # a 406 was sent in place of the answer: drop the rest of it

        async def api_send(message: Message) -> None:
            nonlocal swallowing, answered
            if answered:
                return
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"cache-control" not in names:
                    headers.append((b"cache-control", CACHE_DEFAULT))
                if message["status"] == 401 and b"www-authenticate" not in names:
                    challenge = REALM + (', error="invalid_token"' if token_sent else "")
                    headers.append((b"www-authenticate", challenge.encode()))
                if accept is not None and reading and 200 <= message["status"] < 300:
                    sent_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
                    if sent_type and not acceptable(accept, sent_type):  # a read: nothing was changed
                        answered = True
                        await _send_not_acceptable(send, accept, sent_type, path)
                        return
                etag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
                if if_none_match and etag and message["status"] == 200 and _not_modified(if_none_match, etag):
                    swallowing = True
                    kept = [(k, v) for k, v in headers if k.lower() in _NOT_MODIFIED_HEADERS]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    return
                message = {**message, "headers": headers}
            elif swallowing:  # the body of the 200 the 304 stands for: not sent
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, api_send)


_MEDIA_RANGE = re.compile(r"^([a-z0-9!#$%&'*+.^_`|~-]+)/([a-z0-9!#$%&'*+.^_`|~-]+)$")
_QVALUE = re.compile(r"^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$")


def _accept(scope: Scope) -> list[tuple[str, str, float]] | None:
    """The media ranges of ``Accept`` (every field line of it) as (type, subtype, weight), or None when
    the header is absent or holds no range that can be read: such a header is disregarded (RFC 9110
    §12.5.1), as a missing one means any type."""
    values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"accept"]
    ranges: list[tuple[str, str, float]] = []
    for element in ",".join(values).split(","):
        media, *params = (part.strip() for part in element.split(";"))
        m = _MEDIA_RANGE.match(media.lower())
        if m is None or (m.group(1) == "*" and m.group(2) != "*"):
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.match(value) else -1.0
        if weight >= 0:
            ranges.append((m.group(1), m.group(2), weight))
    return ranges or None


def acceptable(ranges: list[tuple[str, str, float]], content_type: str) -> bool:
    """Whether ``Accept`` allows ``content_type`` (its parameters aside): the weight of the most specific
    range that matches it (``text/csv`` before ``text/*`` before ``*/*``) is above 0 (RFC 9110 §12.5.1)."""
    kind, _, sub = content_type.split(";")[0].strip().lower().partition("/")
    best, weight = 0, 0.0
    for rtype, rsub, q in ranges:
        specificity = 3 if (rtype, rsub) == (kind, sub) else 2 if (rtype, rsub) == (kind, "*") else 1
        if (rtype, rsub) not in ((kind, sub), (kind, "*"), ("*", "*")):
            continue
        if specificity > best or (specificity == best and q > weight):
            best, weight = specificity, q
    return weight > 0


async def _send_not_acceptable(send: Send, ranges: list[tuple[str, str, float]], media_type: str, path: str) -> None:
    """406: the route sends only ``media_type`` (errors aside), which ``Accept`` excludes. Nothing was
    run for a change; a read was, and its answer is not sent."""
    media = media_type.split(";")[0].strip()
    asked = ", ".join(f"{t}/{s}" + (f";q={q:g}" if q != 1 else "") for t, s, q in ranges)[:200]
    message = f"this resource is sent as {media} only, which the Accept header ({asked}) excludes"
    body = _problem(
        406,
        "not-acceptable",
        "Not acceptable",
        f"{message}; send Accept: {media} (or */*, or no Accept)",
        [FieldProblem("Accept", message, "not_acceptable")],
        path=path,
    )
    await _send_problem(send, 406, body, [(b"cache-control", CACHE_DEFAULT)])


def _slash_redirect(scope: Scope) -> bytes | None:
    """The relative ``Location`` of a web path with trailing slashes that no route has when a route has
    it without them (``/login/?next=x`` → ``/login?next=x``), or None: the path alone, percent-encoded,
    never a host; never one that starts with ``//`` or ``/\\``, which a browser reads as another host."""
    app = scope.get("app")
    route_path = get_route_path(scope)
    if (
        not route_path.rstrip("/")
        or allowed_methods(app, route_path)
        or not allowed_methods(app, route_path.rstrip("/"))
    ):
        return None
    location = quote(scope["path"].rstrip("/"), safe=PATH_SAFE)
    if not location.startswith("/") or location[1:2] in ("/", "\\"):
        return None
    query = scope.get("query_string", b"")
    return location.encode("ascii") + (b"?" + query if query else b"")


def _bearer(scope: Scope) -> str:
    authorization = _header(scope, b"authorization") or ""
    return authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""


def _without_body(send: Send) -> Send:
    """``send`` for a ``HEAD`` answered by running the ``GET``: the headers (``Content-Length`` too, as
    the ``GET`` would send) and an empty body."""

    async def head_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return head_send


async def _send_empty(send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})

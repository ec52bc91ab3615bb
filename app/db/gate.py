"""Queue requests for the database in the event loop, never in worker threads.

A request runs in several worker threads one after another (each sync dependency and the route are
separate hops) while it holds a pooled connection, and on SQLite a writing request holds the only
write lock from its first query (``BEGIN IMMEDIATE``) to its commit. When every worker thread (40)
is blocked waiting — for a pooled connection, or in SQLite's busy wait for the write lock — the request
holding them cannot get a thread for its next hop, and everyone waits for a timeout. Measured before
this gate: 50 concurrent writers on one assessment on SQLite got 103 of 150 answers "database is busy"
after 10 s waits.

So requests wait here, in the event loop: at most ``capacity`` at a time (the connection pool's size,
well below the thread count), and on SQLite one writing request at a time (SQLite has one writer
anyway). A writing request's body is read before it queues (up to ``max_body`` bytes), so a slow
client cannot hold the gate; the gate opens again when the response starts, because the request's
unit of work has committed by then (``app/api/deps.py``).

A request waits at most ``queue_timeout`` seconds (``LIVSKRAFT_DB_QUEUE_TIMEOUT``, 30 by default) for its
turn; then it is answered 503 with ``Retry-After`` (``app.api.problems.queue_timeout``) without having
run. Without a bound, a queue behind slow requests kept clients waiting indefinitely — longer than their
own timeouts, and longer than the 10-minute lease of an ``Idempotency-Key`` reservation, after which a
retry runs while the first request still waits to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import problems
from app.db.engine import pool_capacity
from app.settings import Settings

Refusal = Callable[[Request, float], Awaitable[Response]]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_DATABASE = "/static/"
"""Paths that never touch the database (the stylesheet and script): they do not queue behind requests
that do, so a page's styles arrive even while the database is busy."""
NO_DATABASE_PATHS = frozenset({"/login/sso"})
"""Single sign-on's start reads the provider's discovery document and sets a cookie, nothing else: it
must not hold a place in the gate while the provider answers (its callback writes, so it queues)."""


async def _read_ahead(receive: Receive, max_body: int) -> Receive:
    """Receive the body now (up to ``max_body`` bytes; the rest streams later) and replay it."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False) or size > max_body:
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


class DatabaseGate:
    def __init__(
        self,
        app: ASGIApp,
        capacity: int,
        single_writer: bool,
        max_body: int,
        queue_timeout: float = 30.0,
        refuse: Refusal = problems.queue_timeout,
    ) -> None:
        self.app = app
        self.capacity = capacity
        self.single_writer = single_writer
        self.max_body = max_body
        self.queue_timeout = queue_timeout
        self.refuse = refuse
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all = asyncio.Semaphore(capacity)
        self._writer: asyncio.Semaphore | None = None

    def _gates(self, writes: bool) -> list[asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # semaphores belong to one event loop (test clients start several)
            self._loop = loop
            self._all = asyncio.Semaphore(self.capacity)
            self._writer = asyncio.Semaphore(1) if self.single_writer else None
        return [self._writer, self._all] if writes and self._writer is not None else [self._all]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NO_DATABASE) or scope["path"] in NO_DATABASE_PATHS:
            await self.app(scope, receive, send)
            return
        writes = scope["method"] not in READ_METHODS
        if writes:
            receive = await _read_ahead(receive, self.max_body)
        gates = self._gates(writes)
        held: list[asyncio.Semaphore] = []

        def release() -> None:
            while held:
                held.pop().release()

        async def releasing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            try:
                async with asyncio.timeout(self.queue_timeout):
                    for gate in gates:
                        await gate.acquire()
                        held.append(gate)
            except TimeoutError:
                release()
                response = await self.refuse(Request(scope), self.queue_timeout)
                await response(scope, receive, send)
                return
            await self.app(scope, receive, releasing_send)
        finally:
            release()


def install(app: FastAPI, settings: Settings) -> None:
    """Add the gate (call before the middleware that should run outside it)."""
    app.add_middleware(
        DatabaseGate,
        capacity=pool_capacity(settings.effective_database_url),
        single_writer=settings.is_sqlite,
        max_body=settings.max_body_bytes,
        queue_timeout=settings.db_queue_timeout,
    )

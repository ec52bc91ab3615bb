"""The dispatcher: sends due outbox rows as signed POSTs, records every attempt, retries with backoff.

Rules:
* A row is claimed (conditional UPDATE, a lease in ``next_attempt_at``) in a short transaction before it
  is sent, and the outcome is recorded in another; no transaction is open during the HTTP call. So any
  number of app processes and ``livskraft webhooks deliver`` loops can run side by side, and a
  dispatcher that dies mid-send leaves a row that is retried when its lease runs out (at-least-once:
  receivers deduplicate on ``Livskraft-Delivery``).
* A 2xx answer delivers; anything else (other status, timeout, connection error, a URL that now
  resolves to a private address) is a failed attempt, retried after 10 s, 1 min, 5 min, 30 min, 2 h
  and 6 h; after the seventh attempt the row is ``failed``. Redirects are not followed.
* An attempt ends ``DEADLINE`` seconds after it starts, however slowly the receiver trickles its
  answer (httpx's timeouts are per read): a watchdog shuts the attempt's socket down, which ends the
  blocked read or write in the sending thread with an error. Connections are not kept alive, so every
  attempt has its own socket to cut. The deadline is far inside ``LEASE``, so no other dispatcher
  claims the row while it is still being sent.
* A receiver that did not answer (timeout, refused connection) is not called again in the same run:
  its other due rows wait for the next run, untouched (no attempt is spent on them), so one dead or
  slow receiver costs each run at most one ``DEADLINE`` and cannot hold up every other subscriber's
  deliveries behind its own.
* The clock is injectable, so tests step through the backoff without sleeping.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.db.base import utcnow
from app.db.session import unit_of_work
from app.settings import Settings, get_settings
from app.webhooks import repository as repo
from app.webhooks import urls
from app.webhooks.models import WebhookDelivery
from app.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header

log = logging.getLogger("livskraft.webhooks")

BACKOFF = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=2)
"""How long a claimed row is reserved; far longer than one attempt can take (``DEADLINE``)."""
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Per step: 5 s to connect, 10 s for each read or write."""
DEADLINE = 15.0
"""Seconds for the whole attempt: connect, send and the receiver's answer."""
ERROR_SNIPPET = 300
USER_AGENT = "Livskraft-Webhooks/1"

Clock = Callable[[], datetime]


def body(delivery: WebhookDelivery) -> bytes:
    """The JSON sent for a delivery; the same bytes on every retry."""
    envelope = {
        "id": str(delivery.id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Job:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempts: int
    event: str
    body: bytes
    url: str | None
    secret: str
    active: bool


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


@dataclass
class RunStats:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.failed + self.cancelled


def next_values(attempts_before: int, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The row after an attempt: delivered, pending again after the backoff, or failed for good."""
    attempts = attempts_before + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:2000],
        "next_attempt_at": now,
    }
    if outcome.ok:
        values.update(status="delivered", delivered_at=now)
    elif attempts >= MAX_ATTEMPTS:
        values.update(status="failed")
    else:
        values.update(status="pending", next_attempt_at=now + BACKOFF[attempts - 1])
    return values


class Dispatcher:
    """Delivers due rows; one instance per loop (it owns an HTTP client with pooled connections)."""

    def __init__(
        self,
        *,
        clock: Clock = utcnow,
        client: httpx.Client | None = None,
        allow_private: bool | None = None,
        resolver: urls.Resolver = urls.resolve,
        batch: int = 50,
        deadline: float = DEADLINE,
    ) -> None:
        self.clock = clock
        self.client = client or httpx.Client(
            timeout=TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),  # one socket per attempt, for the watchdog
        )
        self.allow_private = get_settings().webhook_allow_private if allow_private is None else allow_private
        self.resolver = resolver
        self.batch = batch
        self.deadline = deadline
        self.stopping = threading.Event()

    def close(self) -> None:
        self.client.close()

    def run_once(self) -> RunStats:
        """Deliver up to ``batch`` due rows, one claim at a time; stops early when asked to stop."""
        stats = RunStats()
        unanswered: set[uuid.UUID] = set()  # subscriptions whose receiver did not answer in this run
        while stats.handled < self.batch and not self.stopping.is_set():
            job = self._claim(unanswered)
            if job is None:
                break
            if job.url is None or not job.active:
                values = {"status": "cancelled", "last_error": "the subscription was deactivated"}
                stats.cancelled += 1
            else:
                outcome = self._send(job)
                if outcome.status_code is None and not outcome.error.startswith("not sent"):
                    unanswered.add(job.subscription_id)
                values = next_values(job.attempts, outcome, self.clock())
                status = values["status"]
                stats.delivered += status == "delivered"
                stats.retrying += status == "pending"
                stats.failed += status == "failed"
            with unit_of_work() as session:
                repo.finish_attempt(session, job.delivery_id, job.attempts, values)
        return stats

    def _claim(self, skip: Collection[uuid.UUID] = ()) -> Job | None:
        now = self.clock()
        with unit_of_work() as session:
            rows = repo.claim_due(session, now, now + LEASE, 1, skip)
            if not rows:
                return None
            row = rows[0]
            sub = repo.subscription_by_id(session, row.subscription_id)
            return Job(
                row.id,
                row.subscription_id,
                row.attempts,
                row.event,
                body(row),
                sub.url if sub else None,
                sub.secret if sub else "",
                bool(sub and sub.active),
            )

    def _send(self, job: Job) -> Outcome:
        assert job.url is not None
        problems, addresses = urls.destination(job.url, allow_private=self.allow_private, resolver=self.resolver)
        if problems:
            return Outcome(None, f"not sent: {problems[0].message}")
        target = job.url
        extensions: dict[str, Any] = {}
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: job.event,
            DELIVERY_HEADER: str(job.delivery_id),
            SIGNATURE_HEADER: signature_header(job.secret, int(self.clock().timestamp()), job.body),
        }
        watchdog = Watchdog(self.deadline)
        extensions["trace"] = watchdog.trace
        try:
            if addresses:
                target, headers["Host"], sni = urls.pinned(job.url, addresses[0])
                extensions["sni_hostname"] = sni
            with (
                watchdog,
                self.client.stream("POST", target, content=job.body, headers=headers, extensions=extensions) as r,
            ):
                if 200 <= r.status_code < 300:
                    return Outcome(r.status_code, "")
                return Outcome(r.status_code, f"HTTP {r.status_code}: {_snippet(r)}".rstrip(": "))
        except httpx.TimeoutException as exc:
            return Outcome(None, f"timed out ({type(exc).__name__})")
        except (httpx.HTTPError, UnicodeError, OSError) as exc:
            if watchdog.fired:
                return Outcome(None, f"timed out (no answer within {self.deadline:g} s)")
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:ERROR_SNIPPET])


class Watchdog:
    """Ends one attempt after ``deadline`` seconds: remembers the socket httpcore opens (its trace
    hook) and shuts it down from a timer thread when time is up. Shutting down (not closing) a socket
    wakes a thread blocked on it with an error and never touches a file descriptor the socket no
    longer owns; the base ``socket.shutdown`` is used so a TLS socket's state is left to its owner."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(deadline, self._cut)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    late = self.fired
                if late:
                    self._cut()

    def _cut(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for sock in self._sockets:
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _snippet(response: httpx.Response) -> str:
    """The start of an error answer, for the record; never more than a few hundred bytes are read."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= ERROR_SNIPPET:
            break
    return " ".join(data[:ERROR_SNIPPET].decode("utf-8", "replace").split())


class BackgroundDispatcher:
    """Runs a :class:`Dispatcher` every ``interval`` seconds inside the app's event loop (in a worker
    thread, as the database access is synchronous) until :meth:`stop`."""

    def __init__(self, interval: float = 5.0, factory: Callable[[], Dispatcher] = Dispatcher) -> None:
        self.interval = interval
        self.factory = factory
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._dispatcher: Dispatcher | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def _run(self) -> None:
        from sqlalchemy.exc import InterfaceError, OperationalError

        dispatcher = self._dispatcher = self.factory()
        wait, failing = self.interval, False
        try:
            while not self._stop.is_set():
                try:
                    await asyncio.to_thread(dispatcher.run_once)
                    if failing:
                        log.warning("webhook dispatch: the database is reachable again")
                    wait, failing = self.interval, False
                except (OperationalError, InterfaceError) as exc:
                    # The database is down or unreachable (healthz says so): one line per attempt, no
                    # traceback, and attempts further apart (up to a minute) while it stays away.
                    wait = min(wait * 2, max(self.interval, 60.0)) if failing else self.interval
                    failing = True
                    orig = exc.orig or exc
                    reason = next((line.strip() for line in str(orig).splitlines() if line.strip()), "")
                    log.warning(
                        "webhook dispatch: the database is not reachable (%s: %s); retrying in %g s",
                        type(orig).__name__,
                        reason,
                        wait,
                    )
                except Exception:  # a fault of ours: the whole traceback; keep the loop alive
                    log.exception("webhook dispatch failed; retrying in %s s", self.interval)
                    wait = self.interval
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=wait)
        finally:
            dispatcher.close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self, grace: float = 30.0) -> None:
        """Finish the delivery in progress (at most ``DEADLINE`` seconds), then end the loop."""
        self._stop.set()
        if self._dispatcher is not None:
            self._dispatcher.stopping.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            self._task.cancel()


@asynccontextmanager
async def background(settings: Settings, enabled: bool | None = None) -> AsyncIterator[BackgroundDispatcher | None]:
    """The app lifespan's dispatcher; off in the test environment, where tests drive it themselves."""
    if not (settings.env != "test" if enabled is None else enabled):
        yield None
        return
    dispatcher = BackgroundDispatcher()
    dispatcher.start()
    try:
        yield dispatcher
    finally:
        await dispatcher.stop()

"""Webhook test fixtures: a real HTTP receiver in a thread, a clock the tests move, admin clients."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support import Api, make_token


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local subscriber: records every POST and answers with the queued status codes (then 200)."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    statuses: deque[int] = field(default_factory=deque)
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/livskraft"

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = holder["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec.requests.append(Received(self.path, dict(self.headers.items()), body))
            if rec.delay:
                time.sleep(rec.delay)
            status = rec.statuses.popleft() if rec.statuses else 200
            payload = b"ok" if status < 300 else b"receiver says no " * 100
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["r"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()


class Clock:
    """The dispatcher's clock: starts a few minutes ahead (so rows written during the test are due) and
    moves only when the test says so."""

    def __init__(self) -> None:
        from app.db.base import utcnow

        self.now: datetime = utcnow() + timedelta(minutes=5)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    @property
    def unix(self) -> int:
        return int(self.now.timestamp())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def admin(client: Any) -> Api:
    return Api(client, make_token("091", ("read", "write", "admin")))


@pytest.fixture
def strict_urls() -> Iterator[None]:
    """Production rules for URLs: https only, no private addresses (tests otherwise allow a local receiver)."""
    from app.settings import get_settings

    old = os.environ.get("LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE")
    os.environ["LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE"] = "false"
    get_settings.cache_clear()
    yield
    if old is None:
        os.environ.pop("LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE", None)
    else:
        os.environ["LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE"] = old
    get_settings.cache_clear()


def subscribe(admin: Api, url: str, events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    body = {"url": url, "events": events or ["assessment.submitted", "assessment.approved", "assessment.returned"]}
    r = admin.post("/api/v1/webhooks", {**body, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def deliveries(admin: Api, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
    r = admin.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


def enqueue(code: str = "091", event: str = "assessment.approved", **payload: Any) -> list[str]:
    """Write outbox rows the way a status change does (same service, own transaction)."""
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create
    from app.webhooks import service

    with unit_of_work() as s:
        m = get_or_create(s, code)
        rows = service.enqueue(s, m.id, event, {"case_number": "KS 2026/1", **payload})
        s.flush()
        return [str(r.id) for r in rows]


def dispatcher(clock: Clock, **kw: Any) -> Any:
    from app.webhooks.delivery import Dispatcher

    return Dispatcher(clock=clock, **kw)

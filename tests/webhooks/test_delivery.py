"""Delivery: the outbox row written with the status change, signed POSTs to a real local receiver,
every attempt recorded, retries on the backoff schedule (a clock the test moves), claims, shutdown."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from app.rubrics.models import PERSPECTIVE_IDS
from app.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, BackgroundDispatcher, background
from app.webhooks.signing import verify
from tests.support import Api, make_token, make_user, run_coroutine
from tests.webhooks.conftest import Clock, Receiver, deliveries, dispatcher, enqueue, subscribe

PERSPECTIVES = list(PERSPECTIVE_IDS)


def ready_assessment(api: Api, case_number: str = "KS 2026/7") -> dict[str, Any]:
    a = api.create_assessment(case_number)
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "-"} for p in PERSPECTIVES
    ]
    assert api.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, api.etag(a["id"])).status_code == 200
    rating = {
        "criterion_id": "policy.firms.business-climate",
        "target": "firms",
        "score": -2,
        "likelihood": "likely",
        "rationale": "Företagslotsen flyttas",
        "mitigation": "Digital lots",
    }
    r = api.put_ratings(a["id"], [rating])
    assert r.status_code == 200, r.text
    return a


def act(api: Api, a: dict[str, Any], action: str, comment: str = "") -> Any:
    r = api.post(f"/api/v1/assessments/{a['id']}/{action}", {"comment": comment}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    return r


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_review_events_are_delivered_signed(client: Any, admin: Api, receiver: Receiver, clock: Clock) -> None:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "olli@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "riikka@hel.fi", "reviewer").id))
    hook = subscribe(admin, receiver.url)
    a = ready_assessment(official)
    act(official, a, "submit")
    act(reviewer, a, "return", "Komplettera nollalternativet")
    act(official, a, "submit")
    act(reviewer, a, "approve", "Bra")
    pending = deliveries(admin, hook["id"])
    assert [d["status"] for d in pending] == ["pending"] * 4
    assert receiver.requests == []  # nothing is sent inside the request

    stats = dispatcher(clock).run_once()
    assert stats.delivered == 4
    events = [r.headers["Livskraft-Event"] for r in receiver.requests]
    assert events == ["assessment.submitted", "assessment.returned", "assessment.submitted", "assessment.approved"]
    recorded = {d["id"]: d for d in deliveries(admin, hook["id"])}
    for req in receiver.requests:
        assert req.path == "/hooks/livskraft"
        assert req.headers["Content-Type"] == "application/json"
        assert verify(hook["secret"], req.headers["Livskraft-Signature"], req.body, now=clock.unix)
        assert not verify("whsec_wrong", req.headers["Livskraft-Signature"], req.body, now=clock.unix)
        envelope = req.json
        assert envelope["id"] == req.headers["Livskraft-Delivery"]
        assert envelope["event"] == req.headers["Livskraft-Event"]
        row = recorded[envelope["id"]]
        assert (row["status"], row["attempts"], row["last_status_code"], row["last_error"]) == ("delivered", 1, 200, "")
        assert parse(row["delivered_at"]) == clock.now and row["next_attempt_at"] is None
    approved = receiver.requests[-1].json["data"]
    assert approved["assessment_id"] == a["id"] and approved["decision_id"] == a["decision_id"]
    assert approved["case_number"] == "KS 2026/7" and approved["municipality"] == "091"
    assert approved["status"] == "approved" and approved["version_no"] == 1
    assert approved["actor"].startswith("Riikka")
    assert approved["links"]["assessment"] == f"/api/v1/assessments/{a['id']}"
    assert approved["links"]["decision"] == f"/api/v1/decisions/{a['decision_id']}"
    assert parse(approved["occurred_at"]) <= clock.now
    assert receiver.requests[1].json["data"]["status"] == "draft"  # returned → back to draft


def test_only_subscribed_events_and_active_subscriptions_get_rows(admin: Api, receiver: Receiver) -> None:
    approvals = subscribe(admin, receiver.url, ["assessment.approved"])
    paused = subscribe(admin, receiver.url, active=False)
    assert enqueue(event="assessment.submitted") == []
    assert len(enqueue(event="assessment.approved")) == 1
    assert len(deliveries(admin, approvals["id"])) == 1 and deliveries(admin, paused["id"]) == []


def test_a_rejected_change_enqueues_nothing(client: Any, admin: Api, receiver: Receiver) -> None:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "olli@hel.fi", "official").id))
    hook = subscribe(admin, receiver.url)
    a = ready_assessment(official)
    stale = official.etag(a["id"])
    r = official.put(f"/api/v1/assessments/{a['id']}/screening", {"items": [], "statement": "x"}, stale)
    assert official.etag(a["id"]) != stale, r.text
    r = official.post(f"/api/v1/assessments/{a['id']}/submit", {}, stale)
    assert r.status_code == 412
    assert deliveries(admin, hook["id"]) == []


def test_events_are_written_in_the_changes_transaction(
    client: Any, admin: Api, receiver: Receiver, registry: Any
) -> None:
    """The outbox row commits or rolls back with the status change itself."""
    from app.assessments import review
    from app.assessments.models import Assessment
    from app.auth.tokens import actor_for_token
    from app.db.session import unit_of_work
    from app.webhooks.models import WebhookDelivery

    token = make_token("091", ("read", "write"), make_user("091", "olli@hel.fi", "official").id)
    official = Api(client, token)
    hook = subscribe(admin, receiver.url)
    a = ready_assessment(official)

    def submit_then_fail() -> None:
        with unit_of_work() as s:
            assessment = s.get(Assessment, uuid.UUID(a["id"]))
            assert assessment is not None
            review.submit(s, actor_for_token(s, token), registry, assessment, assessment.lock_version)
            s.flush()
            assert len(s.exec(select(WebhookDelivery)).all()) == 1
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert deliveries(admin, hook["id"]) == []
    assert official.get(f"/api/v1/assessments/{a['id']}").json()["status"] == "draft"
    act(official, a, "submit")
    assert [d["event"] for d in deliveries(admin, hook["id"])] == ["assessment.submitted"]


def test_failures_are_retried_with_backoff_and_recorded(admin: Api, receiver: Receiver, clock: Clock) -> None:
    hook = subscribe(admin, receiver.url)
    [delivery_id] = enqueue()
    receiver.answer(500, 503)
    d = dispatcher(clock)
    start = clock.now

    assert d.run_once().retrying == 1
    [row] = deliveries(admin, hook["id"])
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, 500)
    assert row["last_error"].startswith("HTTP 500: receiver says no") and len(row["last_error"]) < 400
    assert parse(row["next_attempt_at"]) == start + timedelta(seconds=10)

    clock.advance(9)
    assert d.run_once().handled == 0 and len(receiver.requests) == 1  # not due yet
    clock.advance(1)
    assert d.run_once().retrying == 1
    [row] = deliveries(admin, hook["id"])
    assert (row["attempts"], row["last_status_code"]) == (2, 503)
    assert parse(row["next_attempt_at"]) == clock.now + timedelta(minutes=1)

    clock.advance(60)
    assert d.run_once().delivered == 1
    [row] = deliveries(admin, hook["id"], status="delivered")
    assert (row["attempts"], row["last_status_code"], row["last_error"]) == (3, 200, "")
    assert parse(row["delivered_at"]) == clock.now
    # three attempts of one delivery: same id and body, each freshly signed
    assert {r.headers["Livskraft-Delivery"] for r in receiver.requests} == {delivery_id}
    assert len({r.body for r in receiver.requests}) == 1
    assert len({r.headers["Livskraft-Signature"] for r in receiver.requests}) == 3
    clock.advance(86_400)
    assert d.run_once().handled == 0 and len(receiver.requests) == 3


def test_gives_up_after_the_last_attempt(admin: Api, receiver: Receiver, clock: Clock) -> None:
    hook = subscribe(admin, receiver.url)
    enqueue()
    receiver.answer(*[500] * MAX_ATTEMPTS)
    d = dispatcher(clock)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        d.run_once()
        [row] = deliveries(admin, hook["id"])
        if row["status"] == "pending":
            waits.append(parse(row["next_attempt_at"]) - clock.now)
            clock.now = parse(row["next_attempt_at"])
    assert waits == list(BACKOFF)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("failed", MAX_ATTEMPTS, None)
    clock.advance(7 * 86_400)
    assert d.run_once().handled == 0
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert deliveries(admin, hook["id"], status="failed")[0]["id"] == row["id"]


def test_timeouts_and_connection_errors_are_attempts(admin: Api, receiver: Receiver, clock: Clock) -> None:
    slow = subscribe(admin, receiver.url, ["assessment.approved"])
    gone = subscribe(admin, "http://127.0.0.1:9/nothing-listens-here", ["assessment.approved"])
    receiver.delay = 1.0
    enqueue()
    client = httpx.Client(timeout=httpx.Timeout(0.3), follow_redirects=False, trust_env=False)
    stats = dispatcher(clock, client=client, deadline=1.5).run_once()
    assert stats.retrying == 2
    [timed_out] = deliveries(admin, slow["id"])
    assert timed_out["last_error"].startswith("timed out") and timed_out["last_status_code"] is None
    [refused] = deliveries(admin, gone["id"])
    assert refused["last_error"].startswith("ConnectError") and refused["attempts"] == 1


class Trickler:
    """A receiver that reads the request, then sends its status line one byte every ``pause`` seconds
    (each read is quick, so httpx's per-read timeout never fires) for ``seconds`` in all."""

    def __init__(self, pause: float = 0.1, seconds: float = 20.0) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.pause, self.seconds = pause, seconds
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/slow"

    def _serve(self) -> None:
        with suppress(OSError):
            while True:
                conn, _ = self.server.accept()
                self.accepted += 1
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.recv(65536)
            end = time.monotonic() + self.seconds
            for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Padding: "):
                if time.monotonic() > end:
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.pause)


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(admin: Api, clock: Clock) -> None:
    trickler = Trickler()
    try:
        hook = subscribe(admin, trickler.url, ["assessment.approved"])
        enqueue()
        client = httpx.Client(timeout=httpx.Timeout(1.0), follow_redirects=False, trust_env=False)
        started = time.monotonic()
        stats = dispatcher(clock, client=client, deadline=1.5).run_once()
        took = time.monotonic() - started
        assert stats.retrying == 1 and trickler.accepted == 1
        assert took < 6, f"the attempt ran {took:.1f} s; per-read timeouts alone let it run 20 s"
        [row] = deliveries(admin, hook["id"])
        assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, None)
        assert row["last_error"] == "timed out (no answer within 1.5 s)"
    finally:
        trickler.server.close()


def test_a_receiver_that_does_not_answer_holds_up_no_one_else(admin: Api, receiver: Receiver, clock: Clock) -> None:
    trickler = Trickler()
    try:
        slow = subscribe(admin, trickler.url, ["assessment.approved"])
        good = subscribe(admin, receiver.url, ["assessment.approved"])
        for n in range(3):
            enqueue(case_number=f"KS 2026/{n}")
        client = httpx.Client(timeout=httpx.Timeout(1.0), follow_redirects=False, trust_env=False)
        started = time.monotonic()
        stats = dispatcher(clock, client=client, deadline=1.0).run_once()
        took = time.monotonic() - started
        assert trickler.accepted == 1, "called once in the run; its other rows wait for the next"
        assert (stats.delivered, stats.retrying) == (3, 1) and len(receiver.requests) == 3
        assert took < 4, f"{took:.1f} s: each of the slow receiver's rows took its whole deadline"
        rows = deliveries(admin, slow["id"])
        assert sorted(r["attempts"] for r in rows) == [0, 0, 1], "no attempt is spent on the rows not tried"
        assert {r["status"] for r in rows} == {"pending"}
        assert {r["status"] for r in deliveries(admin, good["id"])} == {"delivered"}
        clock.advance(BACKOFF[0].total_seconds())
        dispatcher(clock, client=client, deadline=1.0).run_once()
        assert trickler.accepted == 2, "the next run tries it again, once"
    finally:
        trickler.server.close()


def test_the_deadline_leaves_a_quick_answer_alone(admin: Api, receiver: Receiver, clock: Clock) -> None:
    hook = subscribe(admin, receiver.url, ["assessment.approved"])
    enqueue()
    receiver.answer(503)
    d = dispatcher(clock, deadline=0.5)
    d.run_once()
    time.sleep(0.7)  # the timer of the finished attempt must not touch anything now
    clock.advance(10)
    d.run_once()
    [row] = deliveries(admin, hook["id"])
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("delivered", 2, 200)
    assert len(receiver.requests) == 2


def test_redirects_are_not_followed(admin: Api, receiver: Receiver, clock: Clock) -> None:
    hook = subscribe(admin, receiver.url)
    enqueue()
    receiver.answer(302)
    dispatcher(clock).run_once()
    [row] = deliveries(admin, hook["id"])
    assert (row["status"], row["last_status_code"]) == ("pending", 302)
    assert len(receiver.requests) == 1


def test_a_paused_subscription_cancels_what_is_not_yet_sent(admin: Api, receiver: Receiver, clock: Clock) -> None:
    hook = subscribe(admin, receiver.url)
    enqueue()
    url = f"/api/v1/webhooks/{hook['id']}"
    assert admin.patch(url, {"active": False}, admin.get(url).headers["ETag"]).status_code == 200
    [row] = deliveries(admin, hook["id"])
    assert row["status"] == "cancelled", "at once: it was sent if the subscription came back before a run"
    assert admin.patch(url, {"active": True}, admin.get(url).headers["ETag"]).status_code == 200
    assert dispatcher(clock).run_once().delivered == 0
    [row] = deliveries(admin, hook["id"])
    assert row["status"] == "cancelled" and receiver.requests == []


def test_private_addresses_are_refused_again_at_send_time(admin: Api, receiver: Receiver, clock: Clock) -> None:
    """A name that resolved to a public address when saved may point inside the network later."""
    hook = subscribe(admin, receiver.url.replace("http://127.0.0.1", "https://hooks.example.fi"))
    enqueue()
    d = dispatcher(clock, allow_private=False, resolver=lambda host, port: ["127.0.0.1"])
    assert d.run_once().retrying == 1
    [row] = deliveries(admin, hook["id"])
    assert row["last_error"].startswith("not sent: the host 'hooks.example.fi' resolves to 127.0.0.1")
    assert receiver.requests == []


def test_parallel_dispatchers_send_each_delivery_once(admin: Api, receiver: Receiver, clock: Clock) -> None:
    subscribe(admin, receiver.url)
    ids = [i for _ in range(12) for i in enqueue()]
    workers = [dispatcher(clock, batch=100) for _ in range(3)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    sent = [r.headers["Livskraft-Delivery"] for r in receiver.requests]
    assert sorted(sent) == sorted(ids)  # every one, none twice


def test_a_dispatcher_that_died_mid_send_is_taken_over_after_its_lease(
    admin: Api, receiver: Receiver, clock: Clock
) -> None:
    from app.db.session import unit_of_work
    from app.webhooks import repository
    from app.webhooks.delivery import LEASE

    hook = subscribe(admin, receiver.url)
    enqueue()
    with unit_of_work() as s:  # claimed by a dispatcher that then crashed
        assert len(repository.claim_due(s, clock.now, clock.now + LEASE, 10)) == 1
    d = dispatcher(clock)
    assert d.run_once().handled == 0
    clock.now += LEASE
    assert d.run_once().delivered == 1
    assert deliveries(admin, hook["id"])[0]["attempts"] == 1


def test_background_dispatcher_delivers_and_stops_cleanly(admin: Api, receiver: Receiver) -> None:
    from app.settings import get_settings

    subscribe(admin, receiver.url)
    enqueue()

    async def scenario() -> BackgroundDispatcher:
        async with background(get_settings(), enabled=True) as running:
            assert running is not None and running.running
            running.interval = 0.05
            for _ in range(200):
                if receiver.requests:
                    break
                await asyncio.sleep(0.05)
        return running

    stopped = run_coroutine(scenario())
    assert not stopped.running
    assert len(receiver.requests) == 1


def test_lifespan_dispatcher_is_off_in_tests() -> None:
    from app.settings import get_settings

    async def scenario() -> object:
        async with background(get_settings()) as running:
            return running

    assert run_coroutine(scenario()) is None


def test_cli_delivers_due_rows(admin: Api, receiver: Receiver) -> None:
    from typer.testing import CliRunner

    from app.cli.main import app

    hook = subscribe(admin, receiver.url)
    enqueue()
    enqueue()
    result = CliRunner().invoke(app, ["webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    assert "2 delivered" in result.output
    assert len(receiver.requests) == 2
    assert {d["status"] for d in deliveries(admin, hook["id"])} == {"delivered"}
    assert json.loads(receiver.requests[0].body)["data"]["case_number"] == "KS 2026/1"


def test_strict_mode_connects_to_the_checked_address(admin: Api, receiver: Receiver, clock: Clock) -> None:
    """Outside test mode the request goes to the address that passed the check, with the host name kept
    for the Host header and TLS (SNI and certificate). httpx's own transport stands in for the network."""
    seen: list[httpx.Request] = []

    def network(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    hook = subscribe(admin, "https://hooks.example.fi:8443/livskraft?via=test")
    enqueue()
    client = httpx.Client(transport=httpx.MockTransport(network), follow_redirects=False)
    d = dispatcher(clock, client=client, allow_private=False, resolver=lambda host, port: ["93.184.216.34"])
    assert d.run_once().delivered == 1
    [request] = seen
    assert str(request.url) == "https://93.184.216.34:8443/livskraft?via=test"
    assert request.headers["Host"] == "hooks.example.fi:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.fi"
    assert verify(hook["secret"], request.headers["Livskraft-Signature"], request.content, now=clock.unix)

"""Small helpers and factories for tests (real database, real HTTP through the ASGI app)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session


def reset_caches() -> None:
    """Forget settings and engines so a changed environment takes effect."""
    from app.db.engine import dispose_all
    from app.settings import get_settings

    dispose_all()
    get_settings.cache_clear()


def session() -> Session:
    from app.db.engine import get_engine

    return Session(get_engine(), expire_on_commit=False)


def make_municipality(code: str = "091") -> Any:
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    with unit_of_work() as s:
        return get_or_create(s, code)


def make_token(code: str = "091", scopes: tuple[str, ...] = ("read", "write"), user_id: uuid.UUID | None = None) -> str:
    from app.auth.actor import system_actor
    from app.auth.tokens import create_token
    from app.db.session import unit_of_work

    m = make_municipality(code)
    with unit_of_work() as s:
        _, plain = create_token(s, system_actor(m.id, m.code), "test", list(scopes), user_id)
    return plain


def make_user(code: str, email: str, role: str, password: str = "correct horse battery staple") -> Any:
    from app.auth.users import create_user
    from app.db.session import unit_of_work

    m = make_municipality(code)
    with unit_of_work() as s:
        return create_user(s, m, email=email, name=email.split("@")[0].title(), role=role, password=password)


@dataclass
class Api:
    """A test client bound to one token; every call goes through the real HTTP stack of the app."""

    client: Any
    token: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_new_municipality(cls, client: Any, code: str, scopes: tuple[str, ...] = ("read", "write")) -> Api:
        return cls(client, make_token(code, scopes))

    def _h(self, etag: str | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}", **self.headers, **(extra or {})}
        if etag:
            h["If-Match"] = etag
        return h

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self._h(extra=kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, etag: str | None = None, **kw: Any) -> Any:
        return self.client.post(path, json=json, headers=self._h(etag, kw.pop("headers", None)), **kw)

    def put(self, path: str, json: Any = None, etag: str | None = None, **kw: Any) -> Any:
        return self.client.put(path, json=json, headers=self._h(etag, kw.pop("headers", None)), **kw)

    def patch(self, path: str, json: Any = None, etag: str | None = None, **kw: Any) -> Any:
        return self.client.patch(path, json=json, headers=self._h(etag, kw.pop("headers", None)), **kw)

    def delete(self, path: str, etag: str | None = None, **kw: Any) -> Any:
        return self.client.delete(path, headers=self._h(etag, kw.pop("headers", None)), **kw)

    # --- flows ---------------------------------------------------------------------------------

    def create_decision(self, case_number: str = "KS 2026/1", **fields: Any) -> dict[str, Any]:
        body = {
            "case_number": case_number,
            "title": "Industriområde vid Norra bangården",
            "deciding_body": "Kommunstyrelsen",
        }
        body.update(fields)
        r = self.post("/api/v1/decisions", body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def create_assessment(self, case_number: str = "KS 2026/1") -> dict[str, Any]:
        decision = self.create_decision(case_number)
        r = self.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def etag(self, assessment_id: str) -> str:
        r = self.get(f"/api/v1/assessments/{assessment_id}")
        assert r.status_code == 200, r.text
        return str(r.headers["ETag"])

    def municipality_etag(self, code: str) -> str:
        r = self.get(f"/api/v1/municipalities/{code}")
        assert r.status_code == 200, r.text
        return str(r.headers["ETag"])

    def put_ratings(self, assessment_id: str, ratings: list[dict[str, Any]]) -> Any:
        return self.put(f"/api/v1/assessments/{assessment_id}/ratings", {"ratings": ratings}, self.etag(assessment_id))

    def screen(
        self, assessment_id: str, relevant: tuple[str, ...] = ("policy",), reason: str = "Berör inte beslutet"
    ) -> Any:
        """Screen every perspective: ``relevant`` ones relevant, the others not, with ``reason``; checked."""
        from app.rubrics.models import PERSPECTIVE_IDS

        items = [
            {"perspective_id": p, "relevant": p in relevant, "reason": "" if p in relevant else reason}
            for p in PERSPECTIVE_IDS
        ]
        r = self.put(f"/api/v1/assessments/{assessment_id}/screening", {"items": items}, self.etag(assessment_id))
        assert r.status_code == 200, r.text
        return r

    def act(self, assessment_id: str, action: str, comment: str = "") -> Any:
        """``action`` (submit, approve, return) on the assessment's current version."""
        return self.post(
            f"/api/v1/assessments/{assessment_id}/{action}", {"comment": comment}, self.etag(assessment_id)
        )


def official_and_reviewer(
    client: Any, code: str = "091", official: str = "olli@hel.fi", reviewer: str = "riikka@hel.fi"
) -> dict[str, Api]:
    """API clients with personal tokens (read, write) of an official and a reviewer of municipality ``code``
    (the two people of the review flow), by role."""
    return {
        role: Api(client, make_token(code, ("read", "write"), make_user(code, email, role).id))
        for role, email in (("official", official), ("reviewer", reviewer))
    }


def approved(
    official: Api, reviewer: Api, ratings: list[dict[str, Any]], relevant: tuple[str, ...] = ("policy",)
) -> str:
    """The id of a new assessment screened (``relevant``), rated with ``ratings`` and submitted by
    ``official``, approved by ``reviewer``: each step checked to succeed."""
    aid = str(official.create_assessment()["id"])
    official.screen(aid, relevant)
    r = official.put_ratings(aid, ratings)
    assert r.status_code == 200, r.text
    assert official.act(aid, "submit").status_code == 200
    assert reviewer.act(aid, "approve").status_code == 200
    return aid


def run_coroutine(coro: Any) -> Any:
    """Run a coroutine to completion in a fresh thread with its own event loop.

    ``asyncio.run`` refuses to start while another loop runs in this thread — and the browser tests'
    session-wide Playwright (sync API) keeps one running in the worker's main thread.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@contextmanager
def fast_pool_taken(client: Any) -> Iterator[dict[str, int]]:
    """Every connection of the app's event-loop pool (``app/db/loop_db.py``, PostgreSQL) taken, as under
    load: the pool at its maximum and none free until the block ends. Taken on the app's own event loop
    (the test client's portal, where the lifespan opened the pool); yields the pool's statistics then."""
    pool = client.app.state.loop_db.pool

    async def take() -> list[Any]:
        return [await pool.getconn() for _ in range(pool.max_size)]

    async def give_back(taken: list[Any]) -> None:
        for conn in taken:
            await pool.putconn(conn)

    taken = client.portal.call(take)
    try:
        yield pool.get_stats()
    finally:
        client.portal.call(give_back, taken)


def make_report_batch(code: str, assessment_ids: list[str], status: str = "done") -> str:
    """A report batch of municipality ``code`` stored directly (no queue: also on SQLite), for the route
    walks (tenancy, authorisation); ``done`` with a small ZIP unless ``status`` says otherwise."""
    from app.db.session import unit_of_work
    from app.reports.models import ReportBatch

    m = make_municipality(code)
    done = status == "done"
    with unit_of_work() as s:
        batch = ReportBatch(
            municipality_id=m.id,
            status=status,
            lang="sv",
            variant="ua",
            assessment_ids=assessment_ids,
            total=len(assessment_ids),
            done=len(assessment_ids) if done else 0,
            size=4 if done else None,
            content=b"PK\x05\x06" if done else None,
        )
        s.add(batch)
        s.flush()
        return str(batch.id)

"""An assessment's history is all of its changes, however many (it was cut at the oldest 500 events,
hiding the newest: found by the kill -9 fault test, whose 500 rating writes made 502 events)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support import Api
from tests.web.support import Web

EXTRA = 510


def add_events(code: str, assessment_id: str, count: int) -> None:
    """``count`` audited changes of the assessment, appended to the municipality's chain as any change."""
    from app.audit import service as audit
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    with unit_of_work() as s:
        m = get_or_create(s, code)
        for n in range(count):
            actor = system_actor(m.id, m.code, f"Clerk {n:03d}")
            audit.record(s, actor, "note.added", "assessment", uuid.UUID(assessment_id), None, {"n": n})


def test_the_api_history_has_every_event_oldest_first(api: Api) -> None:
    a = api.create_assessment("KS 2026/500")
    before = api.get(f"/api/v1/assessments/{a['id']}/history").json()
    add_events("091", a["id"], EXTRA)
    history = api.get(f"/api/v1/assessments/{a['id']}/history")
    assert history.status_code == 200
    events = history.json()
    assert len(events) == len(before) + EXTRA > 500
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[-1]["actor"] == f"Clerk {EXTRA - 1:03d}" and events[-1]["after"] == {"n": EXTRA - 1}


def test_the_web_history_page_shows_the_newest_event(app: Any) -> None:
    official = Web.signed_in(app, "tiina@vaasa.fi", "official", code="905")
    aid = official.new_assessment("KS 2026/501")
    add_events("905", aid, EXTRA)
    page = official.get(f"/assessments/{aid}/history")
    assert page.status_code == 200
    assert f"Clerk {EXTRA - 1:03d}" in page.text and "Clerk 000" in page.text

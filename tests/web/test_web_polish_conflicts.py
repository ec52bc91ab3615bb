"""A form refused because it was saved meanwhile says who saved, as the rating and screening forms do
(``review.last_change_by``; tests/web/test_conflict_same_user.py): the same person in another tab or
window is told so, a colleague is "someone else". The alternative's and the decision's forms, and the
412 page of a save that lost the race for the assessment's version."""

from __future__ import annotations

import re
import threading
import time
import uuid
from typing import Any

import pytest

from tests.web.support import Web, error_summary, hidden

ALT_MINE = {
    "sv": "Du har sparat alternativet i en annan flik eller ett annat fönster under tiden.",
    "fi": "Olet sillä välin tallentanut vaihtoehdon toisessa välilehdessä tai ikkunassa.",
    "en": "You saved this alternative in another tab or window meanwhile.",
}
ALT_OTHER = "Någon annan har ändrat alternativet under tiden."
DECISION_MINE = {
    "sv": "Du ändrade beslutet i en annan flik eller ett annat fönster medan du redigerade här.",
    "fi": "Muutit päätöstä toisessa välilehdessä tai ikkunassa, kun muokkasit sitä täällä.",
    "en": "You changed the decision in another tab or window while you were editing here.",
}
DECISION_OTHER = "Någon annan ändrade beslutet medan du redigerade."


def _option(official: Web, aid: str) -> str:
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp 1", "description": "Utan stickspår."})
    assert r.status_code == 303
    return f"/assessments/{aid}/alternatives/option-1"


def _alternative_conflict(first: Web, second: Web, url: str) -> Any:
    """``first`` and ``second`` open the alternative's form; ``second`` saves, then ``first``."""
    stale = hidden(first.get(url).text, "base_hash")
    fresh = hidden(second.get(url).text, "base_hash")
    assert second.post(url, {"title": "Sparad i flik två", "description": "", "base_hash": fresh}).status_code == 303
    r = first.post(url, {"title": "Skriven i flik ett", "description": "", "base_hash": stale})
    assert r.status_code == 409
    assert 'value="Skriven i flik ett"' in r.text and "Sparad i flik två" in r.text, "both versions shown"
    return r


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_an_alternative_saved_in_another_tab_is_the_users_own(official: Web, lang: str) -> None:
    aid = official.new_assessment()
    url = _option(official, aid)
    official.get(f"/language?lang={lang}")
    r = _alternative_conflict(official, official, url)
    (field, message), *rest = error_summary(r.text)
    assert field == "title" and message.startswith(ALT_MINE[lang]) and not rest


def test_an_alternative_saved_by_a_colleague_is_someone_elses(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    url = _option(official, aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    r = _alternative_conflict(official, colleague, url)
    assert error_summary(r.text)[0][1].startswith(ALT_OTHER) and ALT_MINE["sv"] not in r.text


def test_the_alternatives_own_saver_decides_not_another_alternatives(official: Web, app: Any) -> None:
    """A colleague changes this alternative, then the official another one in another tab: the stale
    form is the colleague's, although the assessment's newest change is the official's."""
    aid = official.new_assessment()
    url = _option(official, aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    stale = hidden(official.get(url).text, "base_hash")
    fresh = hidden(colleague.get(url).text, "base_hash")
    assert colleague.post(url, {"title": "Kollegans", "description": "", "base_hash": fresh}).status_code == 303
    zero = f"/assessments/{aid}/alternatives/zero"
    other = hidden(official.get(zero).text, "base_hash")
    assert official.post(zero, {"title": "Inget byggs", "description": "", "base_hash": other}).status_code == 303
    r = official.post(url, {"title": "Skriven i flik ett", "description": "", "base_hash": stale})
    assert r.status_code == 409
    assert error_summary(r.text)[0][1].startswith(ALT_OTHER)


DECISION = {
    "case_number": "KS 2026/1",
    "title": "Industriområde vid bangården",
    "deciding_body": "Kommunstyrelsen",
    "planned_date": "2026-12-14",
    "summary": "Planen möjliggör industrimark med stickspår.",
}


def _decision_conflict(first: Web, second: Web, aid: str) -> Any:
    found = re.search(r'href="(/decisions/[0-9a-f-]{36}/edit)"', first.get(f"/assessments/{aid}").text)
    assert found
    url = found.group(1)
    stale = hidden(first.get(url).text, "version")
    fresh = hidden(second.get(url).text, "version")
    assert second.post(url, DECISION | {"title": "Sparad i flik två", "version": fresh}).status_code == 303
    r = first.post(url, DECISION | {"title": "Skriven i flik ett", "version": stale})
    assert r.status_code == 422
    assert 'value="Skriven i flik ett"' in r.text and "Sparad i flik två" in r.text, "both versions shown"
    return r


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_a_decision_changed_in_another_tab_is_the_users_own(official: Web, lang: str) -> None:
    aid = official.new_assessment()
    official.get(f"/language?lang={lang}")
    r = _decision_conflict(official, official, aid)
    (field, message), *rest = error_summary(r.text)
    assert field == "case_number" and message.startswith(DECISION_MINE[lang]) and not rest


def test_a_decision_changed_by_a_colleague_is_someone_elses(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    r = _decision_conflict(official, colleague, aid)
    assert error_summary(r.text)[0][1].startswith(DECISION_OTHER) and DECISION_MINE["sv"] not in r.text


# --- the 412 page: a save that loses the race for the assessment's version (PostgreSQL) -----------------

STALE_MINE = ("Du sparade först i en annan flik eller ett annat fönster", "Du ändrade bedömningen i en annan flik")
STALE_OTHER = ("Någon annan sparade först", "Bedömningen har ändrats av någon annan.")


def _lost_race(web: Web, saver: Any, aid: str) -> Any:
    """``web`` adds an option while ``saver`` (a user) adds one in another transaction that has claimed
    the assessment's next version: the request reads the version before, waits for the row, and finds it
    taken when the other transaction commits (412). On PostgreSQL only: SQLite's writers take turns from
    their first statement (``BEGIN IMMEDIATE``), so a request never reads a version another one takes."""
    from sqlalchemy import text

    from app.assessments import service
    from app.assessments.models import Assessment
    from app.assessments.schemas import AlternativeCreate
    from app.auth.models import User
    from app.auth.web_sessions import actor_for_user
    from app.db.engine import get_engine
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality

    result: dict[str, Any] = {}

    def post() -> None:
        result["r"] = web.post(f"/assessments/{aid}/alternatives", {"title": "Från den här fliken", "description": ""})

    with unit_of_work() as s:
        assessment = s.get(Assessment, uuid.UUID(aid))
        assert assessment is not None
        municipality = s.get(Municipality, assessment.municipality_id)
        user = s.get(User, saver.id)
        assert municipality is not None and user is not None
        actor = actor_for_user(user, municipality)
        data = AlternativeCreate(title="Från den andra fliken", description="")
        service.add_alternative(s, actor, assessment, data, assessment.lock_version)  # holds the row
        request = threading.Thread(target=post)
        request.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        deadline = time.monotonic() + 20
        while True:  # a transaction per look: pg_stat_activity is a snapshot within one
            with get_engine(False).connect() as watcher:
                if watcher.execute(text(waiting)).scalar():
                    break
            assert time.monotonic() < deadline and request.is_alive(), "the request did not wait for the row"
            time.sleep(0.02)
    request.join(30)
    return result["r"]


@pytest.fixture
def postgres(environment: dict[str, str]) -> None:
    if not environment["LIVSKRAFT_DATABASE_URL"].startswith("postgres"):
        pytest.skip("a request reads a version another takes on PostgreSQL only")


@pytest.mark.usefixtures("postgres")
def test_the_412_page_after_the_users_own_save_in_another_tab(official: Web) -> None:
    aid = official.new_assessment()
    r = _lost_race(official, official.user, aid)
    assert r.status_code == 412
    assert all(s in r.text for s in STALE_MINE) and not any(s in r.text for s in STALE_OTHER)


@pytest.mark.usefixtures("postgres")
def test_the_412_page_after_a_colleagues_save(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    r = _lost_race(official, colleague.user, aid)
    assert r.status_code == 412
    assert all(s in r.text for s in STALE_OTHER) and not any(s in r.text for s in STALE_MINE)

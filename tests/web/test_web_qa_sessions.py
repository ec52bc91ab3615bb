"""A session that has ended mid-work is explained on the sign-in page: after a page's GET that it has
ended, after a form's POST also that what was sent was not saved; then signing in leads back. A visitor
who never signed in, or who signed out, sees the plain sign-in page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from tests.web.support import Web, screening_form


def _end_session(web: Web) -> None:
    from sqlalchemy import update

    from app.auth.models import WebSession
    from app.db.base import utcnow
    from app.db.session import unit_of_work

    with unit_of_work() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.user_id == web.user.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))  # type: ignore[arg-type]
        )


def test_a_page_after_the_session_ended_says_so(official: Web) -> None:
    aid = official.new_assessment()
    _end_session(official)
    r = official.get(f"/assessments/{aid}")
    assert r.status_code == 303
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query == {"next": [f"/assessments/{aid}"], "ended": ["1"]}
    login = official.get(r.headers["location"]).text
    assert "Din session har gått ut. Logga in igen för att fortsätta där du var." in login
    assert "sparades inte" not in login


def test_a_form_sent_after_the_session_ended_says_it_was_not_saved(official: Web) -> None:
    aid = official.new_assessment()
    page = official.get(f"/assessments/{aid}/screening").text
    _end_session(official)
    r = official.post(f"/assessments/{aid}/screening", screening_form(page))
    assert r.status_code == 303
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query == {"next": [f"/assessments/{aid}/screening"], "ended": ["unsaved"]}
    login = official.get(r.headers["location"])
    assert "Din session hade gått ut, så det du senast skickade sparades inte." in login.text
    assert "data-focus-on-load" in login.text.split("<main", 1)[1], "the notice takes focus"
    assert f'name="next" value="/assessments/{aid}/screening"' in login.text, "signing in leads back to the form"


def test_in_finnish_and_english(official: Web) -> None:
    official.new_assessment()
    _end_session(official)
    for lang, words in (("fi", "Istuntosi on päättynyt."), ("en", "Your session has ended.")):
        official.client.get(f"/language?lang={lang}")
        r = official.get("/")
        assert words in official.get(r.headers["location"]).text


def test_no_notice_before_signing_in_or_after_signing_out(official: Web) -> None:
    official.post("/logout")
    r = official.get("/")
    assert r.headers["location"] == "/login?next=/"
    page = official.get("/login?next=/").text
    assert "session" not in page.split("<main", 1)[1].lower()
    assert "Din session" not in official.get("/login?next=/&ended=forged").text

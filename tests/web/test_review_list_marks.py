"""The reviewer's list "Awaiting my review" marks the submitted versions they changed themselves (they
can return them, another reviewer approves them), by user, in one statement for the whole list."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import event

from tests.support import session
from tests.web.support import ONE_RATED, Web, rated

NOTE = {
    "sv": "Du har ändrat den här versionen: en annan granskare godkänner den",
    "fi": "Muutit tätä versiota: toinen tarkastaja hyväksyy sen",
    "en": "You changed this version: another reviewer approves it",
}


def _rated(official: Web, case_number: str) -> str:
    return rated(official, ONE_RATED, case_number, f"Beslut {case_number}")


def _waiting_rows(html: str) -> dict[str, str]:
    """The rows of the table "Awaiting my review", by assessment id."""
    table = html.split('id="waiting-caption"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return {m.group(1): row for row in rows if (m := re.search(r'href="/assessments/([0-9a-f-]{36})"', row))}


def _rename(user_id: uuid.UUID) -> None:
    from app.auth.models import User

    with session() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.name, user.email = "Göran Nyberg", "goran.nyberg@vaasa.fi"
        s.add(user)
        s.commit()


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_versions_a_reviewer_changed_are_marked(official: Web, reviewer: Web, lang: str) -> None:
    changed, untouched, third = (_rated(official, f"KS 2026/{n}") for n in (1, 2, 3))
    url, data = reviewer.rate_form(changed, target="residents")  # the reviewer adds a rating
    data |= {"c0-e1-score": "1", "c0-e1-rationale": "Granskarens tillägg", "c0-e1-likelihood": "likely"}
    assert reviewer.post(url, data).status_code == 303
    for aid in (changed, untouched, third):
        assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    _rename(reviewer.user.id)  # the marks go by user: a new name and address change nothing
    reviewer.get(f"/language?lang={lang}")

    from app.db.engine import get_engine

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append(statement)

    engines = {id(e): e for e in (get_engine(True), get_engine(False))}.values()  # the page reads on either
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        page = reviewer.get("/")
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    assert page.status_code == 200
    rows = _waiting_rows(page.text)
    assert set(rows) == {changed, untouched, third}, "still listed: the reviewer can return it"
    assert NOTE[lang] in rows[changed]
    assert NOTE[lang] not in rows[untouched] and NOTE[lang] not in rows[third]
    assert page.text.count(NOTE[lang]) == 1
    assert len([s for s in statements if "audit_event" in s]) == 1, "one statement for the list"
    # what the mark says holds: approving is refused, another reviewer approves
    refused = reviewer.post(f"/assessments/{changed}/review", {"action": "approve", "comment": ""})
    assert refused.status_code == 422
    assert reviewer.post(f"/assessments/{untouched}/review", {"action": "approve", "comment": ""}).status_code == 303


def test_an_official_sees_no_mark_on_their_own_submissions(official: Web) -> None:
    aid = _rated(official, "KS 2026/1")
    assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    page = official.get("/")
    assert aid in _waiting_rows(page.text) and NOTE["sv"] not in page.text


def test_a_reviewer_finds_what_they_submitted_themselves(official: Web, reviewer: Web) -> None:
    """A reviewer who writes an assessment and submits it cannot review it: it is not in "Awaiting my
    review" but in a list of its own, as an official's is, and a colleague reviewer sees it waiting."""
    own = _rated(reviewer, "KS 2026/8")
    theirs = _rated(official, "KS 2026/9")
    for web, aid in ((reviewer, own), (official, theirs)):
        assert web.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    html = reviewer.get("/").text
    assert set(_waiting_rows(html)) == {theirs}
    submitted = html.split('id="submitted-caption"')[1].split("</table>")[0]
    assert "Inskickade av mig, väntar på granskning" in submitted and f"/assessments/{own}" in submitted
    assert f"/assessments/{theirs}" not in submitted
    assert 'id="submitted-caption"' not in official.get("/").text  # an official's own list is "waiting"


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_a_review_sent_without_a_choice_names_the_only_one(official: Web, reviewer: Web, lang: str) -> None:
    """A reviewer who changed the version is offered "Return" alone: sent without it, the error says to
    choose it, not "approve or return" (which they cannot)."""
    from tests.web.support import error_summary

    changed, untouched = _rated(official, "KS 2026/11"), _rated(official, "KS 2026/12")
    url, data = reviewer.rate_form(changed, target="residents")
    data |= {"c0-e1-score": "1", "c0-e1-rationale": "Granskarens tillägg", "c0-e1-likelihood": "likely"}
    assert reviewer.post(url, data).status_code == 303
    for aid in (changed, untouched):
        assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    reviewer.get(f"/language?lang={lang}")
    only = {
        "sv": "Välj ”Returnera till författaren”: du har själv ändrat den här versionen",
        "fi": "Valitse ”Palauta laatijalle”: olet itse muuttanut tätä versiota",
        "en": "Choose “Return to the author”: you changed this version yourself",
    }[lang]
    r = reviewer.post(f"/assessments/{changed}/review", {"comment": "Se över"})
    assert r.status_code == 422 and error_summary(r.text) == [("action", only)]
    assert "Se över" in r.text  # the comment is kept
    r = reviewer.post(f"/assessments/{untouched}/review", {"comment": ""})
    assert r.status_code == 422 and only not in r.text

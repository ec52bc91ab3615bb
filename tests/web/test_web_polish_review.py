"""Four eyes on the review page: a reviewer who changed the version has one action left, returning it.
The page says why and offers that action as its button, not as a radio group of one option (GOV.UK:
radios are for a choice between options)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.support import ONE_RATED, Web, csrf_of, error_summary

RETURN = {"sv": "Returnera till författaren", "fi": "Palauta laatijalle", "en": "Return to the author"}


def _changed_by_reviewer(official: Web, reviewer: Web) -> str:
    aid = official.new_assessment()
    official.screen(aid)
    assert reviewer.rate(aid, {**ONE_RATED, "c0-e1-rationale": "Granskarens betyg."}).status_code == 303
    assert official.submit(aid, "").status_code == 303
    return aid


def _form(html: str) -> str:
    found = re.search(r'<form method="post" action="/assessments/[0-9a-f-]{36}/review".*?</form>', html, re.S)
    assert found, "the review form"
    return found.group(0)


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_one_action_left_is_a_button_not_a_radio_group(official: Web, reviewer: Web, lang: str) -> None:
    aid = _changed_by_reviewer(official, reviewer)
    reviewer.get(f"/language?lang={lang}")
    page = reviewer.get(f"/assessments/{aid}/review")
    form = _form(page.text)
    assert 'type="radio"' not in form and "<fieldset" not in form, "no radio group of one option"
    assert '<input type="hidden" name="action" value="return">' in form
    assert re.search(rf'<button type="submit" class="button" id="action"[^>]*>{RETURN[lang]}</button>', form)
    assert 'id="own-changes"' in page.text, "the page says why approving is not offered"
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Jag ändrade betyget."})
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}"


def test_a_stale_approval_is_refused_next_to_the_button(official: Web, reviewer: Web) -> None:
    """An approval sent from a page loaded before the reviewer's change (or by hand): the error summary
    links to the button that is left, whose error message says why."""
    aid = _changed_by_reviewer(official, reviewer)
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."})
    assert r.status_code == 422
    message = "Du har själv ändrat den här versionen av bedömningen: en annan granskare måste godkänna den"
    assert error_summary(r.text) == [("action", message)]
    form = _form(r.text)
    assert 'id="action-error"' in form and message in form
    assert 'id="action" aria-describedby="action-error"' in form
    assert "Bra.</textarea>" in form, "the comment is kept"


def test_a_reviewer_who_changed_nothing_still_chooses(official: Web, reviewer: Web, app: Any) -> None:
    aid = _changed_by_reviewer(official, reviewer)
    other = Web.signed_in(app, "greta@vaasa.fi", "reviewer")
    form = _form(other.get(f"/assessments/{aid}/review").text)
    assert form.count('type="radio"') == 2 and 'value="approve"' in form and 'type="hidden" name="action"' not in form
    token = csrf_of(form)
    assert other.post(f"/assessments/{aid}/review", {"csrf_token": token, "action": "approve"}).status_code == 303

"""The conflict page of a form saved on a stale version says who saved meanwhile: the same person in
another tab or window is told so, not that "someone else" saved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.support import PASSWORD, Web, screening_form

SAME = {
    "sv": ("Du sparade det här formuläret i en annan flik eller ett annat fönster", "Sparad i den andra fliken"),
    "fi": ("Tallensit tämän lomakkeen toisessa välilehdessä tai ikkunassa", "Tallennettu toisessa välilehdessä"),
    "en": ("You saved this form in another tab or window", "Saved in the other tab or window"),
}
DISCARD = {  # what discarding keeps: the version saved in the other tab, not "it" (this page's input)
    "sv": "eller släng det för att behålla det du sparade där.",
    "fi": "tai hylkää se, jolloin sinne tallentamasi versio säilyy.",
    "en": "or discard it to keep that.",
}
OTHER = {
    "sv": "Någon annan sparade det här formuläret",
    "fi": "Joku muu tallensi tämän lomakkeen",
    "en": "Someone else saved this form",
}


def _conflict_of_rating_form(first: Web, second: Web, aid: str) -> Any:
    """``first`` and ``second`` load the same rating form; ``second`` saves, then ``first``."""
    url, stale = first.rate_form(aid)
    _, fresh = second.rate_form(aid)
    saved = second.post(url, fresh | {"c0-e1-score": "2", "c0-e1-rationale": "Sparad i flik två"})
    assert saved.status_code == 303
    r = first.post(url, stale | {"c0-e1-score": "1", "c0-e1-rationale": "Skriven i flik ett"})
    assert r.status_code == 409
    assert "Skriven i flik ett" in r.text and "Sparad i flik två" in r.text, "both versions shown"
    return r


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_a_save_in_another_tab_is_called_the_users_own(official: Web, lang: str) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    official.get(f"/language?lang={lang}")
    r = _conflict_of_rating_form(official, official, aid)  # one session, two tabs
    heading, column = SAME[lang]
    assert heading in r.text and column in r.text and DISCARD[lang] in r.text
    assert OTHER[lang] not in r.text


def test_another_browser_of_the_same_person_is_theirs_too(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    laptop = Web(TestClient(app, follow_redirects=False), user=official.user)
    assert laptop.login("tiina@vaasa.fi", PASSWORD).status_code == 303
    r = _conflict_of_rating_form(official, laptop, aid)
    assert SAME["sv"][0] in r.text and OTHER["sv"] not in r.text


def test_someone_else_is_still_someone_else(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    r = _conflict_of_rating_form(official, colleague, aid)
    assert OTHER["sv"] in r.text and "Deras version (sparad nu)" in r.text
    assert SAME["sv"][0] not in r.text


def test_the_screening_conflict_after_a_save_in_another_tab(official: Web) -> None:
    aid = official.new_assessment()
    stale = official.get(f"/assessments/{aid}/screening").text
    assert official.screen(aid, relevant=("policy", "logistics")).status_code == 303  # the other tab
    r = official.post(f"/assessments/{aid}/screening", screening_form(stale))
    assert r.status_code == 409
    assert SAME["sv"][0] in r.text and OTHER["sv"] not in r.text
    assert "Släng den här versionen och behåll den sparade" in r.text


def test_who_saved_the_form_decides_not_who_changed_the_assessment_last(official: Web, app: Any) -> None:
    """A colleague saves this rating form, then the official saves another form in another tab: the
    stale tab's conflict is the colleague's, although the assessment's newest change is the official's."""
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    url, stale = official.rate_form(aid)
    _, fresh = colleague.rate_form(aid)
    assert colleague.post(url, fresh | {"c0-e1-score": "2", "c0-e1-rationale": "Kollegans text"}).status_code == 303
    other_url, other = official.rate_form(aid, target="residents")  # another tab, another form
    assert official.post(other_url, other | {"c0-e1-score": "1", "c0-e1-rationale": "Invånarna"}).status_code == 303
    r = official.post(url, stale | {"c0-e1-score": "1", "c0-e1-rationale": "Skriven i flik ett"})
    assert r.status_code == 409
    assert OTHER["sv"] in r.text and SAME["sv"][0] not in r.text


def test_the_users_own_save_of_the_form_is_theirs_after_a_colleagues_other_form(official: Web, app: Any) -> None:
    """The other way round: the official saved this form in another tab, then a colleague saved another
    form: the conflict is still the official's own save."""
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    url, stale = official.rate_form(aid)
    _, fresh = official.rate_form(aid)
    assert official.post(url, fresh | {"c0-e1-score": "2", "c0-e1-rationale": "Flik två"}).status_code == 303
    other_url, other = colleague.rate_form(aid, target="residents")
    assert colleague.post(other_url, other | {"c0-e1-score": "1", "c0-e1-rationale": "Kollegan"}).status_code == 303
    r = official.post(url, stale | {"c0-e1-score": "1", "c0-e1-rationale": "Skriven i flik ett"})
    assert r.status_code == 409
    assert SAME["sv"][0] in r.text and OTHER["sv"] not in r.text


def test_the_screening_conflict_names_who_screened(official: Web, app: Any) -> None:
    """A colleague changes the screening, then the official saves a rating form: the official's stale
    screening tab is told someone else saved the screening."""
    aid = official.new_assessment()
    official.screen(aid, relevant=("policy", "logistics"))
    stale = official.get(f"/assessments/{aid}/screening").text
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    assert colleague.screen(aid, relevant=("policy",)).status_code == 303
    url, fresh = official.rate_form(aid)
    assert official.post(url, fresh | {"c0-e1-score": "1", "c0-e1-rationale": "Min text"}).status_code == 303
    r = official.post(f"/assessments/{aid}/screening", screening_form(stale, ("policy", "logistics")))
    assert r.status_code == 409
    assert OTHER["sv"] in r.text and SAME["sv"][0] not in r.text

"""Nothing lost: autosave to a server-side draft, the draft back after a closed tab, and a conflict
page showing both versions when another official saved the same form meanwhile."""

from __future__ import annotations

import re
from typing import Any

from tests.web.support import Web, error_summary, hidden, screening_form


def test_autosave_keeps_the_draft_for_the_next_visit(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    r = official.post(
        f"/assessments/{aid}/autosave",
        data | {"form_key": "rate:proposal:policy:firms", "c0-e1-score": "1", "c0-e1-rationale": "Halvfärdig tanke"},
    )
    assert r.status_code == 200 and r.json()["saved"] is True
    page = official.get(url)  # a new visit, e.g. after the tab was closed
    assert "Halvfärdig tanke</textarea>" in page.text
    assert "har återställts" in page.text
    assert "osparade ändringar" in official.get(f"/assessments/{aid}").text
    r = official.post(f"/assessments/{aid}/discard", {"form_key": "rate:proposal:policy:firms", "back": url})
    assert r.status_code == 303
    assert "Halvfärdig tanke" not in official.get(url).text


def test_autosave_refuses_unknown_forms_and_other_users_cannot_see_drafts(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    assert official.post(f"/assessments/{aid}/autosave", {"form_key": "../../etc"}).status_code == 409
    official.post(
        f"/assessments/{aid}/autosave", {"form_key": "screening", "s-policy-reason": "Min text", "base_version": "1"}
    )
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    assert "Min text" not in colleague.get(f"/assessments/{aid}/screening").text
    assert "Min text" in official.get(f"/assessments/{aid}/screening").text


def test_a_save_without_javascript_also_keeps_invalid_input(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    official.post(url, data | {"c0-e1-score": "-1", "c0-e1-rationale": "Dyrare."})  # no mitigation: refused
    page = official.get(url)
    assert "Dyrare.</textarea>" in page.text, "the refused input is there on the next visit"


def test_second_official_saving_the_same_form_gives_a_conflict_with_both_versions(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    url, mine = official.rate_form(aid)  # both load the form at the same version
    _, theirs = colleague.rate_form(aid)
    r = colleague.post(url, theirs | {"c0-e1-score": "2", "c0-e1-rationale": "Deras motivering"})
    assert r.status_code == 303
    r = official.post(
        url, mine | {"c0-e1-score": "-1", "c0-e1-rationale": "Min motivering", "c0-e1-mitigation": "Åtgärd"}
    )
    assert r.status_code == 409
    assert "Min motivering" in r.text and "Deras motivering" in r.text
    assert "Ingenting har skrivits över" in r.text
    table = r.text.split('<table class="compare">')[1].split("</table>")[0]
    assert "+2 Måttlig positiv effekt" in table and "−1 Liten negativ effekt" in table, "values shown as labels"
    from tests.web.test_assessment_flow import _ratings

    rows = _ratings(official, aid)
    assert [(x.score, x.rationale) for x in rows] == [(2, "Deras motivering")], "theirs is not overwritten"
    # the conflict form holds my version at the new base: saving it now is an explicit choice
    base = {"base_version": hidden(r.text, "base_version"), "base_hash": hidden(r.text, "base_hash")}
    r2 = official.post(
        url, base | {"c0-e1-score": "-1", "c0-e1-rationale": "Min motivering", "c0-e1-mitigation": "Åtgärd"}
    )
    assert r2.status_code == 303
    assert [(x.score, x.rationale) for x in _ratings(official, aid)] == [(-1, "Min motivering")]


def test_saves_of_different_forms_do_not_conflict(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    url_a, mine = official.rate_form(aid, target="firms")
    url_b, theirs = colleague.rate_form(aid, target="residents")
    assert colleague.post(url_b, theirs | {"c0-e1-score": "1", "c0-e1-rationale": "Invånare"}).status_code == 303
    r = official.post(url_a, mine | {"c0-e1-score": "1", "c0-e1-rationale": "Företag"})
    assert r.status_code == 303, error_summary(r.text)


def test_screening_conflict(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    stale = official.get(f"/assessments/{aid}/screening").text
    assert colleague.screen(aid, relevant=("policy", "logistics")).status_code == 303
    r = official.post(f"/assessments/{aid}/screening", screening_form(stale))
    assert r.status_code == 409
    assert "Logistik och livskraft" in r.text


def test_decision_edit_conflict_keeps_my_text(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    page = official.get(f"/assessments/{aid}")
    did = re.search(r'href="/decisions/([0-9a-f-]{36})/edit"', page.text).group(1)
    form = official.get(f"/decisions/{did}/edit").text
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    base = {"case_number": "KS 2026/1", "deciding_body": "Kommunstyrelsen", "planned_date": "", "summary": ""}
    theirs = colleague.get(f"/decisions/{did}/edit").text
    assert (
        colleague.post(
            f"/decisions/{did}/edit", base | {"title": "Deras rubrik", "version": hidden(theirs, "version")}
        ).status_code
        == 303
    )
    r = official.post(f"/decisions/{did}/edit", base | {"title": "Min rubrik", "version": hidden(form, "version")})
    assert r.status_code == 422
    assert 'value="Min rubrik"' in r.text and "Deras rubrik" in r.text

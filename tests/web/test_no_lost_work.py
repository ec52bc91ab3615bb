"""No lost work when a save is refused for reasons outside the form: the assessment was submitted
meanwhile (409), the session ended (sign in, then back to the form) or the form's CSRF token is stale
after a new sign-in in another tab (403). What was typed is kept as the user's draft of that form where
the form keeps drafts, and shown to be copied where it does not; never written for anyone else."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from tests.support import session
from tests.web.support import ONE_RATED, PASSWORD, Web, hidden, rated


def _drafts() -> list[Any]:
    from app.assessments.models import FormDraft

    with session() as s:
        return list(s.exec(select(FormDraft)).all())


def _lock_version(aid: str) -> int:
    from app.assessments.models import Assessment

    with session() as s:
        found = s.get(Assessment, uuid.UUID(aid))
        assert found is not None
        return found.lock_version


def _rated(official: Web) -> str:
    """A draft assessment ready to submit (screened; the proposal's policy × firms rated)."""
    return rated(official, ONE_RATED)


def _screening_data(page: str, reason: str) -> dict[str, str]:
    from app.rubrics.models import PERSPECTIVE_IDS

    data = {"base_version": hidden(page, "base_version"), "base_hash": hidden(page, "base_hash")}
    for pid in PERSPECTIVE_IDS:
        data[f"s-{pid}"] = "yes" if pid in ("policy", "logistics") else "no"
        data[f"s-{pid}-reason"] = "" if pid in ("policy", "logistics") else reason
    return data


# --- 1. the assessment was submitted meanwhile --------------------------------------------------


def test_a_rating_form_sent_after_the_assessment_was_submitted_keeps_the_text(official: Web, reviewer: Web) -> None:
    aid = _rated(official)
    url, form = official.rate_form(aid, target="residents")  # the official opens the form and types
    assert official.post(f"/assessments/{aid}/submit", {"comment": "Klar"}).status_code == 303  # another tab
    typed = {"c0-e1-score": "-1", "c0-e1-rationale": "Fler <b>besökare</b>", "c0-e1-mitigation": "Skyltning."}
    r = official.post(url, form | typed | {"then": "next"})
    assert r.status_code == 409
    assert "skickades in för granskning" in r.text, "says what happened"
    assert "hittar du dem i formuläret" in r.text, "says the changes are kept"
    assert "Fler &lt;b&gt;besökare&lt;/b&gt;" in r.text and "Skyltning." in r.text, "shows what was typed"
    assert "Motivering" in r.text and "−1 " in r.text, "labelled and shown as on the form"
    assert f'href="/assessments/{aid}"' in r.text, "a way back to the assessment"
    assert 'name="csrf_token" value' not in r.text.split("<main")[1].split("</main>")[0], "no form to resend"
    assert [d.form_key for d in _drafts()] == ["rate:proposal:policy:residents"]
    assert "Fler" not in official.get(url).text, "a submitted assessment shows its saved answers, not the draft"
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Komplettera."}).status_code
    page = official.get(url)
    assert "Fler &lt;b&gt;besökare&lt;/b&gt;</textarea>" in page.text, "back in the form once it is a draft again"
    assert "har återställts" in page.text
    base = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    assert official.post(url, base | typed).status_code == 303, "the restored draft saves without a conflict"
    assert _drafts() == []


def test_the_screening_sent_after_the_assessment_was_submitted_is_kept(official: Web, reviewer: Web) -> None:
    aid = _rated(official)
    stale = official.get(f"/assessments/{aid}/screening").text
    assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    r = official.post(f"/assessments/{aid}/screening", _screening_data(stale, "Ingen hamn i kommunen."))
    assert r.status_code == 409
    assert "Ingen hamn i kommunen." in r.text and "Logistik och livskraft" in r.text
    assert "hittar du dem i formuläret" in r.text
    reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Se över."})
    page = official.get(f"/assessments/{aid}/screening").text
    assert "Ingen hamn i kommunen.</textarea>" in page and "har återställts" in page


def test_forms_without_drafts_show_what_was_typed_in_the_users_language(official: Web) -> None:
    aid = _rated(official)
    assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Cykelväg", "description": "Längs ån."})
    assert r.status_code == 409
    assert "Cykelväg" in r.text and "Längs ån." in r.text and "Det du skrev" in r.text
    assert "hittar du dem i formuläret" not in r.text, "no draft is promised where the form keeps none"
    assert f'href="/assessments/{aid}"' in r.text
    assert _drafts() == []
    official.client.cookies.set("lk_lang", "fi")
    r = official.post(f"/assessments/{aid}/submit", {"comment": "Valmis tarkastettavaksi"})
    assert r.status_code == 409
    assert "lähetettiin tarkastettavaksi" in r.text and "Valmis tarkastettavaksi" in r.text
    official.client.cookies.set("lk_lang", "en")
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Cycle path"})
    assert "was sent for review on" in r.text and "What you typed" in r.text and "Cycle path" in r.text


# --- 2a. the session ended -----------------------------------------------------------------------


def test_signed_out_meanwhile_signing_in_leads_back_to_the_form(official: Web) -> None:
    aid = official.new_assessment()
    form = official.get(f"/assessments/{aid}/screening").text
    assert official.post("/logout").status_code == 303  # in another tab
    r = official.post(f"/assessments/{aid}/screening", _screening_data(form, "Nej."))
    assert r.status_code == 303
    target = parse_qs(urlsplit(r.headers["location"]).query)["next"][0]
    assert target == f"/assessments/{aid}/screening"
    login = official.get(r.headers["location"]).text
    r = official.client.post(
        "/login",
        data={
            "email": "tiina@vaasa.fi",
            "password": PASSWORD,
            "next": target,
            "csrf_token": hidden(login, "csrf_token"),
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}/screening"
    assert _drafts() == [], "nothing is written without a session"


def test_a_post_to_an_address_without_a_page_goes_back_to_the_page_it_came_from(official: Web) -> None:
    aid = official.new_assessment()
    official.post("/logout")
    here = f"http://testserver/assessments/{aid}/check"
    r = official.post(f"/assessments/{aid}/submit", {"comment": "x"}, headers={"Referer": here})
    assert parse_qs(urlsplit(r.headers["location"]).query)["next"] == [f"/assessments/{aid}/check"]
    for foreign in ("https://evil.example/assessments/x", "//evil.example/x", "javascript:alert(1)"):
        r = official.post(f"/assessments/{aid}/submit", {"comment": "x"}, headers={"Referer": foreign})
        assert r.headers["location"] == "/login?next=/", foreign


# --- 2b. a stale CSRF token with a valid session -------------------------------------------------


def _sign_in_again(web: Web) -> str:
    """Sign out and in again (another tab): the session is new, the open form's token stale."""
    stale = web.token
    web.post("/logout")
    assert web.login("tiina@vaasa.fi", PASSWORD).status_code == 303
    assert web.token != stale
    return stale


def test_a_stale_token_keeps_the_screening_and_leads_back_to_it(official: Web) -> None:
    aid = official.new_assessment()
    form = official.get(f"/assessments/{aid}/screening").text
    stale = _sign_in_again(official)
    version = _lock_version(aid)
    data = _screening_data(form, "Berör inte <beslutet>.") | {"csrf_token": stale}
    r = official.post(f"/assessments/{aid}/screening", data)
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}/screening"
    assert _lock_version(aid) == version, "nothing but the draft is written"
    [draft] = _drafts()
    assert draft.form_key == "screening" and "csrf_token" not in draft.data
    page = official.get(r.headers["location"]).text
    assert "Formuläret hade gått ut" in page and "har återställts" in page
    assert "Berör inte &lt;beslutet&gt;.</textarea>" in page
    base = {"base_version": hidden(page, "base_version"), "base_hash": hidden(page, "base_hash")}
    assert (
        official.post(f"/assessments/{aid}/screening", data | base | {"csrf_token": official.token}).status_code == 303
    )
    assert _drafts() == []


def test_a_stale_token_keeps_a_rating_form(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, form = official.rate_form(aid)
    stale = _sign_in_again(official)
    typed = {"c0-e1-score": "2", "c0-e1-rationale": "Bättre service.", "then": "overview", "csrf_token": stale}
    r = official.post(url, form | typed, headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303 and r.headers["location"] == url
    page = official.get(url).text
    assert "Bättre service.</textarea>" in page and "Formuläret hade gått ut" in page


def test_a_stale_token_on_a_form_without_drafts_shows_the_text_and_links_back(official: Web) -> None:
    aid = official.new_assessment()
    did = re.search(r'href="/decisions/([0-9a-f-]{36})/edit"', official.get(f"/assessments/{aid}").text).group(1)
    stale = _sign_in_again(official)
    r = official.post(f"/decisions/{did}/edit", {"title": "Ny rubrik på beslutet", "csrf_token": stale})
    assert r.status_code == 403
    assert "Formuläret har gått ut" in r.text and "Ny rubrik på beslutet" in r.text
    assert f'href="/decisions/{did}/edit"' in r.text, "a link back to the form"
    assert _drafts() == []


def test_a_stale_token_writes_nothing_for_other_origins_other_municipalities_or_readers(
    official: Web, app: Any, council: Web
) -> None:
    aid = official.new_assessment()
    form = official.get(f"/assessments/{aid}/screening").text
    data = _screening_data(form, "Insmugglat.") | {"csrf_token": "stale"}
    for site in ({"Sec-Fetch-Site": "same-site"}, {"Origin": "https://sub.example"}, {"Origin": "null"}):
        r = official.post(f"/assessments/{aid}/screening", data, headers=site)
        assert r.status_code == 403 and "Insmugglat." not in r.text, site
    helsinki = Web.signed_in(app, "h@hel.fi", "official", code="091")
    assert helsinki.post(f"/assessments/{aid}/screening", data).status_code == 404
    assert council.post(f"/assessments/{aid}/screening", data).status_code == 403
    anonymous = Web.signed_in(app, "olle@vaasa.fi")
    anonymous.post("/logout")
    assert anonymous.post(f"/assessments/{aid}/screening", data).status_code == 303
    assert _drafts() == []
    assert "Insmugglat." not in official.get(f"/assessments/{aid}/screening").text


def test_a_stale_token_keeps_the_draft_within_the_stores_limits(official: Web) -> None:
    from app.web.drafts import MAX_VALUE

    aid = official.new_assessment()
    form = official.get(f"/assessments/{aid}/screening").text
    stale = _sign_in_again(official)
    data = _screening_data(form, "Nej.") | {"statement": "x" * (MAX_VALUE + 500), "csrf_token": stale}
    assert official.post(f"/assessments/{aid}/screening", data).status_code == 303
    [draft] = _drafts()
    assert len(draft.data["statement"]) == MAX_VALUE

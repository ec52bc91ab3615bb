"""Integrity rules in the browser: a decision's details are fixed while its assessment is under review or
approved; a reviewer never approves a version they changed (four eyes); comments are never cut short."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.reports.factories import pdf_text
from tests.web.support import ONE_RATED, Web, error_summary, hidden, submitted

NEW = {
    "case_number": "KS 2026/1",
    "title": "Helt ny rubrik",
    "deciding_body": "Kommunstyrelsen",
    "planned_date": "2027-03-01",
    "summary": "Ändrad sammanfattning.",
}


def decision_of(web: Web, aid: str) -> str:
    m = re.search(r'href="/decisions/([0-9a-f-]{36})', web.get(f"/assessments/{aid}").text)
    assert m
    return m.group(1)


def textarea(page: str, name: str) -> str:
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, f"no textarea {name}"
    return html.unescape(m.group(1))


def submitted_from(official: Web, aid: str) -> str:
    official.screen(aid)
    assert official.rate(aid, {**ONE_RATED, "c0-e1-score": "2"}).status_code == 303
    assert official.submit(aid, "").status_code == 303
    return aid


# --- 1. a decision's details while its assessment is reviewed or approved ------------------------------


def test_the_decision_cannot_be_edited_under_review_or_after_approval(official: Web, reviewer: Web) -> None:
    aid = official.new_assessment()
    did = decision_of(official, aid)
    version = hidden(official.get(f"/decisions/{did}/edit").text, "version")
    aid = submitted_from(official, aid)
    edit = official.get(f"/decisions/{did}/edit")
    assert edit.status_code == 200
    assert 'action="/decisions/' not in edit.text, "no form to fill in for nothing"
    assert "Bedömningen av beslutet granskas" in edit.text and f'href="/assessments/{aid}"' in edit.text
    r = official.post(f"/decisions/{did}/edit", NEW | {"version": version})
    assert r.status_code == 409
    assert error_summary(r.text) == [
        (
            "locked",
            "Bedömningen av beslutet granskas, så beslutets uppgifter kan "
            "inte ändras nu. De kan ändras igen om granskaren returnerar bedömningen.",
        )
    ]
    assert 'id="locked"' in r.text
    assert 'value="Helt ny rubrik"' in r.text and "Ändrad sammanfattning.</textarea>" in r.text, "what was typed"
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    r = official.post(f"/decisions/{did}/edit", NEW | {"version": version})
    assert r.status_code == 409
    assert error_summary(r.text)[0][0] == "locked" and "är godkänd" in error_summary(r.text)[0][1]
    assert 'value="Helt ny rubrik"' in r.text
    edit = reviewer.get(f"/decisions/{did}/edit")
    assert 'action="/decisions/' not in edit.text and "Gör en ny version av bedömningen" in edit.text
    overview = official.get(f"/assessments/{aid}").text
    assert "Helt ny rubrik" not in overview and "Industriområde vid bangården" in overview
    pdf = pdf_text(official.get(f"/assessments/{aid}/report.pdf?lang=sv").content)
    assert "Helt ny rubrik" not in pdf and "Industriområde vid bangården" in pdf
    # a new draft version opens the decision again
    r = official.post(f"/assessments/{aid}/new-version")
    assert r.status_code == 303
    edit = official.get(f"/decisions/{did}/edit")
    assert 'action="/decisions/' in edit.text
    r = official.post(f"/decisions/{did}/edit", NEW | {"version": hidden(edit.text, "version")})
    assert r.status_code == 303


def test_the_reason_is_in_the_readers_language(official: Web) -> None:
    aid = official.new_assessment()
    did = decision_of(official, aid)
    submitted_from(official, aid)
    official.get("/language?lang=fi&next=/")
    assert "Päätöksen arviointi on tarkastettavana" in official.get(f"/decisions/{did}/edit").text
    official.get("/language?lang=en&next=/")
    r = official.post(f"/decisions/{did}/edit", NEW | {"version": "1"})
    assert r.status_code == 409 and "being reviewed, so the decision" in error_summary(r.text)[0][1]


# --- 2. four eyes: a reviewer who changed the version cannot approve it ---------------------------------


def test_a_reviewer_who_rated_cannot_approve(official: Web, reviewer: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    rating = {**ONE_RATED, "c0-e1-rationale": "Granskarens betyg."}
    assert reviewer.rate(aid, rating).status_code == 303, "a reviewer may write a draft"
    assert official.submit(aid, "").status_code == 303
    page = reviewer.get(f"/assessments/{aid}/review")
    assert page.status_code == 200
    assert 'value="approve"' not in page.text and 'value="return"' in page.text, "only returning is offered"
    assert "Du har själv ändrat den här versionen av bedömningen" in page.text
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Godkänd av mig."})
    assert r.status_code == 422
    assert error_summary(r.text) == [
        ("action", "Du har själv ändrat den här versionen av bedömningen: en annan granskare måste godkänna den")
    ]
    assert textarea(r.text, "comment") == "Godkänd av mig.", "what was typed is kept"
    assert "Inskickad för granskning" in official.get(f"/assessments/{aid}").text, "still under review"
    other = Web.signed_in(app, "greta@vaasa.fi", "reviewer")
    assert 'value="approve"' in other.get(f"/assessments/{aid}/review").text
    assert other.post(f"/assessments/{aid}/review", {"action": "approve", "comment": ""}).status_code == 303


def test_the_reviewer_who_changed_it_may_still_return_it(official: Web, reviewer: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    assert reviewer.screen(aid, relevant=("policy", "logistics")).status_code == 303
    url, data = official.rate_form(aid)
    data |= {"c0-e1-score": "1", "c0-e1-rationale": "Bra.", "c0-e1-likelihood": "likely"}
    assert official.post(url, data).status_code == 303
    assert official.post(f"/assessments/{aid}/submit", {"comment": ""}).status_code == 303
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Jag ändrade screeningen."})
    assert r.status_code == 303


# --- 3. comments are refused over their limit, never cut short -----------------------------------------

LONG = "å" * 29_999 + "!"


def test_a_too_long_review_comment_is_refused_and_kept(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": LONG})
    assert r.status_code == 422
    assert error_summary(r.text) == [("comment", "Kommentar: texten är för lång, högst 20\xa0000 tecken")]
    assert textarea(r.text, "comment") == LONG, "all 30,000 characters kept"
    assert re.search(r'value="return" checked', r.text)
    history = official.get(f"/assessments/{aid}/history").text
    assert "ååå" not in history and "Inskickad för granskning" in official.get(f"/assessments/{aid}").text
    reviewer.get("/language?lang=fi&next=/")
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": LONG})
    assert r.status_code == 422
    assert error_summary(r.text) == [("comment", "Kommentti: teksti on liian pitkä, enintään 20\xa0000 merkkiä")]
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "ä" * 20_000})
    assert r.status_code == 303, "20,000 characters fit"
    assert "ä" * 20_000 + "<" in official.get(f"/assessments/{aid}/history").text


def test_a_too_long_submit_message_is_refused_and_kept(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    data |= {"c0-e1-score": "1", "c0-e1-rationale": "Bra.", "c0-e1-likelihood": "likely"}
    assert official.post(url, data).status_code == 303
    official.get("/language?lang=en&next=/")
    r = official.post(f"/assessments/{aid}/submit", {"comment": LONG})
    assert r.status_code == 422
    assert error_summary(r.text) == [
        ("comment", "Message to the reviewer: the text is too long, at most 20,000 characters")
    ]
    assert textarea(r.text, "comment") == LONG
    assert "Submitted for review" not in official.get(f"/assessments/{aid}").text, "still a draft"
    assert official.post(f"/assessments/{aid}/submit", {"comment": "ok"}).status_code == 303

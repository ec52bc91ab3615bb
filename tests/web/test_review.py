"""Review in the browser: only a reviewer approves or returns, never their own; council reads only;
history shows versions, the review conversation and the audit trail; follow-up after approval."""

from __future__ import annotations

import re
from typing import Any

from tests.web.support import Web, error_summary, hidden, submitted


def test_reviewer_returns_with_a_comment_then_approves(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    assert "väntar på din granskning" in reviewer.get(f"/assessments/{aid}").text
    assert f"/assessments/{aid}" in reviewer.get("/").text.split("Väntar på min granskning")[1].split("</table>")[0]
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": ""})
    assert r.status_code == 422
    assert error_summary(r.text)[0][0] == "comment"
    assert re.search(r'value="return" checked', r.text), "the decision chosen is kept"
    r = reviewer.post(f"/assessments/{aid}/review", {"action": "return", "comment": "Lägg till underlag."})
    assert r.status_code == 303
    assert "Lägg till underlag." in official.get(f"/assessments/{aid}/history").text
    assert official.post(f"/assessments/{aid}/submit", {"comment": "Underlag tillagt"}).status_code == 303
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    page = official.get(f"/assessments/{aid}")
    assert "Godkänd av Goran" in page.text


def test_official_cannot_approve(official: Web, app: Any) -> None:
    aid = submitted(official)
    other = Web.signed_in(app, "olle@vaasa.fi", "official")
    r = other.post(f"/assessments/{aid}/review", {"action": "approve", "comment": ""})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")


def test_reviewer_never_approves_their_own(reviewer: Web) -> None:
    aid = submitted(reviewer)
    page = reviewer.get(f"/assessments/{aid}/review")
    assert 'name="action"' not in page.text
    assert "själv har skrivit" in page.text
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve"}).status_code == 403


def test_council_reads_but_cannot_change(official: Web, council: Web) -> None:
    aid = submitted(official)
    for suffix in ("", "/summary", "/history", "/screening", "/rate/proposal/policy/firms", "/alternatives"):
        assert council.get(f"/assessments/{aid}{suffix}").status_code == 200
    assert "/decisions/new" not in council.get("/").text
    assert council.get("/decisions/new").status_code == 403
    assert council.post("/decisions/new", {"case_number": "X", "title": "Y", "deciding_body": "Z"}).status_code == 403


def test_another_municipality_sees_nothing(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    helsinki = Web.signed_in(app, "h@hel.fi", "reviewer", code="091")
    assert helsinki.get(f"/assessments/{aid}").status_code == 404
    assert helsinki.get(f"/assessments/{aid}/summary").status_code == 404
    assert "Industriområde" not in helsinki.get("/").text


def test_new_version_history_and_follow_up(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."})
    follow = official.get(f"/assessments/{aid}/follow-up")
    assert follow.status_code == 200
    ids = follow.text.split('name="o-')[1:]
    assert len({i.split('"')[0] for i in ids}) == 2, "both significant ratings can be followed up"
    rid = ids[0].split('"')[0]
    r = official.post(f"/assessments/{aid}/follow-up", {"review_date": "2028-06-30", f"n-{rid}": "Blev bättre."})
    assert r.status_code == 422, "a note needs an outcome"
    assert "Blev bättre.</textarea>" in r.text
    r = official.post(
        f"/assessments/{aid}/follow-up", {"review_date": "2028-06-30", f"o-{rid}": "better", f"n-{rid}": "Blev bättre."}
    )
    assert r.status_code == 303
    page = official.get(f"/assessments/{aid}/follow-up").text
    assert "Blev bättre." in page
    stale = hidden(page, "base_version")
    assert official.post(f"/assessments/{aid}/follow-up", {"review_date": "2028-09-30"}).status_code == 303
    r = reviewer.post(f"/assessments/{aid}/follow-up", {"review_date": "2029-03-31", "base_version": stale})
    assert r.status_code == 422 and "2029-03-31" in r.text, "a stale date change is refused, what was typed kept"
    assert [f for f, _ in error_summary(r.text)] == ["review_date"]
    assert 'value="2028-09-30"' in official.get(f"/assessments/{aid}/follow-up").text
    r = official.post(f"/assessments/{aid}/follow-up", {"review_date": "1999-01-01"})
    assert r.status_code == 422 and 'value="1999-01-01"' in r.text, "a date before 2000 is a typing mistake"
    assert [f for f, _ in error_summary(r.text)] == ["review_date"]
    assert 'value="2028-09-30"' in official.get(f"/assessments/{aid}/follow-up").text
    r = official.post(f"/assessments/{aid}/new-version")
    assert r.status_code == 303
    new_id = r.headers["location"].split("/")[2]
    history = official.get(f"/assessments/{new_id}/history")
    trail = history.text.split("Granskningsspår")[1]
    assert "version 1" in history.text and "En ny version påbörjades" in trail and "Godkänd" in trail
    assert "assessment.versioned" not in trail, "the audit trail names its events in the page's language"
    # pressed again (a tab opened before): no third version; the newer one is shown, and said so
    again = official.post(f"/assessments/{aid}/new-version")
    assert again.status_code == 303 and again.headers["location"] == f"/assessments/{new_id}"
    shown = official.get(again.headers["location"]).text
    assert "En nyare version av bedömningen hade redan gjorts" in shown
    assert official.post(f"/assessments/{new_id}/new-version").status_code == 409, "a draft has no new version"


def test_pdf_download(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    r = official.get(f"/assessments/{aid}/report.pdf?lang=fi")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")

"""What a browser never sends but a pasted text or a tampered request can: control characters (a NUL,
which PostgreSQL cannot store), version numbers past the integer column or in other scripts' digits,
text over the limits, a case number in another alphabet in a file name. Every answer is the page with
its message and the input kept (or the text saved without the invisible characters), never a 500."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from tests.web.support import Web, csrf_of, error_summary, hidden, submitted

CONTROL = "\x00\x01\x0b\x0c\x1b\x7f"
VERSIONS = ("²", "٣", "999999999999", "99999999999999999999", "-1", "")


def test_control_characters_are_removed_from_what_forms_save(official: Web) -> None:
    r = official.post(
        "/decisions/new",
        {
            "case_number": "KS\x00 2026/5",
            "title": f"Skol{CONTROL}gården",
            "deciding_body": "Kommunstyrelsen",
            "planned_date": "2026-12-14",
            "summary": "",
            "zero_description": f"Inget\x00 byggs{CONTROL}.",
        },
    )
    assert r.status_code == 303, r.text
    aid = r.headers["location"].split("/")[2]
    page = official.get(f"/assessments/{aid}").text
    assert "Skolgården" in page and "KS 2026/5" in page
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Mindre\x01 etapp", "description": "Utan\x00 spår"})
    assert r.status_code == 303
    assert "Mindre etapp" in official.get(f"/assessments/{aid}/alternatives").text
    official.screen(aid)
    url, data = official.rate_form(aid)
    r = official.post(
        url, data | {"c0-e1-score": "1", "c0-e1-rationale": "Fler\x00 jobb\x0c.", "c0-e1-evidence": "a\x00"}
    )
    assert r.status_code == 303, r.text
    assert "Fler jobb." in official.get(url).text


def test_a_refused_answer_with_a_nul_is_kept_as_a_draft(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, data = official.rate_form(aid)
    r = official.post(url, data | {"c0-e1-score": "-2", "c0-e1-rationale": "Dyrare\x00 taxa"})  # no mitigation
    assert r.status_code == 422 and "Dyrare taxa</textarea>" in r.text
    assert "Dyrare taxa</textarea>" in official.get(url).text, "the draft kept it for the next visit"
    r = official.post(
        f"/assessments/{aid}/autosave",
        {"form_key": "screening", "s-policy\x00-reason": "Min\x00 text", "base_version": "1"},
    )
    assert r.status_code == 200 and r.json()["saved"] is True


def test_text_over_the_limit_is_refused_with_the_input_kept_never_cut(official: Web) -> None:
    long = "å" * 20_001
    base = {"case_number": "KS 2026/6", "title": "Torget", "deciding_body": "KS", "planned_date": "", "summary": ""}
    r = official.post("/decisions/new", base | {"zero_description": long})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["zero_description"]
    assert long in r.text, "what was typed is on the page"
    aid = official.new_assessment()
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp", "description": long})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["description"] and long in r.text
    assert official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp"}).status_code == 303
    form = official.get(f"/assessments/{aid}/alternatives/option-1")
    title = "T" * 301
    r = official.post(
        f"/assessments/{aid}/alternatives/option-1",
        {"title": title, "description": "", "base_hash": hidden(form.text, "base_hash")},
    )
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["title"] and title in r.text
    assert "Etapp" in official.get(f"/assessments/{aid}/alternatives").text, "nothing saved cut short"
    page = official.get(f"/assessments/{aid}/screening")
    data = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    data |= {"s-policy": "yes", "statement": long}
    r = official.post(f"/assessments/{aid}/screening", data)
    assert r.status_code == 422 and "statement" in [f for f, _ in error_summary(r.text)]


def test_a_follow_up_note_over_the_limit_is_refused(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra\x00."})
    follow = official.get(f"/assessments/{aid}/follow-up").text
    rid = follow.split('name="o-')[1].split('"')[0]
    r = official.post(f"/assessments/{aid}/follow-up", {f"o-{rid}": "better", f"n-{rid}": "x" * 20_001})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == [f"n-{rid}"]
    assert "Bra." in official.get(f"/assessments/{aid}/history").text


def test_odd_version_numbers_are_stale_not_errors(official: Web, reviewer: Web) -> None:
    done = submitted(official)
    reviewer.post(f"/assessments/{done}/review", {"action": "approve", "comment": ""})
    for v in VERSIONS:
        r = official.post(f"/assessments/{done}/follow-up", {"review_date": "2029-01-31", "base_version": v})
        assert r.status_code in (303, 422), (v, r.status_code)
    aid = official.new_assessment("KS 2026/9")
    official.screen(aid)
    url, data = official.rate_form(aid)
    for v in VERSIONS:
        r = official.post(url, {**data, "base_version": v, "c0-e1-score": "1", "c0-e1-rationale": "Bra."})
        assert r.status_code in (303, 409), (v, r.status_code)
        r = official.post(f"/assessments/{aid}/autosave", {"form_key": "screening", "base_version": v})
        assert r.status_code == 200, (v, r.status_code)
    decision_id = re.search(r'href="/decisions/([0-9a-f-]{36})', official.get(f"/assessments/{aid}").text)
    assert decision_id
    edit = f"/decisions/{decision_id.group(1)}/edit"
    fields = {"case_number": "KS 2026/9", "title": "Ny", "deciding_body": "KS", "planned_date": "", "summary": ""}
    for v in VERSIONS:
        r = official.post(edit, fields | {"version": v})
        assert r.status_code in (303, 409, 422), (v, r.status_code)


def test_links_and_sign_in_with_a_nul(official: Web, app: Any) -> None:
    assert official.get("/?q=%00&body=a%00b").status_code == 200
    r = official.get("/portfolio?date_from=2026-01-01&date_to=2026-12-31&body=%00")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    stranger = Web(official.client.__class__(app, follow_redirects=False))
    page = stranger.client.get("/login")
    r = stranger.client.post(
        "/login", data={"email": "a\x00@b.fi", "password": "x", "csrf_token": csrf_of(page.text), "next": "/"}
    )
    assert r.status_code == 400 and "csrf_token" in r.text, "the sign-in form again, with its message"


def test_a_case_number_in_another_alphabet_names_the_pdf(official: Web) -> None:
    aid = official.new_assessment(case_number="Dnr Š/Ŋ 2026:1")
    r = official.get(f"/assessments/{aid}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    disposition = r.headers["content-disposition"]
    assert 'filename="livskraft-Dnr-S-' in disposition, "an ASCII name for older clients"
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "livskraft-Dnr-Š-Ŋ-2026-1-v1-sv.pdf"


def test_names_and_addresses_over_their_columns_or_with_control_characters(admin: Web, app: Any) -> None:
    """The columns hold 200 (names) and 254 (e-mail) characters: longer was a 500 on PostgreSQL."""
    r = admin.post("/admin/tokens", {"name": "T" * 201, "scopes": "read"})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["name"] and "T" * 201 in r.text
    r = admin.post("/admin/tokens", {"name": "Ärende\x00system", "scopes": "read"})
    assert r.status_code == 200 and "Ärendesystem" in r.text
    address = "a@" + "b" * 189 + "." + "c" * 63  # 255 characters: the pattern alone would take it
    r = admin.post("/admin/invitations", {"email": address, "role": "official"})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["email"]
    r = admin.post("/admin/invitations", {"email": "ny\x01@vaasa.fi", "role": "official"})
    assert r.status_code == 200 and "ny@vaasa.fi" in r.text
    link = re.search(r"/invitations/[A-Za-z0-9_-]+", r.text)
    assert link
    guest = Web(admin.client.__class__(app, follow_redirects=False))
    page = guest.client.get(link.group(0))
    password = "ett långt lösenord"  # not "x" * 12: a repetition is refused (test_accounts_hardening.py)
    data = {"password": password, "confirm": password, "csrf_token": csrf_of(page.text)}
    r = guest.client.post(link.group(0), data=data | {"name": "N" * 201})
    assert r.status_code == 400 and "N" * 201 in r.text and error_summary(r.text)[0][0] == "name"
    r = guest.client.post(link.group(0), data=data | {"name": "Nina\x00 Nyman"})
    assert r.status_code == 303


def test_the_domain_refuses_names_with_control_characters(app: Any) -> None:
    """What the CLI and the API reach without the web's cleaning."""
    import pytest

    from app.auth.actor import system_actor
    from app.auth.tokens import create_token
    from app.auth.users import create_user
    from app.db.session import unit_of_work
    from app.errors import ValidationFailed
    from app.municipalities.repository import by_code
    from tests.support import make_user

    make_user("905", "olle@vaasa.fi", "official")
    with unit_of_work() as s:
        municipality = by_code(s, "905")
        assert municipality is not None
        with pytest.raises(ValidationFailed) as exc:
            create_user(s, municipality, email="x@vaasa.fi", name="X\x00", role="official", password="y" * 12)
        assert [p.field for p in exc.value.errors] == ["name"]
        with pytest.raises(ValidationFailed) as exc:
            create_token(s, system_actor(municipality.id, "905"), "t\x00", ["read"])
        assert [p.field for p in exc.value.errors] == ["name"]

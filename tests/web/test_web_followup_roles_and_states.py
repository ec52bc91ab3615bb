"""Pages that speak to the reader's role and the assessment's state: a council member typing the address
of the check or review page gets the 403 page (the role takes no part in submitting or reviewing), the
overview's drafting instruction shows only while the reader can change the ratings, an option's name reads
in lower case inside the removal question, and the review page says how complete the assessment is."""

from __future__ import annotations

import re

from tests.web.support import Web, submitted

INSTRUCTION = {
    "sv": "Bedöm varje relevant perspektiv",
    "fi": "Arvioi jokainen olennainen näkökulma",
    "en": "Rate each relevant perspective",
}
RATED = {
    "c0-e1-score": "3",
    "c0-e1-rationale": "Nya jobb.",
    "c0-e1-likelihood": "likely",
    "c1-e1-score": "unknown",
    "c1-e1-rationale": "Avgifterna är inte kända.",
}


def _submitted(official: Web) -> str:
    return submitted(official, RATED)


def _in(web: Web, lang: str) -> None:
    web.client.get(f"/language?lang={lang}")


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


# --- 1. check and review: the 403 page for a council member ----------------------------------------------


def test_a_council_member_gets_the_403_page_for_check_and_review(official: Web, reviewer: Web, council: Web) -> None:
    aid = _submitted(official)
    headings = {"sv": "Du kan inte göra detta", "fi": "Et voi tehdä tätä", "en": "You cannot do this"}
    for lang, heading in headings.items():
        _in(council, lang)
        for path in ("/check", "/review"):
            r = council.get(f"/assessments/{aid}{path}")
            assert r.status_code == 403, (lang, path, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
            assert heading in r.text, (lang, path)
            assert "Kontrollera dina svar" not in r.text and "godkänn" not in r.text.lower()
            assert "Industriområde vid bangården" not in r.text, "the 403 page shows nothing of the assessment"
        assert council.get(f"/assessments/{aid}").status_code == 200, "the overview stays readable"
        assert council.get(f"/assessments/{aid}/summary").status_code == 200
    # the roles that take part keep their pages: the reviewer the form, the author the read-only wording
    assert 'name="action"' in reviewer.get(f"/assessments/{aid}/review").text
    own = official.get(f"/assessments/{aid}/review")
    assert own.status_code == 200 and "Bara en granskare kan godkänna" in own.text
    assert official.get(f"/assessments/{aid}/check").status_code == 200


def test_a_council_member_cannot_send_a_review_either(official: Web, council: Web) -> None:
    aid = _submitted(official)
    r = council.post(f"/assessments/{aid}/review", {"action": "approve", "comment": ""})
    assert r.status_code == 403
    assert "Inskickad för granskning" in council.get(f"/assessments/{aid}").text, "nothing changed"


# --- 2. the overview's drafting instruction only while the ratings can be changed ------------------------


def test_the_drafting_instruction_shows_only_while_the_reader_can_edit(
    official: Web, reviewer: Web, council: Web
) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    for lang in ("sv", "fi", "en"):
        _in(official, lang)
        assert INSTRUCTION[lang] in official.get(f"/assessments/{aid}").text, lang
    _in(official, "sv")
    reading = {
        "sv": "Bedömningen är ännu ett utkast som håller på att tas fram.",
        "fi": "Arviointi on vielä valmisteilla oleva luonnos.",
        "en": "The assessment is still a draft being prepared.",
    }
    for lang, said in reading.items():
        _in(council, lang)
        page = council.get(f"/assessments/{aid}").text
        assert INSTRUCTION[lang] not in page and said in page, lang


def test_a_submitted_approved_or_superseded_assessment_says_its_state_instead(
    official: Web, reviewer: Web, council: Web
) -> None:
    aid = _submitted(official)
    submitted = {
        "sv": "Bedömningen har skickats in för granskning och kan inte ändras nu.",
        "fi": "Arviointi on lähetetty tarkastettavaksi, eikä sitä voi nyt muuttaa.",
        "en": "The assessment has been submitted for review and cannot be changed now.",
    }
    for lang, said in submitted.items():
        for web in (official, reviewer, council):
            _in(web, lang)
            page = _main(web.get(f"/assessments/{aid}").text)
            assert INSTRUCTION[lang] not in page and said in page, (lang, web.user.role)
    _in(reviewer, "sv")
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    approved = {
        "sv": "Bedömningen är godkänd och kan inte längre ändras.",
        "fi": "Arviointi on hyväksytty, eikä sitä voi enää muuttaa.",
        "en": "The assessment is approved and can no longer be changed.",
    }
    for lang, said in approved.items():
        for web in (official, council):
            _in(web, lang)
            page = _main(web.get(f"/assessments/{aid}").text)
            assert INSTRUCTION[lang] not in page and said in page, (lang, web.user.role)
            assert "Följ länkarna" in page or "taulukoiden linkeistä" in page or "Follow the links" in page

    _in(official, "sv")
    r = official.post(f"/assessments/{aid}/new-version")
    assert r.status_code == 303
    new_id = r.headers["location"].split("/")[2]
    assert INSTRUCTION["sv"] in official.get(f"/assessments/{new_id}").text, "the new version can be edited"
    assert official.post(f"/assessments/{new_id}/submit", {"comment": "Ny version"}).status_code == 303
    assert reviewer.post(f"/assessments/{new_id}/review", {"action": "approve", "comment": "Ok."}).status_code == 303
    superseded = {
        "sv": "Den här versionen har ersatts av en nyare och kan inte längre ändras.",
        "fi": "Tämä versio on korvattu uudemmalla, eikä sitä voi enää muuttaa.",
        "en": "This version has been replaced by a newer one and can no longer be changed.",
    }
    for lang, said in superseded.items():
        _in(official, lang)
        page = _main(official.get(f"/assessments/{aid}").text)
        assert INSTRUCTION[lang] not in page and said in page, lang


# --- 3. an option's name inside a sentence ----------------------------------------------------------------


def test_the_removal_question_names_the_option_in_lower_case(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    assert (
        official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp ett", "description": ""}).status_code == 303
    )
    expected = {
        "sv": ("Ta bort alternativ 1?", "Alternativ 1"),
        "fi": ("Poistetaanko vaihtoehto 1?", "Vaihtoehto 1"),
        "en": ("Remove option 1?", "Option 1"),
    }
    for lang, (question, name) in expected.items():
        _in(official, lang)
        page = official.get(f"/assessments/{aid}/alternatives/option-1/delete").text
        assert f"<title>{question} – " in page, lang
        assert f'id="remove-heading">{question}</h2>' in page, lang
        # where the name begins a heading or a table caption it keeps its capital
        assert f'<span class="caption">{name}</span>' in page, lang
        overview = official.get(f"/assessments/{aid}").text
        # the option's title is the author's (Swedish): marked as such on a page in another language
        title = "Etapp ett" if lang == "sv" else '<span lang="sv">Etapp ett</span>'
        assert re.search(rf'<caption id="tasks-option-1">{name}: {title}</caption>', overview), lang


# --- 4. how complete the assessment is, on the review page ------------------------------------------------


def test_the_review_page_says_how_complete_the_assessment_is(official: Web, reviewer: Web) -> None:
    aid = _submitted(official)
    # every question of the one relevant perspective, all three targets (the municipality's own included):
    # the two rated and those the check page counts as not rated, as the summary does
    unrated = re.search(r"frågor som inte bedömts: (\d+)", official.get(f"/assessments/{aid}/check").text)
    assert unrated
    total = int(unrated.group(1)) + 2
    assert total > 2
    expected = {
        "sv": ("Hur fullständig bedömningen är", f"2 av {total} frågor bedömda · kunskapsluckor: 1", f"0 av {total}"),
        "fi": ("Arvioinnin kattavuus", f"2 / {total} kysymystä arvioitu · tietoaukkoja: 1", f"0 / {total}"),
        "en": ("How complete the assessment is", f"2 of {total} questions rated · knowledge gaps: 1", f"0 of {total}"),
    }
    for lang, (heading, proposal, zero) in expected.items():
        _in(reviewer, lang)
        page = reviewer.get(f"/assessments/{aid}/review").text
        assert f"<h2>{heading}</h2>" in page, lang
        key = r'<dt class="summary-key">((?:[^<]|<span lang="sv">|</span>)*)</dt>'  # the option's title: marked
        rows = re.findall(key + r'\s*<dd class="summary-value">([^<]*)</dd>', page)
        assert len(rows) == 2, rows
        assert rows[0][1] == proposal, (lang, rows)
        assert rows[1][1].startswith(zero), (lang, rows)
        assert 'name="action"' in page, "the reviewer still decides on the same page"


def test_the_check_page_of_a_submitted_assessment_is_an_overview_not_a_check(official: Web) -> None:
    aid = _submitted(official)
    for lang, heading, check in (
        ("sv", "Svaren i korthet", "Kontrollera dina svar"),
        ("fi", "Vastaukset lyhyesti", "Tarkista vastauksesi"),
        ("en", "The answers at a glance", "Check your answers"),
    ):
        _in(official, lang)
        html = official.get(f"/assessments/{aid}/check").text
        assert heading in html and check not in html, lang
        assert 'id="problems"' not in html and 'action="/assessments/' not in _main(html), lang
    draft = official.new_assessment(case_number="KS 2026/50")
    _in(official, "en")
    assert "Check your answers before submitting" in official.get(f"/assessments/{draft}/check").text

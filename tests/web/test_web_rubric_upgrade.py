"""Moving a draft to a newer version of the questions on the web: the overview offers it, a page says
what would happen to each rating (carried over, moved to another question, not carried over — in full —
and the new questions) without changing anything, and its button moves the draft from the version the
page showed. Only writers, only drafts."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from tests.rubrics.flows import assessment, rate, rating
from tests.support import Api, make_token
from tests.web.support import Web, error_summary, hidden

RID = "kuntaliitto-vitality"
KEPT = "policy.organisation.strategy-fit"
REWORDED = "policy.organisation.follow-up"
MERGED = "cross-sector.residents.attractiveness"
PLACE = "cross-sector.residents.place-attachment"
REMOVED = "logistics.residents.service-access"
SEE = ("infrastructure.residents.accessibility", "rural-services.residents.access")
NEW = "policy.firms.renewal"
RATIONALE = "Bussen till byn dras in."

NOTICE = {
    "sv": "En nyare version av frågorna (version 1.1.0) finns tillgänglig.",
    "fi": "Kysymyksistä on saatavilla uudempi versio (versio 1.1.0).",
}
LINK = {"sv": "Se vad som skulle ändras", "fi": "Katso, mitä muuttuisi"}
TEXTS = {
    "sv": {
        "title": "Flytta till version 1.1.0 av frågorna",
        "carried": "2 bedömningar förs över som de är.",
        "reworded": "De här frågorna har formulerats om. Kontrollera att bedömningarna fortfarande passar:",
        "moved": "1 bedömning flyttas till en annan fråga.",
        "removed": "1 bedömning förs inte över: version 1.1.0 har inte längre dess fråga.",
        "history": "innehållet finns kvar i sin helhet i bedömningens historik",
        "see": "Bedöm det på nytt under:",
        "new": "Version 1.1.0 har 2 frågor som bedömningen inte har haft tidigare.",
        "button": "Flytta till version 1.1.0",
        "back": "Tillbaka till översikten",
    },
    "fi": {
        "title": "Siirrä kysymysten versioon 1.1.0",
        "carried": "2 arviota siirtyy sellaisenaan.",
        "reworded": "Näiden kysymysten sanamuotoa on muutettu. Tarkista, että arviot sopivat niihin edelleen:",
        "moved": "1 arvio siirtyy toiseen kysymykseen.",
        "removed": "1 arvio ei siirry: versiossa 1.1.0 ei enää ole sen kysymystä.",
        "history": "sisältö säilyy kokonaisuudessaan arvioinnin historiassa",
        "see": "Arvioi se uudelleen kohdassa:",
        "new": "Versiossa 1.1.0 on 2 kysymystä, joita arvioinnissa ei ole ollut aiemmin.",
        "button": "Siirrä versioon 1.1.0",
        "back": "Takaisin yleiskuvaan",
    },
}
MOVED_FLASH = {
    "sv": "Bedömningen använder nu version 1.1.0 av frågorna. Det som inte fördes över finns i historiken.",
    "fi": "Arviointi käyttää nyt kysymysten versiota 1.1.0. Se, mitä ei siirretty, on luettavissa historiasta.",
}
STALE = {
    "sv": "Bedömningen har ändrats efter att du öppnade sidan, så den flyttades inte.",
    "fi": "Arviointia on muutettu sen jälkeen, kun avasit sivun, joten sitä ei siirretty.",
}


def _api(web: Web) -> Api:
    return Api(web.client, make_token("905", ("read", "write"), web.user.id))


def _old_draft(official: Web, case_number: str = "KS 2026/7") -> tuple[Api, str]:
    """A draft on 1.0.0, every perspective relevant, with a rating of each fate in 1.1.0."""
    api = _api(official)
    a = assessment(api, case_number, rubric_id=RID, rubric_version="1.0.0")
    rate(
        api,
        a["id"],
        [
            rating(KEPT, "organisation", 1),
            rating(REWORDED, "organisation", 2),
            rating(MERGED, "residents", 1),
            rating(REMOVED, "residents", -2, rationale=RATIONALE),
        ],
    )
    return api, str(a["id"])


def _questions(api: Api, version: str, lang: str) -> dict[str, str]:
    rubric = api.get(f"/api/v1/rubrics/{RID}/versions/{version}", params={"lang": lang}).json()
    return {c["id"]: str(escape(c["question"])) for p in rubric["perspectives"] for c in p["criteria"]}


def _state(api: Api, aid: str) -> tuple[str, str, list[tuple[str, str, str, int, Any]]]:
    """The assessment's ETag, rubric version and ratings (alternative, criterion, target, effect, score)."""
    body = api.get(f"/api/v1/assessments/{aid}").json()
    rows = api.get(f"/api/v1/assessments/{aid}/ratings").json()
    ratings = sorted((r["alternative"], r["criterion_id"], r["target"], r["effect"], r["score"]) for r in rows)
    return api.etag(aid), body["rubric_version"], ratings


def _main(page: str) -> str:
    return page.split('<main id="main"', 1)[1]


def _in(web: Web, lang: str) -> None:
    web.client.cookies.set("lk_lang", lang)


@pytest.mark.parametrize("lang", ["sv", "fi"])
def test_the_overview_of_an_old_draft_offers_the_newer_version(official: Web, lang: str) -> None:
    _, aid = _old_draft(official)
    _in(official, lang)
    page = _main(official.get(f"/assessments/{aid}").text)
    assert NOTICE[lang] in page
    assert f'<a href="/assessments/{aid}/rubric-upgrade">{LINK[lang]}</a>' in page


def test_no_notice_where_there_is_nothing_to_move_or_nobody_to_move_it(official: Web, council: Web) -> None:
    _, aid = _old_draft(official)
    newest = official.new_assessment("KS 2026/9")  # started on the newest version
    for web, target in ((official, newest), (council, aid)):
        page = web.get(f"/assessments/{target}").text
        assert NOTICE["sv"] not in page and "/rubric-upgrade" not in page
    # the newest version already: the page has nothing to show and leads back to the overview
    r = official.get(f"/assessments/{newest}/rubric-upgrade")
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{newest}"


@pytest.mark.parametrize("lang", ["sv", "fi"])
def test_the_preview_lists_each_fate_and_changes_nothing(official: Web, lang: str) -> None:
    api, aid = _old_draft(official)
    before = _state(api, aid)
    old, new = _questions(api, "1.0.0", lang), _questions(api, "1.1.0", lang)
    _in(official, lang)
    r = official.get(f"/assessments/{aid}/rubric-upgrade")
    assert r.status_code == 200, r.text
    page, text = _main(r.text), TEXTS[lang]
    assert f"<title>{text['title']}: Industriområde vid Norra bangården – Livskraft</title>" in r.text
    assert f"{text['title']}</h1>" in page
    # carried over as they are, and the reworded question by its new wording (not the old one)
    assert text["carried"] in page and text["reworded"] in page
    assert new[REWORDED] in page and old[REWORDED] not in page
    assert old[KEPT] not in page, "a question kept as it was is counted, not listed"
    # moved: the old question beside the new one
    assert text["moved"] in page
    assert f"<td>{old[MERGED]}</td><td>{new[PLACE]}</td>" in page
    # not carried over: in full, with where to rate it again
    assert text["removed"] in page and text["history"] in page
    assert f"<h3>{old[REMOVED]}</h3>" in page
    assert str(escape(RATIONALE)) in page and "−2" in page and "Lindrande åtgärd" in page
    assert text["see"] in page and all(new[cid] in page for cid in SEE)
    # the new questions
    assert text["new"] in page and new[NEW] in page and new[PLACE] in page
    # the form: from the version shown, to the version shown; and a way back
    assert hidden(page, "base_version") == before[0].strip('"v')
    assert hidden(page, "to_version") == "1.1.0"
    assert f">{text['button']}</button>" in page and f'<a href="/assessments/{aid}">{text["back"]}</a>' in page
    assert _state(api, aid) == before, "the preview changes nothing"
    history = api.get(f"/api/v1/assessments/{aid}/history").json()
    assert not any(e["action"] == "assessment.rubric_upgraded" for e in history)


def test_a_council_member_gets_the_403_page(official: Web, council: Web) -> None:
    api, aid = _old_draft(official)
    before = _state(api, aid)
    assert council.get(f"/assessments/{aid}/rubric-upgrade").status_code == 403
    sent = {"base_version": before[0].strip('"v'), "to_version": "1.1.0"}
    r = council.post(f"/assessments/{aid}/rubric-upgrade", sent)
    assert r.status_code == 403
    assert _state(api, aid) == before


def test_a_stale_page_is_refused_and_shown_again(official: Web) -> None:
    api, aid = _old_draft(official)
    url = f"/assessments/{aid}/rubric-upgrade"
    shown = official.get(url).text
    rate(api, aid, [rating(KEPT, "organisation", 3)])  # a change after the page was opened
    before = _state(api, aid)
    r = official.post(url, {"base_version": hidden(shown, "base_version"), "to_version": "1.1.0"})
    assert r.status_code == 409
    assert STALE["sv"] in r.text and "<title>Fel: " in r.text
    assert _state(api, aid) == before, "nothing moved"
    # the page shown again carries the version now: its button moves the draft
    assert hidden(r.text, "base_version") == before[0].strip('"v') != hidden(shown, "base_version")
    again = {"base_version": hidden(r.text, "base_version"), "to_version": "1.1.0"}
    assert official.post(url, again).status_code == 303
    # a version the page did not show is not moved to either
    _, other = _old_draft(official, "KS 2026/8")
    page = official.get(f"/assessments/{other}/rubric-upgrade").text
    r = official.post(f"/assessments/{other}/rubric-upgrade", {"base_version": hidden(page, "base_version")})
    assert r.status_code == 409 and _state(api, other)[1] == "1.0.0"


@pytest.mark.parametrize("lang", ["sv", "fi"])
def test_the_button_moves_the_draft(official: Web, lang: str) -> None:
    api, aid = _old_draft(official)
    url = f"/assessments/{aid}/rubric-upgrade"
    _in(official, lang)
    page = official.get(url).text
    r = official.post(url, {"base_version": hidden(page, "base_version"), "to_version": "1.1.0"})
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}"
    overview = official.get(r.headers["location"]).text
    assert MOVED_FLASH[lang] in overview and f'href="/assessments/{aid}/history"' in overview
    assert NOTICE[lang] not in overview
    _, version, ratings = _state(api, aid)
    assert version == "1.1.0"
    assert [(cid, effect) for _, cid, _, effect, _ in ratings] == [(PLACE, 1), (REWORDED, 1), (KEPT, 1)]
    # nothing left to move: the page and a second press lead back to the overview
    assert official.get(url).headers["location"] == f"/assessments/{aid}"
    again = official.post(url, {"base_version": hidden(page, "base_version"), "to_version": "1.1.0"})
    assert again.status_code == 303 and again.headers["location"] == f"/assessments/{aid}"
    assert MOVED_FLASH[lang] in official.get(again.headers["location"]).text, "a second press says where it is"
    history = api.get(f"/api/v1/assessments/{aid}/history").json()
    assert [e["action"] for e in history].count("assessment.rubric_upgraded") == 1


def test_a_submitted_assessment_is_not_moved(official: Web, reviewer: Web) -> None:
    api, aid = _old_draft(official)
    page = official.get(f"/assessments/{aid}/rubric-upgrade").text
    r = api.post(f"/api/v1/assessments/{aid}/submit", {"comment": ""}, api.etag(aid))
    assert r.status_code == 200, r.text
    before = _state(api, aid)
    for web in (official, reviewer):
        overview = web.get(f"/assessments/{aid}").text
        assert NOTICE["sv"] not in overview and "/rubric-upgrade" not in overview
    assert official.get(f"/assessments/{aid}/rubric-upgrade").status_code == 409
    r = official.post(
        f"/assessments/{aid}/rubric-upgrade", {"base_version": hidden(page, "base_version"), "to_version": "1.1.0"}
    )
    assert r.status_code == 409 and "Flytta till version" not in r.text
    assert _state(api, aid) == before


def test_a_move_that_cannot_be_made_says_why_and_offers_no_button(official: Web) -> None:
    """Two questions merged into one would give it six effects of the proposal: more than a rating has."""
    api = _api(official)
    a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
    aid = str(a["id"])
    effects = [
        rating(cid, "residents", 1, effect=n)
        for cid in (MERGED, "cross-sector.residents.culture-community")
        for n in (1, 2, 3)
    ]
    rate(api, aid, effects)
    before = _state(api, aid)
    words = {"sv": "Ta bort eller slå ihop effekter först.", "fi": "Poista tai yhdistä vaikutuksia ensin."}
    for lang in ("sv", "fi"):
        _in(official, lang)
        r = official.get(f"/assessments/{aid}/rubric-upgrade")
        assert r.status_code == 200
        problems = error_summary(r.text)
        assert len(problems) == 1 and problems[0][0] == "upgrade-blocked", problems
        assert words[lang] in problems[0][1] and _questions(api, "1.1.0", lang)[PLACE] in problems[0][1]
        assert 'id="upgrade-blocked"' in r.text
        assert 'name="to_version"' not in r.text and "</button>" not in _main(r.text)
    assert _state(api, aid) == before


# --- the same version with the municipality's current local questions ---------------------------------


def _publish_vaasa_1_1(official: Web) -> None:
    """Vaasa's extension (rubrics/extensions/905) published again as 1.1.0 with one question more."""
    import copy
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "rubrics/extensions/905/vaasa-programme/1.0.0.yaml"
    body = yaml.safe_load(path.read_text(encoding="utf-8")) | {"version": "1.1.0"}
    extra = copy.deepcopy(body["criteria"][0]) | {"id": "vaasa-programme.hydrogen", "target": "residents"}
    extra["question"] = {k: f"{v} (vätgas)" for k, v in extra["question"].items()}
    body["criteria"].append(extra)
    admin = Api(official.client, make_token("905", ("read", "write", "admin")))
    r = admin.post("/api/v1/rubric-extensions", body)
    assert r.status_code == 201, r.text


def _pins(api: Api, aid: str) -> list[str]:
    return [f"{p['id']}@{p['version']}" for p in api.get(f"/api/v1/assessments/{aid}").json()["extensions"]]


def test_a_draft_takes_the_municipalitys_newer_local_questions_on_the_web(official: Web) -> None:
    aid = official.new_assessment("KS 2026/71")  # the newest version, with Vaasa's extension as it is now
    api = _api(official)
    version = api.get(f"/api/v1/assessments/{aid}").json()["rubric_version"]
    assert _pins(api, aid) == ["vaasa-programme@1.0.0"]
    assert "/rubric-upgrade" not in _main(official.get(f"/assessments/{aid}").text), "nothing newer yet"

    _publish_vaasa_1_1(official)

    overview = _main(official.get(f"/assessments/{aid}").text)
    assert "Kommunens lokala frågor har ändrats sedan bedömningen påbörjades." in overview
    preview = official.get(f"/assessments/{aid}/rubric-upgrade")
    assert preview.status_code == 200, preview.text
    assert "Ta in kommunens nuvarande lokala frågor</h1>" in preview.text
    assert f"{version} med de nuvarande lokala frågorna" in preview.text  # the new questions' caption
    assert "(vätgas)" in preview.text, "the new local question is listed"
    assert _pins(api, aid) == ["vaasa-programme@1.0.0"], "the preview changes nothing"
    r = official.post(
        f"/assessments/{aid}/rubric-upgrade",
        {"base_version": hidden(preview.text, "base_version"), "to_version": hidden(preview.text, "to_version")},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/assessments/{aid}", r.text
    assert _pins(api, aid) == ["vaasa-programme@1.1.0"]
    assert api.get(f"/api/v1/assessments/{aid}").json()["rubric_version"] == version
    assert "/rubric-upgrade" not in _main(official.get(f"/assessments/{aid}").text), "nothing left to take"
    assert official.get(f"/assessments/{aid}/rubric-upgrade").status_code == 303

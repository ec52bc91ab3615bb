"""Exploratory QA of the assessment life cycle in the browser: a perspective screened out after it was
rated (its ratings kept, counted nowhere, and the official told so), in sv, fi and en."""

from __future__ import annotations

import re

import pytest

from tests.web.support import Web, approved, rated

NOTE = {
    "sv": "2 effekter har bedömts i det här perspektivet",
    "fi": "Tästä näkökulmasta on arvioitu 2 vaikutusta",
    "en": "2 effects have been rated in this perspective",
}


def test_check_page_and_submit_refuse_ratings_that_count_nowhere(official: Web) -> None:
    aid = rated(official)
    # policy screened out after it was rated: its ratings are kept but count nowhere
    assert official.screen(aid, ("infrastructure",)).status_code == 303
    check = official.get(f"/assessments/{aid}/check").text
    assert re.search(r'id="problem-1"', check), "the check page lists what blocks submitting"
    r = official.post(f"/assessments/{aid}/submit", {"comment": "Klar"})
    assert r.status_code == 422, "nothing that counts is rated: not ready to submit"
    assert f"/assessments/{aid}/rate/proposal/infrastructure/" in r.text, "the problem links to a relevant form"


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_screening_page_says_what_happens_to_the_ratings(official: Web, lang: str) -> None:
    aid = rated(official)
    official.client.cookies.set("lk_lang", lang)
    page = official.get(f"/assessments/{aid}/screening").text
    assert NOTE[lang] in page, "marking a rated perspective not relevant is explained before it is saved"
    assert page.count('id="s-') and "s-infrastructure-rated" not in page, "only rated perspectives carry it"
    # still said while it is screened out (the ratings are kept, not lost)
    assert official.screen(aid, ("infrastructure",)).status_code == 303
    assert NOTE[lang] in official.get(f"/assessments/{aid}/screening").text


def follow_up_form(web: Web, aid: str) -> dict[str, str]:
    """The follow-up form as the browser sends it: every field as the page shows it."""
    html = web.get(f"/assessments/{aid}/follow-up").text
    form = html.split('action="/assessments/' + aid + '/follow-up"')[1].split("</form>")[0]
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>', form))
    data = {k: v for k, v in data.items() if not k.startswith("o-") and k != "csrf_token"}
    for name, value in re.findall(r'<input[^>]*name="(o-[^"]+)"[^>]*value="([^"]*)"[^>]*checked', form):
        data[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = value
    return data


def test_saving_the_follow_up_page_keeps_who_recorded_each_outcome(official: Web, reviewer: Web) -> None:
    """Changing only the review date re-records no outcome: each keeps who recorded it and when."""
    from tests.support import Api, make_token

    aid = approved(official, reviewer)
    data = follow_up_form(official, aid)
    rid = next(k for k in data if k.startswith("n-"))[2:]
    data |= {f"o-{rid}": "better", f"n-{rid}": "Fler jobb än väntat.", "review_date": "2028-06-30"}
    assert official.post(f"/assessments/{aid}/follow-up", data).status_code == 303
    api = Api(official.client, make_token("905", ("read",)))
    before = api.get(f"/api/v1/assessments/{aid}/follow-ups").json()
    assert len(before) == 1 and "tiina@vaasa.fi" in before[0]["recorded_by"]
    # the reviewer moves the date only, sending the form as the page shows it (the outcome pre-filled)
    data = follow_up_form(reviewer, aid)
    assert data[f"o-{rid}"] == "better" and data[f"n-{rid}"] == "Fler jobb än väntat."
    assert reviewer.post(f"/assessments/{aid}/follow-up", data | {"review_date": "2028-09-30"}).status_code == 303
    after = api.get(f"/api/v1/assessments/{aid}/follow-ups").json()
    assert after == before, "an outcome nobody changed keeps who recorded it and when"
    trail = [e["action"] for e in api.get(f"/api/v1/assessments/{aid}/history").json()]
    assert trail.count("follow_up.recorded") == 1
    assert trail.count("assessment.review_date") == 2


def test_the_new_approved_version_shows_the_outcomes_recorded_before(official: Web, reviewer: Web) -> None:
    """The follow-up page of the newest version shows what was recorded on the version it replaced, and
    its history says where each came from."""
    aid = approved(official, reviewer)
    data = follow_up_form(official, aid)
    rid = next(k for k in data if k.startswith("n-"))[2:]
    data |= {f"o-{rid}": "worse", f"n-{rid}": "Avgifterna slog hårdare än väntat."}
    assert official.post(f"/assessments/{aid}/follow-up", data).status_code == 303
    r = official.post(f"/assessments/{aid}/new-version")
    v2 = r.headers["location"].split("/")[2]
    assert official.post(f"/assessments/{v2}/submit", {"comment": "Ny tidplan"}).status_code == 303
    assert reviewer.post(f"/assessments/{v2}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    shown = follow_up_form(official, v2)
    assert "Avgifterna slog hårdare än väntat." in shown.values() and "worse" in shown.values()
    history = official.get(f"/assessments/{v2}/history").text
    assert "överförd från den tidigare versionen" in history


def test_a_new_option_never_inherits_a_removed_options_key_or_unsaved_work(official: Web) -> None:
    """What was typed (and kept unsaved) for a removed option stays with that option: a new option gets a
    key of its own, so its form starts empty, and the kept changes are still named as the removed one's."""
    aid = rated(official)
    assert official.post(f"/assessments/{aid}/alternatives", {"title": "Mindre etapp"}).status_code == 303
    url, data = official.rate_form(aid, alt="option-1")
    r = official.post(url, data | {"c0-e1-score": "-2", "c0-e1-rationale": "Den mindre etappens text."})
    assert r.status_code == 422, "not saved (no mitigation): kept as unsaved changes"
    assert official.post(f"/assessments/{aid}/alternatives/option-1/delete").status_code == 303
    assert official.post(f"/assessments/{aid}/alternatives", {"title": "Annan plats"}).status_code == 303
    page = official.get(f"/assessments/{aid}/alternatives").text
    assert "/alternatives/option-2" in page and "/alternatives/option-1" not in page
    new_form = official.get(f"/assessments/{aid}/rate/option-2/policy/firms").text
    assert "Den mindre etappens text." not in new_form, "the new option's form starts empty"
    overview = official.get(f"/assessments/{aid}").text
    assert "alternativet har tagits bort" in overview or "option has been removed" in overview


UPGRADE = {
    "sv": (
        "1 bedömning av en fråga som inte finns i den nya versionen fördes inte över",
        "Hur påverkar beslutet invånarnas tillgång till service och handel, särskilt för dem som saknar bil?",
        "Från version 1.0.0 till 1.1.0 av frågorna.",
        "2 bedömningar flyttades till omdöpta eller sammanslagna frågor.",
    ),
    "fi": (
        "1 arvio kysymyksestä, jota uudessa versiossa ei enää ole, jäi siirtämättä",
        "Miten päätös vaikuttaa palvelujen ja kaupan saavutettavuuteen asukkaille, erityisesti autottomille?",
        "Kysymysten versiosta 1.0.0 versioon 1.1.0.",
        "2 arviota siirrettiin uudelleen nimettyihin tai yhdistettyihin kysymyksiin.",
    ),
    "en": (
        "1 rating of a question the new version no longer has was not carried over",
        "How does the decision affect residents&#39; access to services and shops, especially for those without a car?",
        "From version 1.0.0 to 1.1.0 of the questions.",
        "2 ratings were moved to renamed or merged questions.",
    ),
}


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_history_shows_what_a_rubric_upgrade_did_not_carry_over(official: Web, lang: str) -> None:
    """A draft moved to a newer version of the questions (through the API): the official reads on the
    history page, in their language, which ratings moved and, in full, which were not carried over (their
    question removed) and where to rate them again — not only "moved to a newer version"."""
    from tests.rubrics.flows import assessment, rate, rating
    from tests.support import Api, make_token

    api = Api(official.client, make_token("905", ("read", "write"), official.user.id))
    a = assessment(api, rubric_id="kuntaliitto-vitality", rubric_version="1.0.0")
    rate(
        api,
        a["id"],
        [
            rating("cross-sector.residents.attractiveness", "residents", 1),
            rating("cross-sector.residents.culture-community", "residents", -1),
            rating("logistics.residents.service-access", "residents", -2, rationale="Bussen till byn dras in."),
        ],
    )
    r = api.post(f"/api/v1/assessments/{a['id']}/rubric-upgrade", {"to_version": "1.1.0"}, api.etag(a["id"]))
    assert r.status_code == 200, r.text
    official.client.cookies.set("lk_lang", lang)
    page = official.get(f"/assessments/{a['id']}/history").text
    summary, question, versions, moved = UPGRADE[lang]
    assert summary in page and question in page and versions in page and moved in page
    assert "Bussen till byn dras in." in page and "Lindrande åtgärd" in page and "−2" in page
    # where to rate it again: the new version's questions, in the page's language
    see = {"sv": "Bedöm det på nytt under:", "fi": "Arvioi se uudelleen kohdassa:", "en": "Rate it again under:"}
    assert see[lang] in page
    if lang == "sv":
        assert (
            "Hur förändras avstånd, restid och kostnad till vardagsservice för invånarna i de berörda byarna?" in page
        )

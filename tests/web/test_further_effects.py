"""A third to fifth effect of a question (saved through the API, or carried over by a rubric upgrade)
is shown in the web form where it is saved, kept when the form is saved, can be changed there, and is
removed only when the official empties it. Before, the form showed effects 1 and 2 only: an official
never saw a counted effect, and could not change or remove it."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.support import Api, make_token
from tests.web.support import Web, hidden


def _criterion(api: Api, aid: str) -> str:
    rubric = api.get(f"/api/v1/assessments/{aid}/rubric").json()
    policy = next(p for p in rubric["perspectives"] if p["id"] == "policy")
    return next(c["id"] for c in policy["criteria"] if c["target"] == "firms")


def _effects(api: Api, aid: str, criterion: str) -> dict[int, dict[str, Any]]:
    ratings = api.get(f"/api/v1/assessments/{aid}/ratings").json()
    return {r["effect"]: r for r in ratings if r["criterion_id"] == criterion}


def test_a_third_effect_is_shown_kept_changed_and_removed_in_the_form(official: Web) -> None:
    api = Api(official.client, make_token("905", ("read", "write")))
    aid = official.new_assessment()
    official.screen(aid)
    criterion = _criterion(api, aid)
    third = {
        "criterion_id": criterion,
        "target": "firms",
        "effect": 3,
        "score": -1,
        "rationale": "Leverantörer i byarna får längre transporter.",
        "mitigation": "Samordnade leveranser.",
    }
    r = api.put(f"/api/v1/assessments/{aid}/ratings", {"ratings": [third]}, api.etag(aid))
    assert r.status_code == 200, r.text

    url = f"/assessments/{aid}/rate/proposal/policy/firms"
    page = official.get(url)
    assert page.status_code == 200
    assert "Effekt 3</legend>" in page.text, "the third effect has its own group"
    assert html.escape(third["rationale"], quote=False) + "</textarea>" in page.text
    assert _checked(page.text, "c0-e3-score") == "-1", "its score is chosen"
    assert "c0-e4-score" not in page.text, "only effects that are saved are shown beyond the second"
    base = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    sent = {"c0-e3-score": "-1", "c0-e3-rationale": third["rationale"], "c0-e3-mitigation": third["mitigation"]}

    # saving the form as shown (and a first effect typed beside it) keeps the third effect
    first = {"c0-e1-score": "2", "c0-e1-rationale": "Nya tomter för lager."}
    assert official.post(url, base | sent | first).status_code == 303
    effects = _effects(api, aid, criterion)
    assert sorted(effects) == [1, 3] and effects[3]["rationale"] == third["rationale"]

    # changed in the form
    page = official.get(url)
    base = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    changed = sent | {"c0-e3-score": "-2", "c0-e3-rationale": "Längre transporter för alla leverantörer."}
    assert official.post(url, base | first | changed).status_code == 303
    assert _effects(api, aid, criterion)[3]["score"] == -2

    # a problem in the third effect is named with its effect, and what was typed stays
    page = official.get(url)
    base = {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}
    r = official.post(url, base | first | changed | {"c0-e3-mitigation": ""})
    assert r.status_code == 422
    assert 'href="#c0-e3-mitigation"' in r.text and "(effekt 3)" in r.text
    assert "Längre transporter för alla leverantörer.</textarea>" in r.text

    # emptied in the form: removed
    assert official.post(url, base | first).status_code == 303
    assert sorted(_effects(api, aid, criterion)) == [1]
    assert "Effekt 3</legend>" not in official.get(url).text


def test_a_reader_sees_every_saved_effect(official: Web, reviewer: Web) -> None:
    api = Api(official.client, make_token("905", ("read", "write")))
    aid = official.new_assessment()
    official.screen(aid)
    criterion = _criterion(api, aid)
    ratings = [
        {"criterion_id": criterion, "target": "firms", "effect": e, "score": 1, "rationale": f"Skäl {e}"}
        for e in (1, 4)
    ]
    assert api.put(f"/api/v1/assessments/{aid}/ratings", {"ratings": ratings}, api.etag(aid)).status_code == 200
    page = reviewer.get(f"/assessments/{aid}/rate/proposal/policy/firms")
    assert page.status_code == 200
    assert "Skäl 1" in page.text and "Skäl 4" in page.text


def _checked(page: str, name: str) -> str | None:
    """The value of the chosen radio button ``name``."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    return None

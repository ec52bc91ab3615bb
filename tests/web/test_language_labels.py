"""Pages speak the page's language everywhere: rubric labels instead of stored codes, audit events and
token rights by name, and counts with the right singular or plural."""

from __future__ import annotations

import re

from tests.web.support import Web, submitted


def _trail(html: str) -> str:
    return html.split('<caption id="audit-caption">', 1)[1]


def test_follow_up_and_history_name_likelihoods_and_events(official: Web, reviewer: Web) -> None:
    aid = submitted(official)
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    official.get("/language?lang=fi&next=/")
    follow = official.get(f"/assessments/{aid}/follow-up").text
    assert "· Todennäköinen</p>" in follow and "· Lähes varma</p>" in follow
    assert "· likely" not in follow and "· certain" not in follow, "the rubric's label, not the stored id"
    trail = _trail(official.get(f"/assessments/{aid}/history").text)
    for label in ("Päätös luotiin", "Arviointi aloitettiin", "Seulonta tallennettiin", "Arviot tallennettiin"):
        assert label in trail
    assert "Lähetetty tarkastettavaksi" in trail and "Hyväksytty" in trail
    assert not re.search(r"\b(assessment|ratings|decision)\.[a-z_]+", trail), "no event codes left"


def test_token_rights_are_named(admin: Web) -> None:
    assert admin.post("/admin/tokens", {"name": "Diarium", "scopes": ["read", "write"]}).status_code == 200
    row = next(r for r in admin.get("/admin/tokens").text.split("<tr>") if "Diarium" in r)
    assert "<td>Läsa, Skriva</td>" in row
    admin.get("/language?lang=fi&next=/")
    row = next(r for r in admin.get("/admin/tokens").text.split("<tr>") if "Diarium" in r)
    assert "<td>Luku, Kirjoitus</td>" in row


def test_counts_take_the_singular_or_the_plural(official: Web) -> None:
    aid = official.new_assessment()
    official.screen(aid, relevant=("policy",))
    page = official.get(f"/assessments/{aid}").text
    assert "1 av 9 perspektiv är relevant." in page
    official.screen(aid, relevant=("policy", "infrastructure"))
    assert "2 av 9 perspektiv är relevanta." in official.get(f"/assessments/{aid}").text
    official.get("/language?lang=en&next=/")
    official.screen(aid, relevant=("policy",))
    assert "1 of 9 perspectives is relevant." in official.get(f"/assessments/{aid}").text


def test_the_rights_error_is_tied_to_the_rights(admin: Web) -> None:
    r = admin.post("/admin/tokens", {"name": "Diarium"})
    assert r.status_code == 422
    assert '<fieldset class="fieldset" aria-describedby="scopes-error">' in r.text, "read with the checkboxes"
    assert 'id="scopes-error"' in r.text


def test_a_token_without_the_read_right_is_refused_on_the_form(admin: Web) -> None:
    r = admin.post("/admin/tokens", {"name": "Diarium", "scopes": ["write"]})
    assert r.status_code == 422
    assert "Varje nyckel behöver rätten att läsa" in r.text and 'value="Diarium"' in r.text

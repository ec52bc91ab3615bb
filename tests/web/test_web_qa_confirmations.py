"""What cannot be undone is asked first: removing an option with its ratings, deactivating a user, revoking
an API token. The list leads (a link, or a button of a GET form) to a page that says what will be lost and
holds the one button that posts; nothing is lost by following it, and a reader is never offered the button.
Removing an option that has ratings works (it was a 500: the ratings' deletes were not ordered before the
option's)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.support import Web

RATED = {
    "c0-e1-score": "-1",
    "c0-e1-rationale": "Färre tomter för småföretag.",
    "c0-e1-mitigation": "Tomter reserveras i nästa etapp.",
}


def _with_rated_option(official: Web) -> str:
    aid = official.new_assessment()
    assert official.screen(aid).status_code == 303
    r = official.post(f"/assessments/{aid}/alternatives", {"title": "Etapp ett", "description": ""})
    assert r.status_code == 303
    assert official.rate(aid, RATED, "option-1").status_code == 303
    return aid


def test_removing_an_option_with_its_ratings_is_asked_first(official: Web) -> None:
    aid = _with_rated_option(official)
    listing = official.get(f"/assessments/{aid}/alternatives").text
    delete = f"/assessments/{aid}/alternatives/option-1/delete"
    assert f'method="post" action="{delete}"' not in listing, "one click on the list removes nothing"
    assert f'<form method="get" action="{delete}">' in listing, "its button opens the question"

    confirm = official.get(delete)
    assert confirm.status_code == 200
    assert "<title>Ta bort alternativ 1? – Alternativ:" in confirm.text
    assert 'id="remove-heading">Ta bort alternativ 1?</h2>' in confirm.text
    assert "Dess 1 bedömning tas bort med det." in confirm.text, "says what is lost"
    assert f'method="post" action="{delete}"' in confirm.text
    assert f'href="/assessments/{aid}/alternatives#alt-option-1"' in confirm.text, "a way back"
    assert "Etapp ett" in official.get(f"/assessments/{aid}/alternatives").text, "asking removed nothing"

    assert official.post(delete).status_code == 303
    assert "Etapp ett" not in official.get(f"/assessments/{aid}/alternatives").text


def test_the_proposal_and_a_reader_are_not_asked(official: Web, council: Web) -> None:
    aid = _with_rated_option(official)
    zero = official.get(f"/assessments/{aid}/alternatives/zero/delete")
    assert (
        zero.status_code == 200
        and 'id="remove"' not in zero.text
        and 'action="' + f"/assessments/{aid}/alternatives/zero/delete" not in zero.text
    )
    reader = council.get(f"/assessments/{aid}/alternatives/option-1/delete")
    assert reader.status_code == 200
    assert "/delete" not in reader.text.split("<main", 1)[1], "no button to remove, no link to one"
    assert official.get(f"/assessments/{aid}/alternatives/option-9/delete").status_code == 404


def test_deactivating_a_user_is_asked_first_and_then_said(admin: Web, official: Web) -> None:
    uid = str(official.user.id)
    listing = admin.get("/admin/users").text
    deactivate = f"/admin/users/{uid}/deactivate"
    assert f'action="{deactivate}"' not in listing, "one click on the list deactivates nobody"
    assert f'href="{deactivate}#deactivate"' in listing

    confirm = admin.get(deactivate)
    assert confirm.status_code == 200
    assert "<title>Inaktivera kontot för tiina@vaasa.fi? – Användare och inbjudningar" in confirm.text
    assert "kan inte aktiveras igen" in confirm.text, "says that there is no way back"
    assert f'action="{deactivate}"' in confirm.text and 'href="/admin/users">Avbryt: behåll kontot</a>' in confirm.text
    assert official.get("/").status_code == 200, "asking deactivated nobody"

    r = admin.post(deactivate)
    assert r.status_code == 303
    done = admin.get(r.headers["location"]).text
    assert "Kontot har inaktiverats" in done
    assert "Dina svar har sparats" not in done, "not the message of a saved form"
    assert official.get("/").status_code == 303
    again = admin.get(deactivate).text
    assert f'action="{deactivate}"' not in again, "nothing to ask of an account already deactivated"


def test_the_admin_is_not_asked_to_deactivate_themself(admin: Web) -> None:
    r = admin.get(f"/admin/users/{admin.user.id}/deactivate")
    assert r.status_code == 200 and "/deactivate" not in r.text.split("<main", 1)[1]


def test_revoking_a_token_is_asked_first(admin: Web, client: TestClient) -> None:
    r = admin.post("/admin/tokens", {"name": "Diarium", "scopes": ["read"]})
    token = re.search(r'id="new-token">(lk_[^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    listing = admin.get("/admin/tokens").text
    m = re.search(r'href="(/admin/tokens/[0-9a-f-]{36}/revoke)#revoke"', listing)
    assert m, "the list links the question"
    revoke = m.group(1)
    assert f'action="{revoke}"' not in listing, "one click on the list revokes nothing"

    confirm = admin.get(revoke).text
    assert "<title>Återkalla nyckeln Diarium? – API-nycklar" in confirm
    assert token[:10] in confirm, "names the token by its beginning, as the list does"
    assert f'action="{revoke}"' in confirm
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/decisions", headers=headers).status_code == 200, "asking revoked nothing"

    assert admin.post(revoke).status_code == 303
    assert client.get("/api/v1/decisions", headers=headers).status_code == 401
    assert f'action="{revoke}"' not in admin.get(revoke).text, "nothing to ask of a revoked token"


def test_the_questions_are_in_every_language(app: Any, admin: Web, official: Web) -> None:
    aid = _with_rated_option(official)
    expected = {
        "fi": ("Poistetaanko vaihtoehto 1?", "Poistetaanko käyttäjän tiina@vaasa.fi tili käytöstä?"),
        "en": ("Remove option 1?", "Deactivate the account of tiina@vaasa.fi?"),
    }
    for lang, (remove, deactivate) in expected.items():
        official.client.get(f"/language?lang={lang}")
        admin.client.get(f"/language?lang={lang}")
        assert remove in official.get(f"/assessments/{aid}/alternatives/option-1/delete").text
        assert deactivate in admin.get(f"/admin/users/{official.user.id}/deactivate").text

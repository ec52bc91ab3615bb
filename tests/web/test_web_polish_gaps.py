"""Gaps the earlier polish left: names in the history, a language switch without JavaScript on a page
with a form, a lost invitation link, a save in another tab found behind many changes of other forms."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.assessments import service
from app.assessments.models import Assessment
from app.assessments.schemas import AlternativeUpdate
from app.audit.models import AuditEvent
from app.auth.web_sessions import actor_for_user
from app.cli.seed import seed_examples
from app.db.session import unit_of_work
from app.municipalities.models import Municipality
from tests.support import make_user, session
from tests.web.support import Web, submitted

ROOT = Path(__file__).resolve().parents[2]
WHO = re.compile(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>")
"""The "Who" cell of each row of the audit trail (the versions table has a link or <strong> first)."""


def _who(html: str) -> set[str]:
    audit = html.split('id="audit-caption"')[1].split("</table>")[0]
    return set(WHO.findall(audit))


def test_the_history_names_people_alike_in_the_example_data_and_in_new_work(official: Web, reviewer: Web) -> None:
    """The examples record a name ("Göran Granskare"), what is done in Livskraft "Name <e-mail>": every
    page of an assessment shows a person by the name alone, and the import of the examples as such."""
    aid = submitted(official)
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    html = official.get(f"/assessments/{aid}/history").text
    assert "&lt;" not in html, "no e-mail address in angle brackets"
    assert _who(html) == {official.user.name, reviewer.user.name}
    assert f"<td>{official.user.name}</td><td>{reviewer.user.name}</td>" in html, "author and reviewer"
    assert f"</strong> · {official.user.name} · " in html and f"</strong> · {reviewer.user.name} · " in html
    overview = official.get(f"/assessments/{aid}").text
    assert f"Godkänd av {reviewer.user.name} den " in overview and "&lt;" not in overview
    assert "&lt;" not in reviewer.get(f"/assessments/{aid}/review").text

    seed_examples(ROOT / "assessments")
    dashboard = official.get("/").text
    examples = set(re.findall(r'href="/assessments/([0-9a-f-]{36})"', dashboard)) - {aid}
    assert examples
    for example in examples:
        html = official.get(f"/assessments/{example}/history").text
        assert "&lt;" not in html and "<td>seed</td>" not in html
        assert "Exempeldata (importerad)" in _who(html)
    fi = Web.signed_in(official.client.app, "tuula@vaasa.fi")
    fi.get("/language?lang=fi&next=/")
    assert "Esimerkkiaineisto (tuotu)" in _who(fi.get(f"/assessments/{sorted(examples)[0]}/history").text)


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Tiina Tjänsteperson <tiina@vaasa.fi>", "Tiina Tjänsteperson"),
        ("Göran Granskare", "Göran Granskare"),
        ("token:Ärendesystem", "API-nyckeln Ärendesystem"),
        ("cli", "Kommandoraden"),
        ("A <b> <c@d.fi>", "A <b>"),
        ("login:x@y.fi", "login:x@y.fi"),
    ],
)
def test_the_person_filter(label: str, shown: str) -> None:
    from app.i18n.people import person

    assert person(label, "sv") == shown


NOTE = {
    "sv": "Byter du språk töms formuläret på sidan: spara först det du har skrivit.",
    "fi": "Jos vaihdat kieltä, sivun lomake tyhjenee: tallenna ensin kirjoittamasi.",
    "en": "Changing the language empties the form on this page: save what you have typed first.",
}


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_without_javascript_the_language_switch_warns_on_a_page_with_a_form(
    official: Web, council: Web, lang: str
) -> None:
    """The switch is a plain link (a button posting the form would take Enter from the form's own
    button), so without JavaScript, which keeps what was typed, it would empty the form: the switch
    says so on every page with a form to type in, only without JavaScript (``noscript``)."""
    official.get(f"/language?lang={lang}&next=/")
    aid = official.new_assessment()
    note = f'<noscript><p class="lang-note">{NOTE[lang]}</p></noscript>\n      </nav>'
    for url in ("/decisions/new", f"/assessments/{aid}/screening", f"/assessments/{aid}/alternatives"):
        html = official.get(url).text
        assert note in html, url
        assert html.index('class="lang-switch"') < html.index(note) < html.index("<main"), "inside the switch"
    for url in ("/", f"/assessments/{aid}", f"/assessments/{aid}/summary", "/accessibility"):
        assert "lang-note" not in official.get(url).text, url
    # only where the reader can type: not on a page whose form is not theirs
    assert "lang-note" not in official.get(f"/assessments/{aid}/review").text
    assert "lang-note" not in council.get(f"/assessments/{aid}/screening").text


def _invitation_rows(html: str) -> str:
    return html.split('id="invitations-caption"')[1].split("</table>")[0]


def test_an_admin_makes_a_new_link_for_a_lost_invitation(admin: Web, app: Any) -> None:
    """The link is shown once: the page says what to do if it is lost, and each open (or expired)
    invitation has a button that makes a new link for it (inviting the address again, with its role):
    the old link stops working, the new one works, and the audit trail records both."""
    first = admin.post("/admin/invitations", {"email": "ny@vaasa.fi", "role": "reviewer"})
    assert first.status_code == 200
    assert "Om länken kommer bort skapar du en ny länk i listan över inbjudningar nedan" in first.text
    old = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", first.text).group(1)
    users = admin.get("/admin/users").text
    assert 'aria-describedby="invitations-hint"' in users and "En inbjudans länk visas bara när den skapas." in users
    rows = _invitation_rows(users)
    form = re.search(r'<form method="post" action="/admin/invitations" class="inline-form">(.*?)</form>', rows).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(email|role)" value="([^"]+)">', form))
    assert fields == {"email": "ny@vaasa.fi", "role": "reviewer"}
    assert 'Skapa en ny länk<span class="visually-hidden"> för inbjudan till ny@vaasa.fi</span>' in form

    again = admin.post("/admin/invitations", fields)
    assert again.status_code == 200 and "Inbjudan har skapats" in again.text
    assert "Den tidigare inbjudan till ny@vaasa.fi har återkallats" in again.text
    new = re.search(r"http://testserver(/invitations/[A-Za-z0-9_-]+)", again.text).group(1)
    assert new != old
    visitor = Web(admin.client.__class__(app, follow_redirects=False))
    assert visitor.get(old).status_code == 404
    assert visitor.get(new).status_code == 200 and "som granskare" in visitor.last.text
    with session() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()]
    assert actions[-3:] == ["user.invited", "user.invitation_revoked", "user.invited"]
    assert _invitation_rows(admin.get("/admin/users").text).count("ny@vaasa.fi</td>") == 1


def test_a_save_in_another_tab_is_found_behind_many_changes_of_other_forms(official: Web) -> None:
    """The conflict page of a rating form names the person who saved *that form* meanwhile: the newest
    of its own events (ratings), however many changes of other forms came after. Here a colleague
    changed the zero alternative 501 times after the official's own save in another tab; the events
    of other actions were read too, up to 500, and the save was then put down to "someone else"."""
    aid = official.new_assessment()
    official.screen(aid)
    url, stale = official.rate_form(aid)  # tab 1
    _, fresh = official.rate_form(aid)  # tab 2
    saved = official.post(url, fresh | {"c0-e1-score": "2", "c0-e1-rationale": "Sparad i flik två"})
    assert saved.status_code == 303
    colleague = make_user("905", "olle@vaasa.fi", "official")
    with unit_of_work() as s:
        assessment = s.get(Assessment, uuid.UUID(aid))
        municipality = s.get(Municipality, colleague.municipality_id)
        assert assessment is not None and municipality is not None
        actor = actor_for_user(colleague, municipality)
        for n in range(501):
            change = AlternativeUpdate(description=f"Nollalternativet, utkast {n}")
            service.update_alternative(s, actor, assessment, "zero", change, assessment.lock_version)
    r = official.post(url, stale | {"c0-e1-score": "1", "c0-e1-rationale": "Skriven i flik ett"})
    assert r.status_code == 409 and "Skriven i flik ett" in r.text and "Sparad i flik två" in r.text
    assert "Du sparade det här formuläret i en annan flik eller ett annat fönster" in r.text
    assert "Någon annan sparade det här formuläret" not in r.text

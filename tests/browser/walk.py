"""Walk every page of the web interface in one language, as an official, a reviewer and an admin.

``visit(name, html)`` is called with the server's HTML of each page once it is shown, so the same
walk serves the accessibility checks (axe, vnu) and the screenshots in ``docs/screenshots``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.browser.support import ADMIN, DEMO_PASSWORD, OFFICIAL, REVIEWER
from tests.web.support import PASSWORD as TEST_PASSWORD

Visit = Callable[[str, str], None]
CASE_NUMBERS = {"sv": 301, "fi": 302, "en": 303}


def goto(page: Any, url: str) -> str:
    response = page.goto(url, wait_until="load")
    assert response is not None
    return str(response.text())


def submit(page: Any, selector: str = "main form button[type=submit]") -> str:
    with page.expect_navigation(wait_until="load") as nav:
        page.click(selector)
    response = nav.value
    assert response is not None
    return str(response.text())


def login(page: Any, base: str, email: str, visit: Visit | None = None) -> str:
    html = goto(page, base + "/login")
    if visit:
        visit("login", html)
        page.fill("#email", email)
        page.fill("#password", "wrong password")
        visit("login-error", submit(page))
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    return submit(page)


def sign_in(page: Any, base: str, email: str, lang: str, password: str = TEST_PASSWORD) -> str:
    """Sign in as a user the tests made (``tests.web.support.Web``), with the pages in ``lang``."""
    page.goto(f"{base}/language?lang={lang}&next=/login")
    page.fill("#email", email)
    page.fill("#password", password)
    return submit(page)


def logout(page: Any) -> None:
    submit(page, "form.logout button")


def walk(page: Any, base: str, lang: str, visit: Visit) -> None:
    page.goto(f"{base}/language?lang={lang}&next=/login")
    visit("dashboard", login(page, base, OFFICIAL, visit))
    aid = _official_pages(page, base, lang, visit)
    older = _older_draft(base, lang)
    visit("rubric-upgrade", goto(page, f"{base}/assessments/{older}/rubric-upgrade"))
    logout(page)
    login(page, base, REVIEWER)
    visit("review", goto(page, f"{base}/assessments/{aid}/review"))
    page.fill("#comment", "Bra underlag.")
    page.check("#action")
    submit(page)
    visit("follow-up", goto(page, f"{base}/assessments/{aid}/follow-up"))
    visit("history", goto(page, f"{base}/assessments/{aid}/history"))
    visit("portfolio", goto(page, f"{base}/portfolio"))
    visit("not-found", goto(page, f"{base}/assessments/00000000-0000-0000-0000-000000000000"))
    logout(page)
    _admin_pages(page, base, visit)
    # the footer's pages, before sign-in (the admin has signed out)
    visit("accessibility", goto(page, f"{base}/accessibility"))
    visit("privacy", goto(page, f"{base}/privacy"))


def _official_pages(page: Any, base: str, lang: str, visit: Visit) -> str:
    visit("decision-new", goto(page, base + "/decisions/new"))
    page.fill("#case_number", f"KS 2026/{CASE_NUMBERS[lang]}")
    visit("decision-new-error", submit(page))
    page.fill("#title", "Ny detaljplan för Kvarnbacken")
    page.fill("#deciding_body", "Kommunstyrelsen")
    page.fill("#planned_date", "2026-12-14")
    page.fill("#summary", "Planen möjliggör 40 bostäder och en förskola nära busslinjen.")
    page.fill("#zero_description", "Området förblir obebyggt; bostadsbristen består.")
    page.check("#text_language")  # Swedish, as typed here: a Finnish or English page marks the texts lang="sv"
    html = submit(page)
    aid = re.search(r"/assessments/([0-9a-f-]{36})/", page.url)
    assert aid, page.url
    assessment_id = aid.group(1)
    visit("screening", html)
    page.check("#s-policy")
    visit("screening-error", submit(page))
    for pid in ("infrastructure", "rural-services"):
        page.check(f"#s-{pid}")
    for pid in ("procurement", "cross-sector", "green-economy", "logistics", "information", "mergers"):
        page.check(f"#s-{pid}-2")
        page.fill(f"#s-{pid}-reason", "Berörs inte av planen.")
    visit("assessment", submit(page))
    visit("text-language", goto(page, f"{base}/assessments/{assessment_id}/text-language"))
    rate = f"{base}/assessments/{assessment_id}/rate/proposal/policy/firms"
    visit("rate", goto(page, rate))
    page.check("#c0-e1-score-2")
    visit("rate-error", submit(page, "button[value=overview]"))
    page.fill("#c0-e1-rationale", "Byggföretag får uppdrag under två år.")
    page.check("#c0-e1-likelihood-3")
    page.check("#c1-e1-score-6")
    page.fill("#c1-e1-rationale", "Högre anslutningsavgifter för företagen i området.")
    page.fill("#c1-e1-mitigation", "Avgiften fördelas över fem år.")
    submit(page, "button[value=overview]")
    _conflict(page, base, assessment_id, visit)
    visit("alternatives", goto(page, f"{base}/assessments/{assessment_id}/alternatives"))
    visit("summary", goto(page, f"{base}/assessments/{assessment_id}/summary"))
    visit("check", goto(page, f"{base}/assessments/{assessment_id}/check"))
    visit("assessment-submitted", submit(page))
    return assessment_id


def _older_draft(base: str, lang: str) -> str:
    """A draft of the official's municipality on version 1.0.0 of the questions, made through the API
    (the web starts every assessment on the newest version), with ratings that version 1.1.0 carries
    over, moves to another question and does not carry over: the page offering the move shows each."""
    import httpx
    from sqlmodel import select

    from app.auth.models import User
    from app.db.session import unit_of_work
    from app.municipalities.models import Municipality
    from tests.rubrics.flows import assessment, rate, rating
    from tests.support import Api, make_token

    with unit_of_work(write=False) as s:
        user = s.exec(select(User).where(User.email == OFFICIAL)).one()
        municipality = s.get(Municipality, user.municipality_id)
        assert municipality is not None
        code = municipality.code
    with httpx.Client(base_url=base) as client:
        api = Api(client, make_token(code, ("read", "write"), user.id))
        case_number = f"KS 2026/{CASE_NUMBERS[lang] + 10}"
        a = assessment(api, case_number, rubric_id="kuntaliitto-vitality", rubric_version="1.0.0")
        ratings = [
            rating("policy.organisation.follow-up", "organisation", 2),
            rating("cross-sector.residents.attractiveness", "residents", 1),
            rating("logistics.residents.service-access", "residents", -2, rationale="Bussen till byn dras in."),
        ]
        rate(api, a["id"], ratings)
    return str(a["id"])


def saved_in_another_tab(page: Any, url: str) -> None:
    """Open the rating form at ``url`` in ``page``, then save the same form from a second tab first:
    what ``page`` submits next is stale (the conflict page)."""
    goto(page, url)
    other = page.context.new_page()
    other.goto(url)
    other.check("#c0-e1-score-3")
    other.fill("#c0-e1-rationale", "Fler bostäder ger fler kunder i butikerna.")
    with other.expect_navigation():
        other.click("button[value=overview]")
    other.close()


def _conflict(page: Any, base: str, assessment_id: str, visit: Visit) -> None:
    """Save the same form from a second tab first, then submit the stale one: the conflict page."""
    saved_in_another_tab(page, f"{base}/assessments/{assessment_id}/rate/proposal/policy/residents")
    page.check("#c0-e1-score-4")
    visit("rate-conflict", submit(page, "button[value=overview]"))
    submit(page, "form.inline-form button")  # keep theirs


def _admin_pages(page: Any, base: str, visit: Visit) -> None:
    login(page, base, ADMIN)
    visit("admin-users", goto(page, base + "/admin/users"))
    page.fill("#email", "ny.kollega@demo.livskraft.fi")
    page.check("#role-2")
    html = submit(page, "form[action='/admin/invitations'] button")
    visit("admin-invited", html)
    link = re.search(r"(/invitations/[A-Za-z0-9_-]+)", html)
    assert link
    visit("admin-tokens", goto(page, base + "/admin/tokens"))
    page.fill("#name", "Diarium")
    visit("admin-token-created", submit(page, "form[action='/admin/tokens'] button"))
    visit("account-password", goto(page, base + "/account/password"))
    page.fill("#current", "not the password")
    visit("account-password-error", submit(page))
    logout(page)
    visit("invitation", goto(page, base + link.group(1)))

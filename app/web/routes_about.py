"""About the service: the accessibility statement and the privacy notice, open to everyone.

A public body's web service must publish an accessibility statement (EU directive 2016/2102; in Sweden
the law 2018:1937 on the accessibility of digital public services, in Finland the act 306/2019 on the
provision of digital services) and tell the people whose data it processes what it does with it (GDPR
articles 13 and 14). Both pages are linked from every page's footer, work before sign-in, and name the
operator and contact address of the deployment (``LIVSKRAFT_OPERATOR_NAME``, ``LIVSKRAFT_CONTACT_EMAIL``).
"""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from app.auth.oidc import STATE_MAX_AGE
from app.routing import Router
from app.settings import get_settings
from app.web.accounts import INVITATION_DAYS
from app.web.deps import LangDep, OptionalLoginDep, page

router = Router(include_in_schema=False)

STATEMENT_DATE = date(2026, 12, 4)
"""When the accessibility statement was last checked against the service's tests (update it with them)."""


def _operator() -> str:
    return get_settings().operator_name.strip()


def _contact() -> str:
    return get_settings().contact_email.strip()


@router.get("/accessibility")
def accessibility(request: Request, lang: LangDep, login: OptionalLoginDep) -> HTMLResponse:
    """The accessibility statement: how far the service meets WCAG 2.1 AA, how that was tested, what is
    not yet accessible, how to give feedback, and the supervisory authorities of Sweden and Finland."""
    return page(
        request,
        lang,
        "accessibility.html",
        login,
        statement_date=STATEMENT_DATE,
        operator=_operator(),
        contact=_contact(),
    )


@router.get("/privacy")
def privacy(request: Request, lang: LangDep, login: OptionalLoginDep) -> HTMLResponse:
    """The privacy notice: which personal data the service keeps, why, for how long, who sees it, the
    cookies it sets, and the rights of the people concerned."""
    settings = get_settings()
    return page(
        request,
        lang,
        "privacy.html",
        login,
        session_hours=settings.session_hours,
        invitation_days=INVITATION_DAYS,
        sso_minutes=STATE_MAX_AGE // 60,
        operator=_operator(),
        contact=_contact(),
    )


ROBOTS = "User-agent: *\nDisallow: /\n"
"""A municipality's working tool, not a public site: nothing of it belongs in a search engine."""


@router.get("/robots.txt")
def robots() -> PlainTextResponse:
    return PlainTextResponse(ROBOTS, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """Browsers and feed readers ask for it without reading the page's ``<link rel="icon">``: point them
    at the icon instead of answering with a page of "not found" on every visit."""
    return RedirectResponse("/static/favicon.svg", status_code=301, headers={"Cache-Control": "public, max-age=86400"})

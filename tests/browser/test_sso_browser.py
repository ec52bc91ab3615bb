"""Single sign-on in a real browser: the button on the login page leads through the identity provider
(a real one on a loopback port, ``tests/security/oidc_provider.py``) to the dashboard, without
JavaScript doing anything on the way; the login page with the button, and with a refusal, stays
accessible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import axe_violations, server_process
from tests.security.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tests.support import make_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as p:
        yield p


@pytest.fixture(scope="module")
def sso_server(environment: dict[str, str], provider: Provider) -> Iterator[str]:
    """A server process of its own, with single sign-on configured (the shared one has none)."""
    env = {
        "LIVSKRAFT_OIDC_ISSUER": provider.issuer,
        "LIVSKRAFT_OIDC_CLIENT_ID": CLIENT_ID,
        "LIVSKRAFT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "LIVSKRAFT_OIDC_DISPLAY_NAME": "Testportalen",
    }
    with server_process(env) as base:
        yield base


def test_the_button_signs_in_and_lands_on_the_dashboard(page: Any, sso_server: str, provider: Provider) -> None:
    make_user("905", "tiina@vaasa.fi", "official")
    provider.sign_in_as("tiina@vaasa.fi")
    page.goto(sso_server + "/login")
    button = page.get_by_role("link", name="Logga in med Testportalen")
    assert button.is_visible()
    assert axe_violations(page) == []
    with page.expect_navigation(url=sso_server + "/"):
        button.click()
    assert page.url == sso_server + "/"
    assert page.title() == "Startsida – Livskraft"
    assert "Tiina" in page.text_content(".who")
    assert page.get_by_role("button", name="Logga ut").is_visible()
    assert provider.authorize_requests[-1]["redirect_uri"] == sso_server + "/login/sso/callback"


def test_a_refusal_is_shown_on_the_login_page_and_focused(page: Any, sso_server: str, provider: Provider) -> None:
    provider.sign_in_as("nobody@vaasa.fi")
    page.goto(sso_server + "/login")
    with page.expect_navigation(url=sso_server + "/login?sso_error=account"):
        page.get_by_role("link", name="Logga in med Testportalen").click()
    summary = page.locator("[data-error-summary]")
    assert "Inget aktivt konto i Livskraft har den e-postadress" in summary.text_content()
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert axe_violations(page) == []
    summary.locator("a").click()
    assert page.evaluate("() => document.activeElement.id") == "sso", "the summary's link leads to the button"

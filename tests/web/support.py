"""A signed-in browser stand-in for the web tests: real HTTP through the app, cookies, CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.support import make_user

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RATED = {
    "c0-e1-score": "3",
    "c0-e1-rationale": "Nya jobb.",
    "c0-e1-likelihood": "likely",
    "c1-e1-score": "-2",
    "c1-e1-rationale": "Avgifter.",
    "c1-e1-mitigation": "Sänkt taxa.",
    "c1-e1-likelihood": "certain",
}
"""The rating form's fields for two effects on the firms in policy: one positive, one negative with its
mitigation (the set-up flows' default, :func:`rated`)."""
ONE_RATED = {"c0-e1-score": "3", "c0-e1-rationale": "Nya jobb.", "c0-e1-likelihood": "likely"}


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "the page has no CSRF token"
    return m.group(1)


@dataclass
class Web:
    client: TestClient
    token: str = ""
    user: Any = None
    last: Any = field(default=None, repr=False)

    @classmethod
    def signed_in(cls, app: Any, email: str, role: str = "official", code: str = "905") -> Web:
        user = make_user(code, email, role, PASSWORD)
        web = cls(TestClient(app, follow_redirects=False), user=user)
        web.login(email, PASSWORD)
        return web

    def login(self, email: str, password: str) -> Any:
        page = self.client.get("/login")
        r = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"}
        )
        if r.status_code == 303:
            self.token = csrf_of(self.client.get("/").text)
        return r

    def get(self, url: str, **kw: Any) -> Any:
        self.last = self.client.get(url, **kw)
        return self.last

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = {"csrf_token": self.token, **(data or {})}
        self.last = self.client.post(url, data=body, **kw)
        return self.last

    def new_assessment(self, case_number: str = "KS 2026/1", title: str = "Industriområde vid bangården") -> str:
        r = self.post(
            "/decisions/new",
            {
                "case_number": case_number,
                "title": title,
                "deciding_body": "Kommunstyrelsen",
                "planned_date": "2026-12-14",
                "summary": "Planen möjliggör industrimark med stickspår.",
                "zero_description": "Marken förblir åker.",
            },
        )
        assert r.status_code == 303, r.text
        m = re.match(r"^/assessments/([0-9a-f-]{36})/screening$", r.headers["location"])
        assert m, r.headers["location"]
        return m.group(1)

    def screen(self, assessment_id: str, relevant: tuple[str, ...] = ("policy",)) -> Any:
        page = self.get(f"/assessments/{assessment_id}/screening")
        return self.post(f"/assessments/{assessment_id}/screening", screening_form(page.text, relevant))

    def rate_form(
        self, assessment_id: str, alt: str = "proposal", perspective: str = "policy", target: str = "firms"
    ) -> tuple[str, dict[str, str]]:
        url = f"/assessments/{assessment_id}/rate/{alt}/{perspective}/{target}"
        page = self.get(url)
        assert page.status_code == 200, page.text
        return url, {"base_version": hidden(page.text, "base_version"), "base_hash": hidden(page.text, "base_hash")}

    def rate(
        self,
        assessment_id: str,
        fields: dict[str, str],
        alt: str = "proposal",
        perspective: str = "policy",
        target: str = "firms",
    ) -> Any:
        """Send one rating form as the browser does: the page's hidden fields with ``fields``."""
        url, data = self.rate_form(assessment_id, alt, perspective, target)
        return self.post(url, data | fields)

    def submit(self, assessment_id: str, comment: str = "Klar") -> Any:
        return self.post(f"/assessments/{assessment_id}/submit", {"comment": comment})

    def review(self, assessment_id: str, action: str, comment: str = "") -> Any:
        """``action`` "approve" or "return" on the review page."""
        return self.post(f"/assessments/{assessment_id}/review", {"action": action, "comment": comment})


# --- set-up flows: each step as the browser sends it, each checked to succeed --------------------------


def rated(
    official: Web,
    fields: dict[str, str] = RATED,
    case_number: str = "KS 2026/1",
    title: str = "Industriområde vid bangården",
) -> str:
    """A draft ready to submit: a new decision and assessment, policy screened relevant (the others not),
    the proposal's policy × firms rated with ``fields``."""
    aid = official.new_assessment(case_number, title)
    assert official.screen(aid).status_code == 303
    assert official.rate(aid, fields).status_code == 303, official.last.text
    return aid


def submitted(official: Web, fields: dict[str, str] = RATED) -> str:
    """As :func:`rated`, then submitted for review (comment "Klar")."""
    aid = rated(official, fields)
    assert official.submit(aid).status_code == 303
    return aid


def approved(official: Web, reviewer: Web, fields: dict[str, str] = RATED) -> str:
    """As :func:`submitted`, then approved by ``reviewer`` (comment "Bra.")."""
    aid = submitted(official, fields)
    assert reviewer.review(aid, "approve", "Bra.").status_code == 303
    return aid


def screening_form(page_html: str, relevant: tuple[str, ...] = ("policy",)) -> dict[str, str]:
    """The screening form as sent from ``page_html`` (a page loaded now, or earlier in another tab):
    ``relevant`` perspectives yes, the others no with a reason."""
    from app.rubrics.models import PERSPECTIVE_IDS

    data = {"base_version": hidden(page_html, "base_version"), "base_hash": hidden(page_html, "base_hash")}
    for pid in PERSPECTIVE_IDS:
        data[f"s-{pid}"] = "yes" if pid in relevant else "no"
        data[f"s-{pid}-reason"] = "" if pid in relevant else "Berör inte beslutet."
    return data


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden field {name}"
    return m.group(1)


def error_summary(html: str) -> list[tuple[str, str]]:
    """(field id, message) of each link in the error summary."""
    block = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    if not block:
        return []
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block.group(0))

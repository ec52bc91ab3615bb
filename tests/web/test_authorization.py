"""Role × web route: every page and form of the web interface, walked from the app's route table with
each role, anonymously and as another municipality's user. Denials are 303 to the login, 403 or 404 as
designed, and never show the other municipality's data. A new web route fails this test until the
matrix below says who may use it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from app.web import drafts
from tests.web.support import Web

PUBLIC = {
    "/login",
    "/language",
    "/invitations/{token}",
    "/login/sso",
    "/login/sso/callback",
    "/accessibility",
    "/privacy",
    "/robots.txt",
    "/favicon.ico",
}
"""Pages for anyone (single sign-on's: tests/security/test_sso.py)."""
ADMIN_ONLY = {
    "/admin/users",
    "/admin/tokens",
    "/admin/invitations",
    "/admin/users/{user_id}/deactivate",
    "/admin/tokens/{token_id}/revoke",
    "/admin/invitations/{invitation_id}/revoke",
}
WRITE_GET = {
    "/decisions/new",
    "/decisions/{decision_id}/edit",
    "/assessments/{assessment_id}/alternatives/{key}",
    "/assessments/{assessment_id}/text-language",
    # pages for an action a council member's role has no part in (submitting, reviewing): 403 as above
    "/assessments/{assessment_id}/check",
    "/assessments/{assessment_id}/review",
}
ROLES = ("official", "reviewer", "admin", "council")


def flatten(routes: Any) -> Any:
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI keeps included routers wrapped
            yield from flatten(route.original_router.routes)
        else:
            yield route


def web_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the web package serves, read from the app's route table."""
    out = []
    for route in flatten(app.routes):
        if isinstance(route, APIRoute) and route.endpoint.__module__.startswith("app.web."):
            out.extend((method, route.path) for method in sorted(route.methods))
    return sorted(set(out))


def expected_get(role: str, path: str) -> int:
    if path == "/decisions/{decision_id}":
        return 303  # a decision with an assessment opens the assessment
    if path in ADMIN_ONLY:
        return 200 if role == "admin" else 403
    if path == "/assessments/{assessment_id}/rubric-upgrade":
        # the world's draft uses the newest rubric: nothing to move, so a writer is sent to the overview
        return 403 if role == "council" else 303
    if path in WRITE_GET:
        return 403 if role == "council" else 200
    return 200


@pytest.fixture
def world(app: Any) -> dict[str, Any]:
    webs = {role: Web.signed_in(app, f"{role}@vaasa.fi", role) for role in ROLES}
    author = Web.signed_in(app, "author@vaasa.fi", "official")
    aid = author.new_assessment("KS 2026/9")
    author.screen(aid)
    page = author.get(f"/assessments/{aid}").text
    did = re.search(r"/decisions/([0-9a-f-]{36})/edit", page).group(1)  # type: ignore[union-attr]
    params = {
        "assessment_id": aid,
        "decision_id": did,
        "alt_key": "proposal",
        "perspective_id": "policy",
        "target": "firms",
        "key": "zero",
        "user_id": str(webs["official"].user.id),
        "token_id": "00000000-0000-0000-0000-000000000000",
        "invitation_id": "00000000-0000-0000-0000-000000000000",
        "token": "x" * 43,
    }
    return {"webs": webs, "params": params, "other": Web.signed_in(app, "h@hel.fi", "admin", code="091")}


def fill(path: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)


def test_every_web_route_is_in_the_matrix(app: Any) -> None:
    from app.web import routes_admin

    paths = {p for _, p in web_routes(app)}
    assert {r.path for r in routes_admin.router.routes} <= ADMIN_ONLY
    assert paths >= PUBLIC
    assert len(paths) > 25


def test_get_pages_by_role(app: Any, world: dict[str, Any]) -> None:
    params = world["params"]
    for method, path in web_routes(app):
        if method != "GET" or path in PUBLIC:
            continue
        url = fill(path, params)
        for role, web in world["webs"].items():
            r = web.get(url)
            expected = expected_get(role, path)
            if path.endswith(("report.pdf", "report.docx")) or path == "/portfolio":
                expected = 200
            assert r.status_code == expected, (role, url, r.status_code)
        anonymous = web.client.__class__(app, follow_redirects=False)
        r = anonymous.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (url, r.status_code)


def test_another_municipality_gets_404_and_no_data(app: Any, world: dict[str, Any]) -> None:
    other: Web = world["other"]
    for method, path in web_routes(app):
        if "{assessment_id}" not in path and "{decision_id}" not in path:
            continue
        url = fill(path, world["params"])
        r = other.get(url) if method == "GET" else other.post(url, {"action": "approve", "form_key": "screening"})
        assert r.status_code == 404, (method, url, r.status_code)
        assert "KS 2026/9" not in r.text
    r = other.post(f"/admin/users/{world['params']['user_id']}/deactivate")
    assert r.status_code == 404


def test_council_cannot_post_anything(app: Any, world: dict[str, Any]) -> None:
    council: Web = world["webs"]["council"]
    # their own session and password; the review form answers for itself below
    allowed = {"/logout", "/login", "/invitations/{token}", "/account/password", "/assessments/{assessment_id}/review"}
    for method, path in web_routes(app):
        if method != "POST" or path in allowed:
            continue
        r = council.post(fill(path, world["params"]), {"form_key": "screening"})
        assert r.status_code == 403, (path, r.status_code)
    r = council.post(fill("/assessments/{assessment_id}/review", world["params"]), {"action": "approve"})
    assert r.status_code in (403, 409), "the domain refuses a council member's review"


def test_posts_without_the_csrf_token_are_refused(app: Any, world: dict[str, Any]) -> None:
    admin: Web = world["webs"]["admin"]
    for method, path in web_routes(app):
        if method != "POST":
            continue
        url = fill(path, world["params"])
        r = admin.client.post(url, data={"csrf_token": "forged"})
        if drafts.form_of(url):  # a stale tab of a signed-in writer: its draft kept, nothing else written
            assert r.status_code == 303 and r.headers["location"] == url, (path, r.status_code)
        else:
            assert r.status_code == 403, (path, r.status_code)

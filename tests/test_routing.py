"""The order of the app's routers decides only how soon a route is found (``app.main.routers``): no two
routers answer the same path, so each request reaches the route it reached in any order of them. And a
router turns a path away at once only when none of its routes matches it (``app.routing.Router``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Host, Match

from app.main import routers
from app.routing import Router, any_route_pattern

SOME_ID = "6f1c1a3e-2b7e-4d8e-9a55-0d4b8f1e2a11"  # fixed: test ids must be the same in every xdist worker


def sample_path(route: APIRoute) -> str:
    """A path the route answers: each parameter filled with a value its convertor takes."""

    def value(param: re.Match[str]) -> str:
        name, _, convertor = param.group(1).partition(":")
        return SOME_ID if convertor == "uuid" or name.endswith("id") else "x1"

    return re.sub(r"\{([^}]+)\}", value, route.path)


def scope(path: str, method: str) -> dict[str, Any]:
    return {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}


def test_no_two_routers_answer_the_same_path() -> None:
    routes = [(i, r) for i, router in enumerate(routers()) for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 90
    clashes = []
    for i, route in routes:
        for method in route.methods:
            s = scope(sample_path(route), method)
            others = [(j, o.name) for j, o in routes if o is not route and o.matches(s)[0] == Match.FULL]
            clashes += [(method, route.path, route.name, name) for j, name in others if j != i]
    assert not clashes, "routes of different routers answer the same path: their order would matter"


def test_a_literal_path_before_a_parameter_in_one_router_is_still_found(client: Any) -> None:
    """The one overlap there is (``/decisions/new`` and ``/decisions/{id}``) stays inside one router."""
    page = client.get("/decisions/new", follow_redirects=False)
    assert page.status_code in (200, 303)
    assert page.status_code != 404


def test_the_busiest_routes_come_first() -> None:
    first = {r.name for router in routers()[:2] for r in router.routes}
    assert {"get_assessment", "get_summary", "list_assessments", "put_ratings", "rate_form"} <= first


def paths_to_try() -> list[str]:
    """Every route's path filled in, and near misses of each: a trailing slash, one segment more or
    less, another case, another prefix."""
    paths = {sample_path(r) for router in routers() for r in router.routes if isinstance(r, APIRoute)}
    near = set()
    for p in paths:
        near |= {p + "/", p.rstrip("/") + "/x1", p.rsplit("/", 1)[0], p.upper(), "/api/v2" + p}
        near.add(p.replace("/api/v1", ""))
    return sorted(paths | near | {"/", "", "/api/v1/", "/static/app.css"})


def test_a_router_turns_away_exactly_the_paths_none_of_its_routes_matches() -> None:
    tried = paths_to_try()
    assert len(tried) > 400
    for router in routers():
        assert isinstance(router, Router)
        pattern = router.any_route()
        assert pattern is not None, router.routes
        for path in tried:
            some_route = any(r.path_regex.match(path) for r in router.routes if isinstance(r, APIRoute))
            assert bool(pattern.match(path)) == some_route, (path, [getattr(r, "path", "") for r in router.routes])


def test_the_pattern_follows_routes_added_later_and_gives_up_on_a_route_without_a_path() -> None:
    router = Router(prefix="/api/v1/things")

    @router.get("/{thing_id}")
    def one(thing_id: str) -> str:  # pragma: no cover - never called
        return thing_id

    assert router.matches(scope("/api/v1/other", "GET"))[0] == Match.NONE
    first = router.any_route()
    assert first is not None and first.match("/api/v1/things/x1") and not first.match("/api/v1/things/x1/y")

    @router.get("/{thing_id}/parts")
    def parts(thing_id: str) -> str:  # pragma: no cover - never called
        return thing_id

    again = router.any_route()
    assert again is not None and again.match("/api/v1/things/x1/parts")
    assert any_route_pattern([Host("example.org", app=router)]) is None
    assert any_route_pattern([]) is None


def test_every_route_is_found_through_the_apps_routers(app: Any) -> None:
    """The routers are included without a prefix (their routes' own patterns are what ``Router`` matches):
    each route's path, filled in, is found by the app's first matching pass."""
    missing = []
    for router in routers():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                s = scope(sample_path(route), method)
                if not any(top.matches(s)[0] == Match.FULL for top in app.router.routes):
                    missing.append((method, route.path))
    assert not missing


@pytest.mark.parametrize(
    ("method", "path", "status", "where"),
    [
        # a route of the path, not of the method: Allow names every method the path has
        ("DELETE", "/api/v1/portfolio/impacts", 405, "GET, HEAD, OPTIONS"),
        ("PATCH", f"/api/v1/assessments/{SOME_ID}/report", 405, "GET, HEAD, OPTIONS"),
        ("POST", "/healthz", 405, "GET, HEAD, OPTIONS"),
        ("GET", "/api/v1/nothing", 404, None),
        ("GET", "/api/v1/assessments/", 404, None),  # the API does not redirect: no Location from Host
        ("POST", "/api/v1/decisions/", 404, None),
        ("GET", "/portfolio/", 307, "/portfolio"),  # a relative Location: never built from Host
        ("GET", "/decisions/new/", 307, "/decisions/new"),
        ("GET", "/healthz", 200, None),
    ],
)
def test_answers_that_depend_on_routes_of_other_paths_are_unchanged(
    client: Any, method: str, path: str, status: int, where: str | None
) -> None:
    """405 (a route matched the path but not the method) and the slash redirect ask every router."""
    answer = client.request(method, path, follow_redirects=False)
    assert answer.status_code == status
    if status == 405:
        assert answer.headers["allow"] == where
    if status == 307:
        assert answer.headers["location"] == where

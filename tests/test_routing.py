"""The order of the app's routers decides only how soon a route is found (``app.main.routers``): no two
routers answer the same path, so each request reaches the route it reached in any order of them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Match

from app.main import routers

SOME_ID = str(uuid.uuid4())


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

"""The router every part of the app declares its routes on.

FastAPI (0.165) asks each included router in turn whether it has the request's route, and a router
answers by trying each of its routes' patterns in turn (about 1.4 µs a route). A request for the web
rating form was first tried against the 18 routes of the assessment API, a portfolio request against
those and the web form's; and FastAPI makes that pass twice per request (once to choose the router, once
inside it).

:class:`Router` first matches the path against one pattern made of all its routes' patterns (one call
into the regular-expression engine) and answers "not here" at once when none of them matches: a route of
FastAPI's answers no match for such a path whatever the method. Otherwise it asks FastAPI as before. So
the answer is the same, sooner (``tests/test_routing.py``; ``bench/routing.py`` times it).

Its routes read JSON bodies with ``app.api.json_body`` (an object that repeats a key is refused).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # what the routes themselves match against
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

from app.api.json_body import JsonBodyRoute

_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")


def any_route_pattern(routes: list[BaseRoute]) -> re.Pattern[str] | None:
    """One pattern matching exactly the paths one of ``routes`` matches (None: a route has no path
    pattern, such as a ``Host``; then every path must be asked)."""
    patterns = [p for p in (getattr(r, "path_regex", None) for r in routes) if isinstance(p, re.Pattern)]
    if not patterns or len(patterns) != len(routes):
        return None
    # each route's pattern is anchored (^…$); the groups' names would clash, so they become plain groups
    return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for p in patterns))


class Router(APIRouter):
    """An ``APIRouter`` that turns away at once a path none of its routes matches. Give the prefix to
    the router, not to ``include_router``: its pattern is made of its routes' own patterns."""

    _any_route: tuple[int, re.Pattern[str] | None] = (-1, None)

    def __init__(self, *args: Any, route_class: type[APIRoute] = JsonBodyRoute, **kwargs: Any) -> None:
        super().__init__(*args, route_class=route_class, **kwargs)

    def any_route(self) -> re.Pattern[str] | None:
        """The routes' pattern, worked out again when the number of routes changed (routes are added
        while the app is built)."""
        count, pattern = self._any_route
        if count != len(self.routes):
            pattern = any_route_pattern(self.routes)
            self._any_route = (len(self.routes), pattern)
        return pattern

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        pattern = self.any_route()
        if pattern is not None and pattern.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return super().matches(scope)


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _route_methods(routes: Iterable[BaseRoute], path: str, found: set[str]) -> None:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's wrapper of an included router
        if included is not None:
            _route_methods(included.routes, path, found)
        elif isinstance(route, APIRouter):
            _route_methods(route.routes, path, found)
        elif not isinstance(route, Mount):  # a mount (the static files) answers its own methods
            pattern = getattr(route, "path_regex", None)
            methods = getattr(route, "methods", None)
            if isinstance(pattern, re.Pattern) and methods and pattern.match(path):
                found.update(methods)


def allowed_methods(app: Any, path: str) -> str:
    """The ``Allow`` header of ``path``: the methods of every route whose pattern matches it, with
    ``HEAD`` wherever ``GET`` is and ``OPTIONS`` (answered for every route); "" when no route matches.
    Worked out only for a 405 or an ``OPTIONS`` request."""
    found: set[str] = set()
    _route_methods(getattr(app, "routes", ()), path, found)
    if not found:
        return ""
    if "GET" in found:
        found.add("HEAD")
    found.add("OPTIONS")
    return ", ".join(m for m in METHOD_ORDER if m in found)

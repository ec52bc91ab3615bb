"""What browsers and crawlers ask of every site: an icon (no "not found" page on each visit) and
robots.txt (a municipality's working tool stays out of search engines)."""

from __future__ import annotations

from typing import Any


def test_robots_txt_keeps_crawlers_out(client: Any) -> None:
    r = client.get("/robots.txt")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.splitlines() == ["User-agent: *", "Disallow: /"]


def test_the_icon_is_linked_from_every_page_and_served(client: Any) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<link rel="icon" href="/static/favicon.svg?v=' in page.text
    r = client.get("/favicon.ico", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/static/favicon.svg"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")

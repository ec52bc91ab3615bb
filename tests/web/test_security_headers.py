"""Security headers on every response: pages, API, errors, static files, the API docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.support import Web


@pytest.mark.parametrize(
    "path", ["/login", "/api/v1/rubrics", "/healthz", "/static/livskraft.css", "/no-such-page", "/openapi.json"]
)
def test_headers_everywhere(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in r.headers, "HSTS only when served over TLS"


def test_api_docs_allow_only_their_own_inline_script(client: TestClient) -> None:
    r = client.get("/docs")
    csp = r.headers["content-security-policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'sha256-" in script_src
    assert "unsafe-inline" not in script_src


def test_no_inline_scripts_styles_or_handlers(official: Web) -> None:
    aid = official.new_assessment()
    for url in [
        "/",
        f"/assessments/{aid}",
        f"/assessments/{aid}/screening",
        f"/assessments/{aid}/rate/proposal/policy/firms",
    ]:
        html = official.get(url).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html and " onload=" not in html and " onchange=" not in html


def test_unknown_web_page_is_html_api_stays_problem_json(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no-such-thing")
    assert api.headers["content-type"].startswith("application/problem+json")

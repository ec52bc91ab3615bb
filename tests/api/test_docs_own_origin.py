"""``/docs`` is Swagger UI from the app's own files: the page names no other origin, its files are
served, and its content security policy allows no other origin."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_and_its_files_come_from_this_server(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert re.findall(r"(?:src|href)=\"(https?:)?//", r.text) == [], "no file from another origin"
    sources = re.findall(r"(?:src|href)=\"([^\"]+)\"", r.text)
    assert sorted(sources) == [
        "/docs/assets/favicon.png",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
    ]
    assert '"validatorUrl": null' in r.text, "no badge fetched from validator.swagger.io"
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 1000
    assert (
        client.get("/docs/assets/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )

    csp = r.headers["content-security-policy"]
    assert "http" not in csp, csp  # 'self', hashes and data: only
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'sha256-" in script_src and "unsafe-inline" not in script_src


def test_docs_assets_outside_the_package_are_not_found(client: TestClient) -> None:
    for path in ("/docs/assets/../../app/settings.py", "/docs/assets/%2e%2e/core.py", "/docs/assets/nothing.js"):
        assert client.get(path).status_code == 404, path

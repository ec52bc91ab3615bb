"""The interactive API docs render in a real browser from this server alone: Swagger UI lists the
operations, no request leaves for another origin, and the content security policy blocks nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def test_swagger_ui_renders_from_this_origin_only(server: str, page: Any) -> None:
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{server}/docs")
    page.get_by_text("Livskraft API", exact=False).first.wait_for()
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/assessments").first
    operation.wait_for()  # the OpenAPI 3.1 document was read and rendered

    own = urlsplit(server).netloc
    elsewhere = [url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != own]
    assert elsewhere == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Livskraft API")

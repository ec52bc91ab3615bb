"""The interactive API docs (Swagger UI at ``/docs``) from the app's own origin.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN and its icon from fastapi.tiangolo.com: every
visitor's browser would tell two third parties that it reads a municipality's API docs, and the page
stays blank in a closed network. The files come instead from the ``fastapi-offline`` package (Swagger UI
5, which renders OpenAPI 3.1) and are served under ``/docs/assets``; the page's one inline script is
allowed by its hash (``app/web/security.py``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.routing import Router

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
ASSETS = Path(str(files("fastapi_offline") / "static"))

router = Router(include_in_schema=False)


@router.get(DOCS_URL, response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Livskraft API – Swagger UI",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        # no badge from validator.swagger.io: the page asks nobody but this server
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get(OAUTH2_REDIRECT_URL, response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


def install(app: FastAPI) -> None:
    """Swagger UI's script, style sheet and icon, as static files of the app."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

"""Security headers on every response (web pages, API, errors) and CSRF helpers.

The content security policy allows scripts and styles only from the app's own origin: no inline
scripts, styles or event handlers anywhere in the templates. The interactive API docs (``/docs``, files
served by the app itself: ``app/api/docs.py``) start Swagger UI with one inline script; that page alone
gets the sha256 of its own inline scripts added — still no ``unsafe-inline`` for scripts — and inline
styles, which Swagger UI sets on its elements.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from markupsafe import escape
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import gettext as t
from app.i18n import normalise

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect"})
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

CSRF_FIELD = "csrf_token"
ANON_CSRF_COOKIE = "lk_csrf"


def docs_csp(body: bytes) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(body)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'; form-action 'self'"
    )


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (streams untouched) that sets the headers on every HTTP response."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._apply(MutableHeaders(scope=message), CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _apply(self, headers: MutableHeaders, csp: str) -> None:
        headers["Content-Security-Policy"] = csp
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            headers = MutableHeaders(scope=start)
            self._apply(headers, docs_csp(body))
            headers["Content-Length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collect)


@lru_cache(maxsize=16)
def refusal_page(lang: str, status: int) -> bytes:
    """The page of a form refused before it is read (411 or 413)."""
    if status == 411:
        heading = t(lang, "The form could not be read")
        message = t(lang, "Your browser sent the form without saying how long it is. Go back and send it again.")
    else:
        heading, message = t(lang, "Too much data"), t(lang, "The form sent too much data at once.")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)} – Livskraft</title></head><body><main><h1>{escape(heading)}</h1>"
        f'<p>{escape(message)}</p><p><a href="/">Livskraft</a></p></main></body></html>'
    ).encode()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, submitted: str | None) -> bool:
    return bool(expected) and bool(submitted) and hmac.compare_digest(str(expected), str(submitted))


def same_origin_post(headers: Mapping[str, str]) -> bool:
    """Whether a request came from a page of this site, as far as the browser says: ``Sec-Fetch-Site``
    (every current browser), else ``Origin`` against ``Host``; a client that sends neither is believed.
    The session cookie (``SameSite=Lax``) already keeps other sites out; this also keeps out pages of
    other origins of the same site (a sibling subdomain)."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = headers.get("origin")
    if origin is not None:
        return bool(origin) and urlsplit(origin).netloc == headers.get("host", "")
    return True


def same_origin_path(url: str | None, host: str) -> str | None:
    """The path (and query) of ``url`` if it is an address on this host (``Referer``), else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class WebBodyLimit:
    """Request body limit for the web pages (the API has its own): a form post larger than
    ``max_bytes`` is refused with 413 before it is read; a post without Content-Length gets 411
    (browsers always send it for forms). The short page it answers with is in the language the
    visitor chose (the language cookie)."""

    def __init__(self, app: ASGIApp, max_bytes: int, lang_cookie: str = "lk_lang") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.lang_cookie = lang_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT", "PATCH")
            or scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        status = 0
        if length is None:
            status = 411
        elif not length.isdigit() or int(length) > self.max_bytes:
            status = 413
        if status:
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")],
                }
            )
            cookies = next((v for k, v in scope["headers"] if k == b"cookie"), b"")
            lang = cookie_parser(cookies.decode("latin-1")).get(self.lang_cookie)
            await send({"type": "http.response.body", "body": refusal_page(normalise(lang), status)})
            return
        await self.app(scope, receive, send)

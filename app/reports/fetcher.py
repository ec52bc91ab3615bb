"""The only way a report render may load anything: packaged assets, and in-memory resources we hand it.

WeasyPrint fetches every URL it meets (stylesheets, fonts, images, ``<link rel=attachment>``). User
text only reaches templates autoescaped, so it cannot create elements; this fetcher is the second wall:
it serves files below ``app/reports/assets`` (resolved, so ``..`` and symlinks cannot leave it) and
resources registered for this render under ``livskraft:`` (e.g. the municipality's logo), and refuses
every other URL — ``file:`` elsewhere, ``http(s):``, ``data:``, ``ftp:`` — without touching the network
or the file system. Refused URLs are recorded so tests and logs can show what was attempted.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("livskraft.reports")

ASSETS_DIR = (Path(__file__).parent / "assets").resolve()
BASE_URL = ASSETS_DIR.as_uri() + "/"
"""Relative URLs in templates and CSS (``fonts/DejaVuSans.ttf``) resolve against this."""
MEMORY_SCHEME = "livskraft:"
MAX_ASSET_BYTES = 5_000_000


class RefusedURL(ValueError):
    """Raised for every URL outside the packaged assets; WeasyPrint logs it and renders on."""


@lru_cache(maxsize=64)
def _read_asset(path: Path) -> bytes:
    """Assets are immutable package data: read each file once per process (fonts are large)."""
    return path.read_bytes()


def asset_path(url: str) -> Path | None:
    """The packaged file a ``file:`` URL names, or None if it is anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        return None
    try:
        path = Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
        return None
    return path


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves packaged assets and the given in-memory resources; refuses everything else."""

    def __init__(self, resources: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "livskraft"), allow_redirects=False)
        self.resources = dict(resources or {})
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith(MEMORY_SCHEME):
            name = url[len(MEMORY_SCHEME) :]
            if name in self.resources:
                body, mime = self.resources[name]
                self.served.append(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
        else:
            path = asset_path(url)
            if path is not None and path.stat().st_size <= MAX_ASSET_BYTES:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self.served.append(url)
                return URLFetcherResponse(path.as_uri(), _read_asset(path), {"Content-Type": mime})
        self.refused.append(url[:200])
        log.warning("report render refused to fetch %s", url[:200])
        raise RefusedURL(f"reports may only load packaged assets, not {url[:200]}")

"""Who the report is from: the municipality's name, colour and logo, and the PDF's fixed metadata.

Branding comes from ``municipality.settings`` (keys ``brand_colour`` and ``logo``), falling back to the
service settings. Both reach CSS or the renderer, where autoescaping does not protect: the colour must
be a plain hex colour and the logo a PNG, JPEG or SVG data URI of bounded size, or they are ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.municipalities.codes import display_name
from app.municipalities.models import Municipality
from app.settings import get_settings

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
MAX_LOGO_BYTES = 300_000
LOGO_URL = "livskraft:logo"


@dataclass(frozen=True)
class Brand:
    municipality: str
    code: str
    product: str
    colour: str
    logo_url: str | None
    resources: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    """In-memory resources the fetcher may serve for this render (the logo)."""

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything that reaches the PDF changes (part of the cache key)."""
        h = hashlib.sha256(json.dumps([self.municipality, self.code, self.product, self.colour]).encode())
        for name, (body, mime) in sorted(self.resources.items()):
            h.update(name.encode() + mime.encode() + hashlib.sha256(body).digest())
        return h.hexdigest()


@dataclass(frozen=True)
class DocumentMeta:
    """What WeasyPrint writes into the PDF's metadata; fixed values make the bytes reproducible."""

    title: str
    lang: str
    created: str
    """W3C date-time (``2026-03-01T10:00:00Z``) of the data, never of the render."""
    keywords: str = ""


def _logo(value: object) -> tuple[bytes, str] | None:
    if not isinstance(value, str) or not value.startswith("data:"):
        return None
    header, _, payload = value[5:].partition(",")
    mime, _, encoding = header.partition(";")
    if mime not in LOGO_TYPES or encoding != "base64" or len(payload) > MAX_LOGO_BYTES * 4 // 3 + 4:
        return None
    try:
        body = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    return (body, mime) if 0 < len(body) <= MAX_LOGO_BYTES else None


def brand_for(municipality: Municipality, lang: str = "sv") -> Brand:
    settings = get_settings()
    own = municipality.settings or {}
    colour = own.get("brand_colour")
    if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
        colour = settings.brand_colour if HEX_COLOUR.match(settings.brand_colour) else "#1d4f7a"
    logo = _logo(own.get("logo"))
    return Brand(
        municipality=display_name(municipality.code, municipality.name, municipality.settings, lang),
        code=municipality.code,
        product=settings.brand_name,
        colour=colour.lower(),
        logo_url=LOGO_URL if logo else None,
        resources={"logo": logo} if logo else {},
    )


def w3c(value: datetime) -> str:
    """A UTC W3C date-time for ``<meta name=dcterms.created>``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    # not strftime: its %Y does not pad years before 1000, which then no longer parse as ISO 8601
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"

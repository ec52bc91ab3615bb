"""Languages: Swedish (default), Finnish and English, with gettext catalogues compiled at load time.

Message ids are English. Each part of the app keeps its own catalogue file per language
(``locales/<lang>/LC_MESSAGES/<domain>.po``, e.g. ``web.po``, ``reports.po``); all files of a language
are merged into one translations object. No build step: ``.po`` files are compiled in memory.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup

LANGUAGES: tuple[str, ...] = ("sv", "fi", "en")
DEFAULT_LANGUAGE = "sv"
LOCALES = {"sv": "sv_SE", "fi": "fi_FI", "en": "en_GB"}
LANGUAGE_NAMES = {"sv": "Svenska", "fi": "Suomi", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locales"


def normalise(lang: str | None) -> str:
    lang = (lang or "").strip().lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str | None:
    """The best supported language from an Accept-Language header, or None."""
    if not header:
        return None
    choices: list[tuple[float, str]] = []
    for part in header.split(",")[:20]:
        piece = part.strip().split(";")
        code = piece[0].strip().lower()[:2]
        q = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        if code in LANGUAGES and q > 0:  # q=0: "not this language" (RFC 9110 12.4.2)
            choices.append((q, code))
    return max(choices, key=lambda c: c[0])[1] if choices else None


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    lang = normalise(lang)
    merged: NullTranslations | None = None
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        t = Translations(buf, domain=po.stem)
        if merged is None:
            merged = t
        else:
            assert isinstance(merged, Translations)
            merged.merge(t)
    return merged or NullTranslations()


def gettext(lang: str, message: str) -> str:
    return str(translations(lang).gettext(message))


def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[normalise(lang)])


def format_date(value: date | datetime | None, lang: str, fmt: str = "long", zone: tzinfo | None = None) -> str:
    """A day in the language's format. A timestamp (stored in UTC) is the day it falls on in ``zone``, the
    municipality's time (:func:`app.municipalities.timezone.zone`), which it then needs."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if zone is None:
            raise TypeError("a timestamp's day depends on the time zone: pass the municipality's zone")
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone).date()  # naive: UTC
    return str(_format_date(value, format=fmt, locale=LOCALES[normalise(lang)]))


def format_datetime(value: datetime | None, lang: str, fmt: str = "medium", *, zone: tzinfo) -> str:
    """A date and time in the language's format, on the clock of ``zone`` (the municipality's time); a
    naive timestamp counts as UTC, as stored."""
    if value is None:
        return ""
    return str(_format_datetime(value, format=fmt, locale=LOCALES[normalise(lang)], tzinfo=zone))


def format_number(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    return str(_format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}", locale=LOCALES[normalise(lang)]))


def lang_attr(lang: str | None) -> Markup:
    """`` lang="sv"`` for an element holding text in ``lang``, or nothing (the text is in the language
    of the page): the templates write it into the opening tag of an element of the user's text."""
    if lang not in LANGUAGES:
        return Markup("")
    return Markup(' lang="{}"').format(lang)


def in_lang(text: object, lang: str | None) -> Markup | object:
    """``text`` in a ``<span lang>`` when it is in another language than the page, else as it is (escaped
    by the template's autoescape): for user text inside a sentence or cell of the page's language."""
    if lang not in LANGUAGES:
        return text
    return Markup('<span lang="{}">{}</span>').format(lang, text)

"""Words and number formats shared by both reports, in the report's language.

Message ids are English and translated through ``app/i18n/locales/<lang>/LC_MESSAGES/reports.po``.
Numbers are formatted for the locale with an explicit sign (U+2212 for minus), so a value reads the same
whatever the locale's own minus sign is.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from app import i18n
from app.municipalities.timezone import zone

TARGETS: dict[str, str] = {
    "organisation": "Municipal organisation",
    "firms": "Firms",
    "residents": "Residents",
}
STATUSES: dict[str, str] = {
    "draft": "Draft",
    "submitted": "Submitted for review",
    "approved": "Approved",
    "superseded": "Superseded by a newer version",
}
SYMBOLS: dict[str, str] = {
    "++": "Clearly positive",
    "+": "Positive",
    "0": "Neutral",
    "−": "Negative",
    "−−": "Clearly negative",
    "±": "Mixed",
    "?": "Unknown",
    "·": "Not rated",
}
"""Short words shown beside the symbol in a matrix cell."""
SYMBOL_HELP: dict[str, str] = {
    "++": "clearly positive (mean +1.5 or more)",
    "+": "positive",
    "0": "no notable impact",
    "−": "negative",
    "−−": "clearly negative (mean −1.5 or less)",
    "±": "mixed: both positive and negative impacts",
    "?": "unknown: a knowledge gap",
    "·": "not rated yet",
}
"""The legend under the matrix."""
ALTERNATIVE_KINDS: dict[str, str] = {
    "proposal": "Proposal",
    "zero": "Zero alternative",
    "option": "Other option",
}
ZERO_TITLE = "Nothing is decided; the present course continues"
SOFT_HYPHEN = "\u00ad"


def messages() -> list[str]:
    """Every message id used from Python (the templates' ids are extracted from the templates)."""
    return [
        *TARGETS.values(),
        *STATUSES.values(),
        *SYMBOLS.values(),
        *SYMBOL_HELP.values(),
        *ALTERNATIVE_KINDS.values(),
        ZERO_TITLE,
    ]


def t(lang: str, message: str) -> str:
    return i18n.gettext(lang, message)


def target(lang: str, target_id: str) -> str:
    return t(lang, TARGETS.get(target_id, target_id))


def status(lang: str, status_id: str) -> str:
    return t(lang, STATUSES.get(status_id, status_id))


def symbol(lang: str, sym: str) -> str:
    return t(lang, SYMBOLS.get(sym, sym))


def symbol_help(lang: str, sym: str) -> str:
    return t(lang, SYMBOL_HELP.get(sym, sym))


def alternative_kind(lang: str, kind: str, key: str) -> str:
    """ "Proposal", "Zero alternative", or "Other option 2" numbered by its key (``option-2``) as on the web:
    further options are told apart in the profile table's columns and the appendix's headings."""
    word = t(lang, ALTERNATIVE_KINDS.get(kind, kind))
    number = key.removeprefix("option-") if kind == "option" else ""
    return f"{word} {number}" if number.isdigit() else word


def unhyphenated(text: str) -> str:
    """``text`` without the soft hyphens the Finnish catalogue puts in words for narrow table headers
    ("Nolla\u00advaihto\u00adehto"): a heading becomes a PDF bookmark, which shows them as they are."""
    return text.replace(SOFT_HYPHEN, "")


def alternative_title(lang: str, kind: str, title: str) -> str:
    """The zero alternative is created with the placeholder title "0": word it for readers."""
    if placeholder_title(kind, title):
        return t(lang, ZERO_TITLE)
    return title


def placeholder_title(kind: str, title: str) -> bool:
    """Whether the alternative's title is the placeholder :func:`alternative_title` words in the
    reader's language (not the author's text, so not in the language of the assessment's texts)."""
    return kind == "zero" and title.strip() in ("", "0")


def signed(value: float | None, lang: str, digits: int = 1) -> str:
    """``+1,5`` / ``−0,5`` / ``0,0``; an en dash for no value."""
    if value is None:
        return "–"
    return _signed(round(value, digits), lang, digits)


@lru_cache(maxsize=4096)
def _signed(rounded: float, lang: str, digits: int) -> str:
    """Locale formatting is slow and a portfolio formats thousands of values, most of them alike."""
    text = i18n.format_number(abs(rounded), lang, digits)
    if rounded > 0:
        return "+" + text
    if rounded < 0:
        return "−" + text
    return text


def score(value: int | None) -> str:
    if value is None:
        return "?"
    return f"+{value}" if value > 0 else (f"−{-value}" if value < 0 else "0")


def percent(share: float | None, lang: str) -> str:
    if share is None:
        return "–"
    return f"{i18n.format_number(share * 100, lang, 0)} %"


def day(value: date | datetime | None, lang: str, country: str | None) -> str:
    """A long date; a timestamp (stored in UTC) counts by its day on the clock of the municipality, whose
    ``country`` decides the zone (``app/municipalities/timezone.py``)."""
    if value is None:
        return "–"
    return i18n.format_date(value, lang, "long", zone(country))

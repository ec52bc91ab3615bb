"""Jinja2 for the web pages: autoescape everywhere, StrictUndefined, one environment per language and
time zone.

Each environment has that language's gettext catalogue installed (new-style gettext: ``_("Hello
%(name)s", name=...)`` escapes and formats), so templates never see another language by accident; its
``date`` and ``datetime`` filters show timestamps on the clock of one zone, the signed-in user's
municipality's (``app/municipalities/timezone.py``), so a page never names another day than its PDF.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app import i18n
from app.i18n.people import person
from app.municipalities.codes import display_name
from app.municipalities.timezone import DEFAULT_ZONE, ZONES
from app.reports import labels
from app.settings import get_settings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _static_version() -> str:
    """Cache-busting suffix for static files: their newest modification time."""
    stamps = [int(p.stat().st_mtime) for p in STATIC.glob("*") if p.is_file()]
    return str(max(stamps, default=0))


def environment(lang: str, zone: str = DEFAULT_ZONE.key) -> Environment:
    """The environment of a language whose date filters use the time zone named ``zone`` (IANA)."""
    return _environment(i18n.normalise(lang), zone)


@lru_cache(maxsize=len(i18n.LANGUAGES) * len(ZONES))
def _environment(lang: str, zone: str) -> Environment:
    tz = ZoneInfo(zone)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        # a template changes only with a release (a restart), but in development: no stat() per page
        auto_reload=get_settings().env == "development",
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.globals["municipality_name"] = lambda m: display_name(m.code, m.name, m.settings, lang)
    env.globals["languages"] = [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES]
    env.globals["static_version"] = _static_version()
    env.filters["date"] = lambda v, fmt="long": _date(v, lang, fmt, tz)
    env.filters["datetime"] = lambda v, fmt="medium": i18n.format_datetime(v, lang, fmt, zone=tz) if v else ""
    env.globals["described_by"] = described_by
    error_label = escape(i18n.gettext(lang, "Error:"))
    env.globals["error_message"] = partial(error_message, error_label)
    env.globals["radios"] = partial(radios, error_label)
    env.filters["number"] = lambda v, digits=1: format_number(v, lang, digits)
    env.filters["signed"] = lambda v, digits=1: labels.signed(v, lang, digits)  # as in the PDFs
    env.filters["percent"] = lambda v: "–" if v is None else format_number(100 * v, lang, 0) + " %"
    env.filters["text"] = lambda t: t.get(lang)
    env.filters["person"] = lambda label: person(label, lang)
    env.filters["lang_attr"] = i18n.lang_attr
    env.filters["in_lang"] = i18n.in_lang
    return env


def _date(value: date | datetime | None, lang: str, fmt: str, zone: tzinfo) -> str:
    """A day; a timestamp's is the day it falls on in ``zone``."""
    return i18n.format_date(value, lang, fmt, zone) if value else ""


@lru_cache(maxsize=8)
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern(f"#,##0.{'0' * digits}" if digits else "#,##0")


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _locale(lang: str) -> Locale:
    return i18n.locale(lang)


def format_number(value: float | None, lang: str, digits: int = 1) -> str:
    """Like :func:`app.i18n.format_number`, with the parsed locale and pattern cached (pages format
    dozens of numbers, and parsing the locale each time was most of a summary page's time)."""
    if value is None:
        return "–"
    return str(_number_pattern(digits).apply(round(value, digits), _locale(lang)))


def described_by(field_id: str, hint: str, errors: Mapping[str, str]) -> Markup:
    """The ``aria-describedby`` attribute of a field: its hint and its error message, when present."""
    ids = ([f"{field_id}-hint"] if hint else []) + ([f"{field_id}-error"] if errors.get(field_id) else [])
    return Markup(' aria-describedby="%s"') % " ".join(ids) if ids else Markup("")


def error_message(error_label: str, id: str, fe: Mapping[str, str]) -> Markup:
    """A field's error message (none without an error); ``error_label`` is the language's "Error:",
    escaped already, for screen readers. A template global: ``error_message(id, fe)``."""
    err = fe.get(id)
    if not err:
        return Markup("")
    label = f'<span class="visually-hidden">{error_label}</span>'
    return Markup(f'<p class="error-message" id="{escape(id)}-error">{label} {escape(err)}</p>')  # noqa: S704 - escaped


def radios(
    error_label: str,
    id: str,
    legend: str,
    options: Iterable[tuple[str, str, str] | tuple[str, str, str, str]],
    selected: str,
    fe: Mapping[str, str],
    hint: str = "",
    inline: bool = False,
    legend_class: str = "",
    option_hints: bool = True,
) -> Markup:
    """A group of radio buttons in a fieldset with its legend, hint and error message (GOV.UK's radios);
    ``options`` are (value, label, hint), or (value, label, hint, language) for an option in another
    language than the page (a language's own name: WCAG 3.1.2). A template global (``radios(...)``), in Python because a
    rating form has 32–64 of them, and as a Jinja macro 32 took 1.98 ms to render, now 1.04 ms.
    Every value is escaped; ``error_label`` as for :func:`error_message`. No indentation: a rating page
    has over 300 options, and indenting them cost 9 KB of its 150 KB budget."""
    err = fe.get(id)
    name = escape(id)
    out = [
        f'<div class="form-group{" form-group-error" if err else ""}">\n'
        f'<fieldset class="fieldset"{described_by(id, hint, fe)}>\n'
        f'<legend class="legend {escape(legend_class)}">{escape(legend)}</legend>\n'
    ]
    if hint:
        out.append(f'<div class="hint" id="{name}-hint">{escape(hint)}</div>')
    out.append(f"{error_message(error_label, id, fe)}\n")
    out.append(f'<div class="radios{" radios-inline" if inline else ""}">\n')
    for index, (value, label, option_hint, *language) in enumerate(options, start=1):
        oid = name if index == 1 else escape(f"{id}-{index}")
        item_hint = option_hint if option_hints else ""
        checked = " checked" if selected == value else ""
        described = f' aria-describedby="{oid}-item-hint"' if item_hint else ""
        lang = f' lang="{escape(language[0])}"' if language and language[0] else ""
        out.append(
            f'<div class="radio"{lang}>\n'
            f'<input class="radio-input" id="{oid}" name="{name}" type="radio" value="{escape(value)}"'
            f"{checked}{described}>\n"
            f'<label class="radio-label" for="{oid}">{escape(label)}</label>\n'
        )
        if item_hint:
            out.append(f'<div class="hint radio-hint" id="{oid}-item-hint">{escape(item_hint)}</div>')
        out.append("</div>\n")
    out.append("</div>\n</fieldset>\n</div>\n")
    return Markup("".join(out))  # noqa: S704 - every value above went through escape()


def render(lang: str, template: str, context: dict[str, Any], zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """``zone``: the time zone of the reader's municipality (:func:`app.municipalities.timezone.zone`)."""
    return environment(lang, zone.key).get_template(template).render(context)


def t(lang: str, message: str, **values: Any) -> str:
    text = i18n.gettext(lang, message)
    return text % values if values else text

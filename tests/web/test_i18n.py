"""Every message of the web interface is translated in sv, fi and en; pages follow the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.web.support import Web

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "app/i18n/locales"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": (2,), "N_": None}
DOMAINS = {
    "web": ([("app/web/**.py", "python"), ("app/web/templates/**.html", "jinja2")], "jinja2.ext.i18n,jinja2.ext.do"),
    "reports": ([("app/reports/**.py", "python"), ("app/reports/templates/**.html", "jinja2")], "jinja2.ext.i18n"),
}


def extracted(domain: str) -> dict[str, tuple[str, ...]]:
    """Every message id the domain's code and templates use: singular id → (id,) or (singular, plural)."""
    methods, extensions = DOMAINS[domain]
    options = {pattern: {"extensions": extensions} for pattern, kind in methods if kind == "jinja2"}
    ids: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), methods, options, KEYWORDS, comment_tags=()
    ):
        forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        ids[forms[0]] = forms
    if domain == "reports":  # ids the reports look up from tables (labels.messages() lists them)
        from app.reports import labels

        ids.update({m: (m,) for m in labels.messages()})
    return ids


def catalogue(lang: str, domain: str) -> dict[str, Message]:
    with (LOCALES / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as f:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(f, locale=lang) if m.id}


@pytest.mark.parametrize("domain", ["web", "reports"])
@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_every_message_is_translated(lang: str, domain: str) -> None:
    """Every message has a translation in every language (English too, but for the reports, whose
    English is their message ids), in every plural form, not fuzzy (a fuzzy entry is dropped when the
    catalogue is compiled, so it would show in English) and with the message's placeholders."""
    ids = extracted(domain)
    assert len(ids) > (300 if domain == "web" else 100)
    found = catalogue(lang, domain)
    missing = sorted(i for i in ids if i not in found)
    assert not missing, f"not in {lang}/{domain}.po: {missing[:10]}"
    plural = sorted(i for i, forms in ids.items() if (len(forms) == 2) != isinstance(found[i].id, tuple))
    assert not plural, f"singular/plural differs from the code in {lang}/{domain}.po: {plural[:5]}"
    fuzzy = sorted(i for i in ids if found[i].fuzzy)
    assert not fuzzy, f"fuzzy in {lang}/{domain}.po: {fuzzy[:5]}"
    if domain == "reports" and lang == "en":
        return
    for i, forms in ids.items():
        strings = found[i].string if isinstance(found[i].string, tuple) else (found[i].string,)
        assert all(strings), f"untranslated in {lang}/{domain}.po: {i!r}"
        for text in strings:
            assert sorted(set(_names(text))) == sorted(set(_names(forms[-1]))), f"placeholders differ in {lang}: {i!r}"


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_a_message_in_both_catalogues_has_one_translation(lang: str) -> None:
    """The catalogues of a language are merged, the web's last: a different translation of the same id in
    the reports' catalogue would never show, and a translator editing it would see nothing change."""
    web, reports = catalogue(lang, "web"), catalogue(lang, "reports")
    differ = [(i, reports[i].string, web[i].string) for i in reports.keys() & web.keys() if reports[i].string]
    assert [d for d in differ if d[1] != d[2]] == []


def test_plural_forms_follow_the_count() -> None:
    from app import i18n

    def n(lang: str, count: int) -> str:
        text = i18n.translations(lang).ngettext(
            "%(n)s more knowledge gap is listed in the appendix.",
            "%(n)s more knowledge gaps are listed in the appendix.",
            count,
        )
        return str(text) % {"n": count}

    assert n("sv", 1) == "Ytterligare 1 kunskapslucka redovisas i bilagan."
    assert n("sv", 3) == "Ytterligare 3 kunskapsluckor redovisas i bilagan."
    assert n("fi", 1) == "Liitteessä on lisäksi 1 tietoaukko."
    assert n("fi", 0) == "Liitteessä on lisäksi 0 tietoaukkoa."
    assert n("en", 1) == "1 more knowledge gap is listed in the appendix."


def _names(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)


def test_language_switch_is_remembered(official: Web) -> None:
    r = official.get("/language?lang=fi&next=/")
    assert r.status_code == 303 and "lk_lang=fi" in r.headers["set-cookie"]
    page = official.get("/")
    assert '<html lang="fi">' in page.text and "Omat luonnokset" in page.text
    official.get("/language?lang=en&next=/")
    assert "My drafts" in official.get("/").text
    official.get("/language?lang=xx&next=/")
    assert '<html lang="sv">' in official.get("/").text, "Swedish is the default"


def test_dates_follow_the_locale(official: Web) -> None:
    aid = official.new_assessment()
    official.get("/language?lang=fi&next=/")
    assert "14. joulukuuta 2026" in official.get(f"/assessments/{aid}").text
    official.get("/language?lang=en&next=/")
    assert "14 December 2026" in official.get(f"/assessments/{aid}").text
    official.get("/language?lang=sv&next=/")
    assert "14 december 2026" in official.get(f"/assessments/{aid}").text

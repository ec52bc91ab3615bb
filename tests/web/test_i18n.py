"""Every message of the web interface is translated in sv, fi and en; pages follow the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.web.support import Web

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": (2,), "N_": None}
METHODS = [("app/web/**.py", "python"), ("app/web/templates/**.html", "jinja2")]
OPTIONS = {"app/web/templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}


def extracted() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, KEYWORDS, comment_tags=()
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_every_message_is_translated(lang: str) -> None:
    ids = extracted()
    assert len(ids) > 300
    with (ROOT / "app/i18n/locales" / lang / "LC_MESSAGES/web.po").open("rb") as f:
        catalogue = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    missing = sorted(i for i in ids if not catalogue.get(i))
    assert not missing, f"untranslated in {lang}: {missing[:10]}"
    placeholders = [i for i in ids if "%(" in i and sorted(_names(i)) != sorted(_names(catalogue[i]))]
    assert not placeholders, f"placeholders differ in {lang}: {placeholders[:5]}"


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

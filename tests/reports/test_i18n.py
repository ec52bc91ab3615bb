"""Every message of the reports is translated into Swedish and Finnish, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from app.reports import labels

pytestmark = pytest.mark.database_independent  # tests/conftest.py: run on SQLite only

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "app" / "reports"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def message_ids() -> list[str]:
    ids: list[str] = []
    for path in sorted((REPORTS / "templates").glob("*.html")):
        with path.open("rb") as f:
            for _, msg, _, _ in extract(
                "jinja2.ext.babel_extract",
                f,
                keywords={"_": None},
                options={"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"},
            ):
                ids.append(msg if isinstance(msg, str) else msg[0])
    for path in sorted(REPORTS.glob("*.py")):
        with path.open("rb") as f:
            ids += [msg for _, msg, _, _ in extract("python", f, keywords={"t": (2,)}) if isinstance(msg, str)]
    ids += labels.messages()
    return sorted(set(ids))


def test_messages_are_found() -> None:
    ids = message_ids()
    assert "Alternatives compared" in ids and "Municipal organisation" in ids and len(ids) > 60


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_catalogue_covers_every_message(lang: str) -> None:
    with (ROOT / "app" / "i18n" / "locales" / lang / "LC_MESSAGES" / "reports.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    for msgid in message_ids():
        message = catalog.get(msgid)
        assert message is not None, f"{lang}: {msgid!r} missing from reports.po"
        if lang == "en":
            continue
        assert message.string, f"{lang}: {msgid!r} not translated"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(str(message.string))), msgid

"""The comment copy's package as Word reads it: nothing of python-docx's template that misleads."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest

from tests.reports.factories import rich_assessment
from tests.support import Api

TAGS = {"sv": "sv-SE", "fi": "fi-FI", "en": "en-GB"}


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_spelling_is_checked_in_the_documents_language_and_the_package_names_no_other(api: Api, lang: str) -> None:
    a = rich_assessment(api)
    r = api.get(f"/api/v1/assessments/{a['id']}/report.docx", params={"lang": lang})
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(BytesIO(r.content)) as package:
        names = package.namelist()
        parts = {name: package.read(name).decode("utf-8") for name in names if not name.endswith(".jpeg")}
    settings = parts["word/settings.xml"]
    # "clean" would tell Word the text was checked and no errors found: it would mark none
    assert "w:proofState" not in settings
    # every language named in the package is the document's (no US English left in a copy of the styles)
    named = {tag for text in parts.values() for tag in re.findall(r'<w:lang w:val="([^"]+)"', text)}
    assert named == {TAGS[lang]}
    assert re.search(r'<w:themeFontLang w:val="([^"]+)"', settings).group(1) == TAGS[lang]  # type: ignore[union-attr]
    # no blank US Letter page as the file's preview, and it does not claim Word wrote it
    assert not any(name.startswith("docProps/thumbnail") for name in names)
    assert "thumbnail" not in parts["_rels/.rels"] and "jpeg" not in parts["[Content_Types].xml"]
    assert "<Application>Livskraft</Application>" in parts["docProps/app.xml"]
    assert "stylesWithEffects" not in parts["[Content_Types].xml"]

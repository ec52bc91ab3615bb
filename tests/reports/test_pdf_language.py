"""The decision summary reads well in Finnish too: a narrow column breaks a compound word only between
its parts (with a hyphen), never in the middle of a part."""

from __future__ import annotations

import re

from tests.reports.factories import page_texts, rich_assessment
from tests.reports.test_summary_pdf import get_pdf
from tests.support import Api


def test_finnish_column_headers_break_between_the_parts_of_a_word(api: Api) -> None:
    a = rich_assessment(api)
    for title in ("Etapp 1 endast", "Etapp 2"):  # four alternatives: the profile's columns are narrow
        r = api.post(f"/api/v1/assessments/{a['id']}/alternatives", {"title": title}, api.etag(a["id"]))
        assert r.status_code == 201, r.text
    first = page_texts(get_pdf(api, a["id"], lang="fi"))[0]
    header = first.split("Kohderyhmä", 1)[1].split("Kuntaorganisaatio", 1)[0]
    assert not re.search(r"vaihtoeh?t? [a-z]", header), f"a part of a word was broken: {header!r}"
    assert header.count("vaihto‐ ehto") == 3, header

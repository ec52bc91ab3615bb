"""Negative numbers on the web pages carry the typographic minus sign (U+2212), as the PDF reports do:
scores, means, profiles and the difference proposal − zero alternative read "−2", never "-2" with the
hyphen-minus, which screen readers may read as "dash" and which breaks from its number at a line end."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.support import Web, submitted
from tests.web.test_accessible_pages import text_of

HYPHEN_NUMBER = re.compile(r"(?<![\w−-])-\d")
"""A number written with the hyphen-minus (not a date's or a range's hyphen: those follow a digit)."""


def main_text(html: str) -> str:
    return text_of(html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0])


def hyphen_numbers(html: str) -> list[str]:
    text = main_text(html)
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in HYPHEN_NUMBER.finditer(text)]


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_summary_and_follow_up_write_negative_numbers_with_the_minus_sign(
    official: Web, reviewer: Web, lang: str
) -> None:
    aid = submitted(official)  # +3 and −2 for the firms, nothing for the zero alternative
    assert reviewer.post(f"/assessments/{aid}/review", {"action": "approve", "comment": "Bra."}).status_code == 303
    official.get(f"/language?lang={lang}&next=/")
    summary = official.get(f"/assessments/{aid}/summary").text
    assert "<strong>−2</strong>" in summary, "the negative impact's score"
    assert "<strong>+3</strong>" in summary
    assert hyphen_numbers(summary) == []
    follow = official.get(f"/assessments/{aid}/follow-up").text
    scores = re.findall(r"<strong>([^<]*\d)</strong>", follow.split("<main", 1)[1])
    assert sorted(scores) == ["+3", "−2"], scores
    assert hyphen_numbers(follow) == []


def test_the_rating_form_and_its_conflict_page_write_scores_with_the_minus_sign(official: Web, app: Any) -> None:
    aid = official.new_assessment()
    official.screen(aid)
    url, mine = official.rate_form(aid)
    page = official.get(url).text
    # each score option and the scale's explanation: −3 … +3
    labels = re.findall(r'<label class="radio-label" for="c0-e1-score(?:-\d)?">([^<]+)</label>', page)
    assert [label.split(" ", 1)[0] for label in labels[:7]] == ["+3", "+2", "+1", "0", "−1", "−2", "−3"], labels
    assert re.findall(r"<dt><strong>(\S+) ", page)[:7] == ["+3", "+2", "+1", "0", "−1", "−2", "−3"]
    assert hyphen_numbers(page) == []
    colleague = Web.signed_in(app, "olle@vaasa.fi", "official")
    _, theirs = colleague.rate_form(aid)
    assert colleague.post(url, theirs | {"c0-e1-score": "-3", "c0-e1-rationale": "Deras", "c0-e1-mitigation": "Ja"})
    r = official.post(url, mine | {"c0-e1-score": "-1", "c0-e1-rationale": "Min", "c0-e1-mitigation": "Åtgärd"})
    assert r.status_code == 409
    table = r.text.split('<table class="compare">')[1].split("</table>")[0]
    assert "−1 Liten negativ effekt" in table and "−3 " in table, table
    assert hyphen_numbers(r.text) == []

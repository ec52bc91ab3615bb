"""A decision summary's last lines (the likelihood weights and the rubric) stay together: the Mikkeli
example's last page held the rubric's three lines alone. And the appendix's table of the weights used
stays on one page: in Finnish its last two rows were alone on the last page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reports.factories import page_texts
from tests.support import Api, make_token

LAST = {
    "sv": ("Sannolikhetens vikt i en effekts betydelse", "Nästan säker", "Bedömningsmall", "Kontrollsumma"),
    "fi": ("Todennäköisyyden paino vaikutuksen merkittävyydessä", "Lähes varma", "Arviointikehikko", "Tarkistussumma"),
    "en": ("Likelihood weights in the significance of an impact", "Almost certain", "Rubric", "Content hash"),
}

WEIGHTS = {  # the caption of the table of the weights used, and the label of its last row
    "sv": ("Använda vikter", "Invånarna"),
    "fi": ("Käytetyt painot", "Asukkaat"),
    "en": ("Weights used", "Residents"),
}


@pytest.mark.parametrize("lang", ["sv", "fi", "en"])
def test_the_mikkeli_example_ends_with_the_likelihood_weights_and_the_rubric_together(client: Any, lang: str) -> None:
    from app.cli.seed import seed_examples
    from app.settings import get_settings

    seed_examples(get_settings().assessments_dir)
    mikkeli = Api(client, make_token("491", ("read",)))
    r = mikkeli.get("/api/v1/assessments")
    assert r.status_code == 200, r.text
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    assert len(items) == 1
    pdf = mikkeli.get(f"/api/v1/assessments/{items[0]['id']}/report", params={"lang": lang})
    assert pdf.status_code == 200, pdf.text
    pages = page_texts(pdf.content)
    last = pages[-1]
    for text in LAST[lang]:
        assert text in last, (text, last)
    caption, last_row = WEIGHTS[lang]
    [page] = [text for text in pages if caption in text]
    assert last_row in page.split(caption, 1)[1], page  # the whole table on the caption's page
